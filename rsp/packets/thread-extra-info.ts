// `qThreadExtraInfo,thread-id` (GDB manual, "General Query Packets").
import type { ThreadId } from '../common/thread-id.js';
import { malformed, type MalformedCommand, parseThread } from './fields.js';

export interface ThreadExtraInfoCommand {
  kind: 'thread-extra-info';
  thread: ThreadId;
}

export function parseThreadExtraInfo(packet: string): ThreadExtraInfoCommand | MalformedCommand {
  const t = parseThread(packet.slice('qThreadExtraInfo,'.length));
  return t.ok ? { kind: 'thread-extra-info', thread: t.value } : malformed(packet, t.error);
}
