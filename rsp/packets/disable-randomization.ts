// `QDisableRandomization:0|1` (GDB manual, "General Query Packets"): disable ASLR for processes
// started later. LLDB's `QSetDisableASLR:0|1` (lldbgdbremote.md) means the same.
import { malformed, type MalformedCommand, parseFlag } from './fields.js';

export interface DisableRandomizationCommand {
  kind: 'disable-randomization';
  disable: boolean;
}

export function parseDisableRandomization(
  packet: string,
): DisableRandomizationCommand | MalformedCommand {
  const r = parseFlag(packet.slice(packet.indexOf(':') + 1));
  return r.ok ? { kind: 'disable-randomization', disable: r.value } : malformed(packet, r.error);
}
