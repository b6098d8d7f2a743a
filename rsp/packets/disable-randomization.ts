// `QDisableRandomization:0|1` (GDB manual, "General Query Packets": disable ASLR for processes started later).
import { malformed, type MalformedCommand, parseFlagPacket } from './fields.js';

export interface DisableRandomizationCommand {
  kind: 'disable-randomization';
  disable: boolean;
}

export function parseDisableRandomization(
  packet: string,
): DisableRandomizationCommand | MalformedCommand {
  const r = parseFlagPacket(packet, 'QDisableRandomization:');
  return r.ok ? { kind: 'disable-randomization', disable: r.value } : malformed(packet, r.error);
}
