// qTBuffer (GDB manual, "Tracepoint Packets"): the trace buffer's bytes for tsave; `l` at its end.
import { hexBytes } from '../../rsp/replies/hex.js';
import { traceListEnd } from '../../rsp/replies/trace.js';
import { PACKET_SIZE } from '../capabilities.js';
import { errorReply, reply } from '../context.js';
import { traceOf } from '../tracepoints/state.js';
import type { Handler } from './handler.js';

export const traceBuffer: Handler<'trace-buffer'> = (s, cmd) => {
  const buf = traceOf(s).buffer;
  if (cmd.offset === buf.used) return reply(traceListEnd());
  if (cmd.offset > buf.used) return errorReply(1);
  const n = Math.min(cmd.length, Math.floor((PACKET_SIZE - 16) / 2));
  return reply(hexBytes(buf.read(cmd.offset, n)));
};
