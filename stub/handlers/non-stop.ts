// QNonStop, vStopped and vCtrlC (GDB manual, "Remote Non-Stop"); the stops themselves are
// queued by stub/non-stop.ts.
import { ok } from '../../rsp/replies/basic.js';
import { EMPTY, errnoOf, errorReply, OK, reply } from '../context.js';
import { ctrlC } from '../non-stop.js';
import { type Handler, notServed } from './handler.js';

export const nonStopHandler: Handler<'non-stop'> = async (s, cmd) => {
  const able = s.ctx
    ? [...s.procs.values()].every((p) => p.target.nonStop)
    : s.opts.provider?.capabilities.nonStop === true;
  if (cmd.enable && !able) return errorReply(1);
  try {
    for (const p of s.procs.values()) await p.target.nonStop?.setNonStop(cmd.enable);
  } catch (err) {
    return errorReply(errnoOf(err));
  }
  s.nonStop = cmd.enable;
  if (!cmd.enable) s.stopQueue.length = 0;
  return OK;
};

/** vStopped: the head of the queue is acknowledged; the next stop, or OK once none is left. */
export const nextStopNotification: Handler<'next-stop-notification'> = (s) => {
  if (!s.nonStop) return EMPTY;
  s.stopQueue.shift();
  return reply(s.stopQueue[0]?.body ?? ok());
};

/** vCtrlC: non-stop only; all-stop interrupts with 0x03. */
export const interruptHandler: Handler<'interrupt'> = async (s) => {
  if (!s.nonStop) return notServed(s);
  await ctrlC(s);
  return OK;
};
