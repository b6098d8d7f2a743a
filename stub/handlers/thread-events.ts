// QThreadEvents: `create` and `w` stop replies (GDB manual, "General Query Packets").
import { EMPTY, errnoOf, errorReply, OK } from '../context.js';
import type { Handler } from './handler.js';

export const threadEventsHandler: Handler<'thread-events'> = async (s, cmd) => {
  const able = s.ctx
    ? [...s.procs.values()].every((p) => p.target.threadEvents)
    : s.opts.provider?.capabilities.threadEvents === true;
  if (!able) return EMPTY;
  try {
    for (const p of s.procs.values()) await p.target.threadEvents?.setThreadEvents(cmd.enable);
  } catch (err) {
    return errorReply(errnoOf(err));
  }
  s.threadEvents = cmd.enable;
  return OK;
};
