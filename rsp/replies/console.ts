// `O XX...` console output (GDB manual, "Stop Reply Packets" and qRcmd): hex-encoded text, sent
// while the target runs or as partial output of a monitor command.
import { bufferToHex } from '../common/hex.js';

export function consoleOutput(text: string | Uint8Array): string {
  return (
    'O' + (typeof text === 'string' ? Buffer.from(text, 'utf8').toString('hex') : bufferToHex(text))
  );
}
