// qTP (GDB manual, "Tracepoint Packets"): hits and trace buffer bytes of one tracepoint.
import { tracepointUsageReply } from '../../rsp/replies/trace.js';
import { errorReply, reply } from '../context.js';
import { traceOf } from '../tracepoints/state.js';
import type { Handler } from './handler.js';

export const tracePointStatus: Handler<'trace-point-status'> = (s, cmd) => {
  const tp = traceOf(s).find(cmd.number, cmd.addr);
  return tp ? reply(tracepointUsageReply(tp.hits, tp.bytes)) : errorReply(1);
};
