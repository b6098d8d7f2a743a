// `QThreadEvents:0|1` (GDB manual, "General Query Packets"): report thread creation and exit.
import { malformed, type MalformedCommand, parseFlagPacket } from './fields.js';

export interface ThreadEventsCommand {
  kind: 'thread-events';
  enable: boolean;
}

export function parseThreadEvents(packet: string): ThreadEventsCommand | MalformedCommand {
  const r = parseFlagPacket(packet, 'QThreadEvents:');
  return r.ok ? { kind: 'thread-events', enable: r.value } : malformed(packet, r.error);
}
