// QCatchSyscalls (GDB manual, "General Query Packets"): stop at entry and return of syscalls.
import { EMPTY, errnoOf, errorReply, OK } from '../context.js';
import { type Handler, withProcess } from './handler.js';

export const catchSyscalls: Handler<'catch-syscalls'> = withProcess(async (_s, cmd, ctx) => {
  if (!ctx.target.syscalls) return EMPTY;
  try {
    await ctx.target.syscalls.catchSyscalls(cmd.enable, cmd.enable ? (cmd.syscalls ?? []) : []);
    return OK;
  } catch (err) {
    return errorReply(errnoOf(err));
  }
});
