// QTro (GDB manual, "Tracepoint Packets"): ranges that may be read live in a trace frame.
import { OK } from '../context.js';
import { traceOf } from '../tracepoints/state.js';
import type { Handler } from './handler.js';

export const traceReadonly: Handler<'trace-readonly'> = (s, cmd) => {
  traceOf(s).readonly = cmd.ranges;
  return OK;
};
