// `QEnvironmentHexEncoded:hex-value` (GDB manual, "General Query Packets"): hex of
// `VARIABLE=VALUE` for processes started later. The value may be empty; the name may not.
import { malformed, type MalformedCommand, parseHexText } from './fields.js';

export interface EnvironmentSetCommand {
  kind: 'environment-set';
  name: string;
  value: string;
}

export function parseEnvironmentSet(packet: string): EnvironmentSetCommand | MalformedCommand {
  const text = parseHexText(packet.slice('QEnvironmentHexEncoded:'.length), 'environment entry');
  if (!text.ok) return malformed(packet, text.error);
  const eq = text.value.indexOf('=');
  if (eq <= 0) return malformed(packet, 'expected VARIABLE=VALUE');
  return {
    kind: 'environment-set',
    name: text.value.slice(0, eq),
    value: text.value.slice(eq + 1),
  };
}
