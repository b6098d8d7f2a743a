// `vAttach;pid` (GDB manual, "Packets").
import { malformed, type MalformedCommand, parseNumber } from './fields.js';

export interface AttachCommand {
  kind: 'attach';
  pid: number;
}

export function parseAttach(packet: string): AttachCommand | MalformedCommand {
  if (!packet.startsWith('vAttach;')) return malformed(packet, 'expected vAttach;pid');
  const pid = parseNumber(packet.slice('vAttach;'.length), 'pid');
  if (!pid.ok) return malformed(packet, pid.error);
  if (pid.value === 0) return malformed(packet, 'pid 0');
  return { kind: 'attach', pid: pid.value };
}
