// QTBuffer:size and QTBuffer:circular (GDB manual, "Tracepoint Packets"). The size cannot change
// during a run (tracepoint.cc cmd_bigqtbuffer_size).
import { errorReply, OK } from '../context.js';
import { DEFAULT_TRACE_BUFFER_SIZE } from '../tracepoints/frames.js';
import { traceOf } from '../tracepoints/state.js';
import type { Handler } from './handler.js';

export const traceBufferConfig: Handler<'trace-buffer-config'> = (s, cmd) => {
  const st = traceOf(s);
  if (cmd.circular !== undefined) st.buffer.circular = cmd.circular;
  if (cmd.size !== undefined) {
    if (st.running) return errorReply(1);
    st.buffer.clear();
    st.buffer.size = cmd.size === 'default' ? DEFAULT_TRACE_BUFFER_SIZE : cmd.size;
  }
  return OK;
};
