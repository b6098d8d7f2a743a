// `m addr,length` (GDB manual, "Packets"), with an optional LLDB-style thread suffix.
import type { ThreadId } from '../common/thread-id.js';
import { malformed, type MalformedCommand, parseAddrLength, splitThreadSuffix } from './fields.js';

export interface ReadMemoryCommand {
  kind: 'read-memory';
  addr: bigint;
  length: number;
  thread?: ThreadId;
}

export function parseReadMemory(packet: string): ReadMemoryCommand | MalformedCommand {
  const s = splitThreadSuffix(packet);
  if (!s.ok) return malformed(packet, s.error);
  const r = parseAddrLength(s.value.rest.slice(1));
  if (!r.ok) return malformed(packet, r.error);
  const cmd: ReadMemoryCommand = {
    kind: 'read-memory',
    addr: r.value.addr,
    length: r.value.length,
  };
  if (s.value.thread) cmd.thread = s.value.thread;
  return cmd;
}
