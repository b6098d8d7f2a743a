// QTDPsrc (GDB manual, "Tracepoint Packets"): source pieces of a tracepoint, kept in order for
// qTsP. A piece longer than a packet comes in parts (start > 0), joined to the last one.
import { errorReply, OK } from '../context.js';
import { traceOf } from '../tracepoints/state.js';
import type { Handler } from './handler.js';

export const traceSource: Handler<'trace-source'> = (s, cmd) => {
  const tp = traceOf(s).find(cmd.number, cmd.addr);
  if (!tp) return errorReply(1);
  const last = tp.sources[tp.sources.length - 1];
  if (cmd.start > 0 && last && last.type === cmd.type) last.text += cmd.text;
  else tp.sources.push({ type: cmd.type, text: cmd.text });
  return OK;
};
