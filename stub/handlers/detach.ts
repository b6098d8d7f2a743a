// D and D;pid (GDB manual, "Packets"): a fork child is let go on its own; otherwise the
// process leaves the session, and with the last one the session ends.
import { errnoOf, errorReply, OK } from '../context.js';
import { type Handler, withProcess } from './handler.js';

export const detachHandler: Handler<'detach'> = withProcess(async (s, cmd, ctx) => {
  if (cmd.pid !== undefined && ctx.target.forks?.children().includes(cmd.pid)) {
    try {
      await ctx.target.forks.detachChild(cmd.pid);
      if (ctx.forkChild === cmd.pid) ctx.forkChild = undefined;
      return OK;
    } catch (err) {
      return errorReply(errnoOf(err));
    }
  }
  const owner = cmd.pid === undefined ? ctx : s.procs.get(cmd.pid);
  if (!owner) return errorReply(1);
  try {
    // A process killed from outside fails the clears; the target's detach clears what
    // it set anyway, and reports whether the process is still there to let go of.
    await owner.swBreakpoints?.clearAll().catch(() => {});
    await owner.target.base.detach();
  } catch (err) {
    return errorReply(errnoOf(err));
  }
  return s.processGone(owner, 'detached');
});
