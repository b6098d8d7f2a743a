// qTP (GDB manual, "Tracepoint Packets"): hits and trace buffer bytes of one tracepoint; with it
// the argument-less qTStatus, the run's own (rsp/packets/simple.ts).
import { traceStatusReply, tracepointUsageReply } from '../../rsp/replies/trace.js';
import { errorReply, reply } from '../context.js';
import { traceOf } from '../tracepoints/state.js';
import type { Handler } from './handler.js';

export const tracePointStatus: Handler<'trace-point-status'> = (s, cmd) => {
  const tp = traceOf(s).find(cmd.number, cmd.addr);
  return tp ? reply(tracepointUsageReply(tp.hits, tp.bytes)) : errorReply(1);
};

export const traceStatus: Handler<'trace-status'> = (s) => {
  const st = traceOf(s);
  return reply(
    traceStatusReply({
      running: st.running,
      stopReason: st.stopReason,
      stopTracepoint: st.stopTracepoint,
      ...(st.stopText !== undefined ? { stopText: st.stopText } : {}),
      frames: st.buffer.frames.length,
      created: st.buffer.created,
      free: st.buffer.free,
      size: st.buffer.size,
      circular: st.buffer.circular,
      disconnected: false,
      startTime: st.startTime,
      stopTime: st.stopTime,
      user: st.user,
      notes: st.notes,
    }),
  );
};
