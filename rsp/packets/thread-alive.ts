// `T thread-id` (GDB manual, "Packets"): is the thread still alive.
import type { ThreadId } from '../common/thread-id.js';
import { malformed, type MalformedCommand, parseThread } from './fields.js';

export interface ThreadAliveCommand {
  kind: 'thread-alive';
  thread: ThreadId;
}

export function parseThreadAlive(packet: string): ThreadAliveCommand | MalformedCommand {
  const thread = parseThread(packet.slice(1));
  return thread.ok
    ? { kind: 'thread-alive', thread: thread.value }
    : malformed(packet, thread.error);
}
