// `m addr,length` (GDB manual, "Packets"), with an optional LLDB-style thread suffix.
import type { ThreadId } from '../common/thread-id.js';
import { shortHexAt } from '../common/hex.js';
import { malformed, type MalformedCommand, parseAddrLength, splitThreadSuffix } from './fields.js';

export interface ReadMemoryCommand {
  kind: 'read-memory';
  /** A number when it is a safe integer (every address gdb reads in user space), else a bigint. */
  addr: number | bigint;
  length: number;
  thread?: ThreadId;
}

export function parseReadMemory(packet: string): ReadMemoryCommand | MalformedCommand {
  const fast = readMemoryFast(packet);
  if (fast !== undefined) return fast;
  const s = splitThreadSuffix(packet);
  if (!s.ok) return malformed(packet, s.error);
  const r = parseAddrLength(s.value.rest.slice(1));
  if (!r.ok) return malformed(packet, r.error);
  const addr = r.value.addr;
  const cmd: ReadMemoryCommand = {
    kind: 'read-memory',
    addr: addr <= MAX_SAFE ? Number(addr) : addr,
    length: r.value.length,
  };
  if (s.value.thread) cmd.thread = s.value.thread;
  return cmd;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * gdb's usual `m<addr>,<length>` (at most 13 digits each, no thread suffix) read in place: no
 * BigInt, substring or Result per packet, as gdb sends one or more per stop. Undefined for
 * anything else, which the general path reads (and words the errors of).
 */
function readMemoryFast(packet: string): ReadMemoryCommand | undefined {
  const comma = packet.indexOf(',', 1);
  if (comma < 0) return undefined;
  const addr = shortHexAt(packet, 1, comma);
  const length = shortHexAt(packet, comma + 1, packet.length);
  if (addr < 0 || length < 0) return undefined;
  return { kind: 'read-memory', addr, length };
}
