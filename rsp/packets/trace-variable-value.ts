// `qTV:n` (GDB manual, "Tracepoint Packets"): a trace state variable's value, in the selected
// trace frame or live.
import { malformed, type MalformedCommand } from './fields.js';
import { Scanner } from './trace-fields.js';

export interface TraceVariableValueCommand {
  kind: 'trace-variable-value';
  number: number;
}

export function parseTraceVariableValue(
  packet: string,
): TraceVariableValueCommand | MalformedCommand {
  const s = new Scanner(packet, 'qTV:'.length);
  const num = s.num('variable number');
  if (!num.ok || !s.done) return malformed(packet, 'expected a variable number');
  return { kind: 'trace-variable-value', number: num.value };
}
