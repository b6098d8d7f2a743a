// `QNonStop:0|1` (GDB manual, "General Query Packets"): 1 selects non-stop mode.
import { malformed, type MalformedCommand, parseFlagPacket } from './fields.js';

export interface NonStopCommand {
  kind: 'non-stop';
  enable: boolean;
}

export function parseNonStop(packet: string): NonStopCommand | MalformedCommand {
  const r = parseFlagPacket(packet, 'QNonStop:');
  return r.ok ? { kind: 'non-stop', enable: r.value } : malformed(packet, r.error);
}
