// `x addr,length` (GDB manual, "Packets"; GDB 16 `binary-upload`). The reply format differs by
// client (gdb wants a leading `b`, older LLDB does not); that choice belongs to the stub.
// lldbgdbremote.md ("x") allows optional `0x` prefixes on both numbers, so we accept them.
import { malformed, type MalformedCommand, parseAddrLength } from './fields.js';

export interface ReadMemoryBinaryCommand {
  kind: 'read-memory-binary';
  addr: bigint;
  length: number;
}

export function parseReadMemoryBinary(packet: string): ReadMemoryBinaryCommand | MalformedCommand {
  const r = parseAddrLength(packet.slice(1).replace(/(^|,)0x/g, '$1'));
  if (!r.ok) return malformed(packet, r.error);
  return { kind: 'read-memory-binary', addr: r.value.addr, length: r.value.length };
}
