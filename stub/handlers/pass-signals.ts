// QPassSignals and QProgramSignals (GDB manual, "General Query Packets"): which signals go to
// the program without a stop, and which reach it at all.
import { EMPTY, errnoOf, errorReply, OK } from '../context.js';
import { type Handler, withProcess } from './handler.js';

export const passSignals: Handler<'pass-signals'> = withProcess((_s, cmd, ctx) => {
  if (!ctx.target.signals) return EMPTY;
  const host = ctx.dialect.signalSet(cmd.signals);
  try {
    const sent = ctx.target.signals.setPassSignals(host);
    return sent ? sent.then(okReply, failReply) : OK;
  } catch (err) {
    return failReply(err);
  }
});

const okReply = () => OK;
const failReply = (err: unknown) => errorReply(errnoOf(err));

export const programSignals: Handler<'program-signals'> = withProcess((_s, cmd, ctx) => {
  if (!ctx.target.signals) return EMPTY;
  const host = ctx.dialect.signalSet(cmd.signals);
  ctx.programSignals = new Set(host);
  ctx.target.signals.setProgramSignals?.(host);
  return OK;
});
