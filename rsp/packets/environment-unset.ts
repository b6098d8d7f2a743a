// `QEnvironmentUnset:hex-value` (GDB manual, "General Query Packets"): hex of a variable name.
import { malformed, type MalformedCommand, parseHexText } from './fields.js';

export interface EnvironmentUnsetCommand {
  kind: 'environment-unset';
  name: string;
}

export function parseEnvironmentUnset(packet: string): EnvironmentUnsetCommand | MalformedCommand {
  const name = parseHexText(packet.slice('QEnvironmentUnset:'.length), 'variable name');
  if (!name.ok) return malformed(packet, name.error);
  if (name.value === '' || name.value.includes('=')) return malformed(packet, 'bad variable name');
  return { kind: 'environment-unset', name: name.value };
}
