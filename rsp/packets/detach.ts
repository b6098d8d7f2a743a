// `D` and `D;pid` (GDB manual, "Packets"; the pid form is for multiprocess), and LLDB's `D1`
// "detach and stay stopped" (lldbgdbremote.md, "D").
import { malformed, type MalformedCommand, parseNumber } from './fields.js';

export interface DetachCommand {
  kind: 'detach';
  pid?: number;
  /** LLDB `D1`: leave the process stopped instead of resuming it. */
  keepStopped?: boolean;
}

export function parseDetach(packet: string): DetachCommand | MalformedCommand {
  if (packet === 'D') return { kind: 'detach' };
  if (packet === 'D1') return { kind: 'detach', keepStopped: true };
  if (!packet.startsWith('D;')) return malformed(packet, 'expected D, D1 or D;pid');
  const pid = parseNumber(packet.slice(2), 'pid');
  return pid.ok ? { kind: 'detach', pid: pid.value } : malformed(packet, pid.error);
}
