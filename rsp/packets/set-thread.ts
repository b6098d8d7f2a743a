// `H op thread-id` (GDB manual, "Packets"): `Hg` selects the thread for register and memory
// access, `Hc` for `c`/`s` (deprecated in favour of vCont).
import type { ThreadId } from '../common/thread-id.js';
import { malformed, type MalformedCommand, parseThread } from './fields.js';

export interface SetThreadCommand {
  kind: 'set-thread';
  op: 'g' | 'c';
  thread: ThreadId;
}

export function parseSetThread(packet: string): SetThreadCommand | MalformedCommand {
  const op = packet[1];
  if (op !== 'g' && op !== 'c') return malformed(packet, `unknown H operation "${op ?? ''}"`);
  const thread = parseThread(packet.slice(2));
  return thread.ok
    ? { kind: 'set-thread', op, thread: thread.value }
    : malformed(packet, thread.error);
}
