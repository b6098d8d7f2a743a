// QTDV and qTV (GDB manual, "Tracepoint Packets"): trace state variables; with them the
// argument-less qTfV/qTsV that upload them (rsp/packets/simple.ts).
import {
  traceListEnd,
  traceVariablePiece,
  traceVariableValueReply,
} from '../../rsp/replies/trace.js';
import { OK, reply } from '../context.js';
import { traceOf } from '../tracepoints/state.js';
import type { Handler } from './handler.js';

export const traceVariable: Handler<'trace-variable'> = (s, cmd) => {
  traceOf(s).variables.set(cmd.number, { initial: cmd.value, value: cmd.value, name: cmd.name });
  return OK;
};

/**
 * In a trace frame, the value it recorded (unknown if none); live, the current value, unknown
 * before the first run (tracepoint.cc cmd_qtv).
 */
export const traceVariableValue: Handler<'trace-variable-value'> = (s, cmd) => {
  const st = traceOf(s);
  if (st.frame) return reply(traceVariableValueReply(st.frame.variable(cmd.number)));
  if (!st.running && st.stopReason === 'tnotrun') return reply(traceVariableValueReply(undefined));
  return reply(traceVariableValueReply(st.variables.get(cmd.number)?.value ?? 0n));
};

export const traceVariablesFirst: Handler<'trace-variables-first'> = (s) => {
  const st = traceOf(s);
  st.variablePieces = [...st.variables].map(([n, v]) => traceVariablePiece(n, v.initial, v.name));
  return traceVariablesNext(s, { kind: 'trace-variables-next' });
};

export const traceVariablesNext: Handler<'trace-variables-next'> = (s) =>
  reply(traceOf(s).variablePieces.shift() ?? traceListEnd());
