// `g` (GDB manual, "Packets"), with LLDB's optional `;thread:<tid>;` suffix.
import type { ThreadId } from '../common/thread-id.js';
import { malformed, type MalformedCommand, splitThreadSuffix } from './fields.js';

export interface ReadRegistersCommand {
  kind: 'read-registers';
  thread?: ThreadId;
}

export function parseReadRegisters(packet: string): ReadRegistersCommand | MalformedCommand {
  const s = splitThreadSuffix(packet);
  if (!s.ok) return malformed(packet, s.error);
  if (s.value.rest !== 'g') return malformed(packet, 'unexpected data after g');
  return s.value.thread
    ? { kind: 'read-registers', thread: s.value.thread }
    : { kind: 'read-registers' };
}
