// `qAttached[:pid]` (GDB manual, "General Query Packets"): did we attach (1) or create (0) it.
import { malformed, type MalformedCommand, parseNumber } from './fields.js';

export interface AttachedCommand {
  kind: 'attached';
  pid?: number;
}

export function parseAttached(packet: string): AttachedCommand | MalformedCommand {
  if (packet === 'qAttached') return { kind: 'attached' };
  if (!packet.startsWith('qAttached:')) return malformed(packet, 'expected qAttached[:pid]');
  const pid = parseNumber(packet.slice('qAttached:'.length), 'pid');
  return pid.ok ? { kind: 'attached', pid: pid.value } : malformed(packet, pid.error);
}
