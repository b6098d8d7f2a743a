// `_m<hex addr>` (lldbgdbremote.md, "_m<addr>"): free memory allocated with `_M`.
import { malformed, type MalformedCommand, parseAddress } from './fields.js';

export interface DeallocateMemoryCommand {
  kind: 'deallocate-memory';
  addr: bigint;
}

export function parseDeallocateMemory(packet: string): DeallocateMemoryCommand | MalformedCommand {
  const addr = parseAddress(packet.slice('_m'.length));
  return addr.ok ? { kind: 'deallocate-memory', addr: addr.value } : malformed(packet, addr.error);
}
