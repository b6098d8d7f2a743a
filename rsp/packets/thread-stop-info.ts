// `qThreadStopInfo<hex tid>` (lldbgdbremote.md): the stop reply for one thread.
import type { ThreadId } from '../common/thread-id.js';
import { malformed, type MalformedCommand, parseThread } from './fields.js';

export interface ThreadStopInfoCommand {
  kind: 'thread-stop-info';
  thread: ThreadId;
}

export function parseThreadStopInfo(packet: string): ThreadStopInfoCommand | MalformedCommand {
  const t = parseThread(packet.slice('qThreadStopInfo'.length));
  return t.ok ? { kind: 'thread-stop-info', thread: t.value } : malformed(packet, t.error);
}
