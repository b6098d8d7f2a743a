// QTNotes (GDB manual, "Tracepoint Packets"): user, notes and stop note shown by qTStatus.
import { OK } from '../context.js';
import { traceOf } from '../tracepoints/state.js';
import type { Handler } from './handler.js';

export const traceNotes: Handler<'trace-notes'> = (s, cmd) => {
  const st = traceOf(s);
  if (cmd.user !== undefined) st.user = cmd.user;
  if (cmd.notes !== undefined) st.notes = cmd.notes;
  if (cmd.stopNote !== undefined) st.stopNote = cmd.stopNote;
  return OK;
};
