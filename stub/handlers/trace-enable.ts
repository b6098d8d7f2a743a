// QTEnable / QTDisable (GDB manual, "Tracepoint Packets"): a disabled tracepoint keeps its
// int3 during a run and collects nothing. With them the argument-less QTStart and QTStop that
// start and end the run (rsp/packets/simple.ts).
import { errorReply, OK } from '../context.js';
import { startTracing, stopTracing } from '../tracepoints/run.js';
import { traceOf } from '../tracepoints/state.js';
import type { Handler } from './handler.js';

export const traceEnable: Handler<'trace-enable'> = (s, cmd) => {
  const tp = traceOf(s).find(cmd.number, cmd.addr);
  if (!tp) return errorReply(1);
  tp.enabled = cmd.enable;
  return OK;
};

export const traceStart: Handler<'trace-start'> = async (s) => {
  if (!s.ctx) return errorReply(1);
  try {
    await startTracing(traceOf(s), s.ctx);
  } catch (err) {
    s.log(`QTStart: ${(err as Error).message}`);
    return errorReply(1);
  }
  return OK;
};

export const traceStop: Handler<'trace-stop'> = async (s) => {
  await stopTracing(traceOf(s), 'tstop', 0);
  return OK;
};
