// `QTDV:n:value:builtin:name` (GDB manual, "Tracepoint Packets"): defines a trace state variable
// with its initial value (a two's-complement 64-bit number) and hex-encoded name.
import { malformed, type MalformedCommand } from './fields.js';
import { hexBytesOf, Scanner } from './trace-fields.js';

export interface TraceVariableCommand {
  kind: 'trace-variable';
  number: number;
  /** Signed. */
  value: bigint;
  builtin: boolean;
  name: string;
}

export function parseTraceVariable(packet: string): TraceVariableCommand | MalformedCommand {
  const s = new Scanner(packet, 'QTDV:'.length);
  const num = s.num('variable number');
  if (!num.ok || !s.eat(':')) return malformed(packet, 'expected n:value:builtin:name');
  const value = s.hex('value');
  if (!value.ok || !s.eat(':')) return malformed(packet, 'expected value:builtin');
  const builtin = s.num('builtin flag');
  if (!builtin.ok) return malformed(packet, builtin.error);
  // gdb always sends the name field; an older gdb may leave it (and its colon) out.
  const name = s.eat(':') ? hexBytesOf(s.rest(), 'name') : undefined;
  if (name && !name.ok) return malformed(packet, name.error);
  return {
    kind: 'trace-variable',
    number: num.value,
    value: BigInt.asIntN(64, value.value),
    builtin: builtin.value !== 0,
    name: name?.ok ? name.value.toString('utf8') : '',
  };
}
