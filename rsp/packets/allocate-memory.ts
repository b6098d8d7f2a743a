// `_M<hex size>,<permissions>` (lldbgdbremote.md, "_M<size>,<permissions>"): allocate memory in
// the inferior; permissions is a combination of r, w and x.
import { malformed, type MalformedCommand, parseNumber } from './fields.js';

export interface MemoryPermissions {
  read: boolean;
  write: boolean;
  execute: boolean;
}

export interface AllocateMemoryCommand {
  kind: 'allocate-memory';
  size: number;
  permissions: MemoryPermissions;
}

export function parseAllocateMemory(packet: string): AllocateMemoryCommand | MalformedCommand {
  const rest = packet.slice('_M'.length);
  const comma = rest.indexOf(',');
  if (comma < 0) return malformed(packet, 'expected size,permissions');
  const size = parseNumber(rest.slice(0, comma), 'size');
  if (!size.ok) return malformed(packet, size.error);
  if (size.value === 0) return malformed(packet, 'zero size');
  const perms = rest.slice(comma + 1);
  if (!/^[rwx]*$/.test(perms) || new Set(perms).size !== perms.length) {
    return malformed(packet, `bad permissions "${perms}"`);
  }
  return {
    kind: 'allocate-memory',
    size: size.value,
    permissions: {
      read: perms.includes('r'),
      write: perms.includes('w'),
      execute: perms.includes('x'),
    },
  };
}
