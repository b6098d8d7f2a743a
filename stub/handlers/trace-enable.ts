// QTEnable / QTDisable (GDB manual, "Tracepoint Packets"): a disabled tracepoint keeps its
// int3 during a run and collects nothing.
import { errorReply, OK } from '../context.js';
import { traceOf } from '../tracepoints/state.js';
import type { Handler } from './handler.js';

export const traceEnable: Handler<'trace-enable'> = (s, cmd) => {
  const tp = traceOf(s).find(cmd.number, cmd.addr);
  if (!tp) return errorReply(1);
  tp.enabled = cmd.enable;
  return OK;
};
