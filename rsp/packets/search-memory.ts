// `qSearch:memory:address;length;search-pattern` (GDB manual, "General Query Packets"). The
// pattern is binary, already unescaped by the framer, and may itself contain `;`.
import {
  latin1Bytes,
  malformed,
  type MalformedCommand,
  parseAddress,
  parseNumber,
} from './fields.js';

export interface SearchMemoryCommand {
  kind: 'search-memory';
  addr: bigint;
  length: number;
  pattern: Buffer;
}

export function parseSearchMemory(packet: string): SearchMemoryCommand | MalformedCommand {
  const rest = packet.slice('qSearch:memory:'.length);
  const s1 = rest.indexOf(';');
  const s2 = s1 < 0 ? -1 : rest.indexOf(';', s1 + 1);
  if (s2 < 0) return malformed(packet, 'expected address;length;pattern');
  const addr = parseAddress(rest.slice(0, s1));
  if (!addr.ok) return malformed(packet, addr.error);
  const length = parseNumber(rest.slice(s1 + 1, s2), 'length');
  if (!length.ok) return malformed(packet, length.error);
  const pattern = latin1Bytes(rest.slice(s2 + 1));
  if (pattern.length === 0) return malformed(packet, 'empty search pattern');
  return { kind: 'search-memory', addr: addr.value, length: length.value, pattern };
}
