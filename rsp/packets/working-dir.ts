// `QSetWorkingDir:[directory]` (GDB manual, "General Query Packets"): hex-encoded directory for
// processes started later; empty means the stub's own working directory.
import { malformed, type MalformedCommand, parseHexText } from './fields.js';

export interface SetWorkingDirCommand {
  kind: 'set-working-dir';
  /** Undefined: reset to the stub's default. */
  dir?: string;
}

export function parseSetWorkingDir(packet: string): SetWorkingDirCommand | MalformedCommand {
  const hex = packet.slice('QSetWorkingDir:'.length);
  if (hex === '') return { kind: 'set-working-dir' };
  const dir = parseHexText(hex, 'directory');
  return dir.ok ? { kind: 'set-working-dir', dir: dir.value } : malformed(packet, dir.error);
}
