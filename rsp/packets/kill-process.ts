// `vKill;pid` (GDB manual, "Packets"): kill one process (extended/multiprocess).
import { malformed, type MalformedCommand, parseNumber } from './fields.js';

export interface KillProcessCommand {
  kind: 'kill-process';
  pid: number;
}

export function parseKillProcess(packet: string): KillProcessCommand | MalformedCommand {
  if (!packet.startsWith('vKill;')) return malformed(packet, 'expected vKill;pid');
  const pid = parseNumber(packet.slice('vKill;'.length), 'pid');
  return pid.ok ? { kind: 'kill-process', pid: pid.value } : malformed(packet, pid.error);
}
