// `X addr,length:XX...` (GDB manual, "Packets"): binary data, already unescaped by the framer.
// gdb probes support with `X<addr>,0:` (empty data), which is well formed.
import { latin1Bytes, malformed, type MalformedCommand, parseAddrLength } from './fields.js';

export interface WriteMemoryBinaryCommand {
  kind: 'write-memory-binary';
  addr: bigint;
  data: Buffer;
}

export function parseWriteMemoryBinary(
  packet: string,
): WriteMemoryBinaryCommand | MalformedCommand {
  const colon = packet.indexOf(':');
  if (colon < 0) return malformed(packet, 'expected addr,length:data');
  const r = parseAddrLength(packet.slice(1, colon));
  if (!r.ok) return malformed(packet, r.error);
  const data = latin1Bytes(packet.slice(colon + 1));
  if (data.length !== r.value.length) {
    return malformed(packet, `length ${r.value.length} but ${data.length} bytes of data`);
  }
  return { kind: 'write-memory-binary', addr: r.value.addr, data };
}
