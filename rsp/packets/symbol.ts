// `qSymbol::` (ready to serve symbol lookups) and `qSymbol:sym_value:sym_name` (the answer to a
// lookup; sym_value is empty when gdb does not know the symbol). GDB manual, "General Query
// Packets"; the name is hex-encoded, the value a hex address.
import { malformed, type MalformedCommand, parseAddress, parseHexText } from './fields.js';

export type SymbolCommand =
  | { kind: 'symbol-lookup-ready' }
  | { kind: 'symbol-value'; name: string; value?: bigint };

export function parseSymbol(packet: string): SymbolCommand | MalformedCommand {
  if (packet === 'qSymbol::') return { kind: 'symbol-lookup-ready' };
  const rest = packet.slice('qSymbol:'.length);
  const colon = rest.indexOf(':');
  if (colon < 0) return malformed(packet, 'expected qSymbol:value:name');
  const name = parseHexText(rest.slice(colon + 1), 'symbol name');
  if (!name.ok) return malformed(packet, name.error);
  if (name.value === '') return malformed(packet, 'empty symbol name');
  const valueText = rest.slice(0, colon);
  if (valueText === '') return { kind: 'symbol-value', name: name.value };
  const value = parseAddress(valueText, 'symbol value');
  return value.ok
    ? { kind: 'symbol-value', name: name.value, value: value.value }
    : malformed(packet, value.error);
}
