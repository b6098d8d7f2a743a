// Z and z (GDB manual, "Packets"): breakpoints and watchpoints in, and out; a fork child's
// inherited int3s come out of the child.
import { BREAKPOINT_TYPES, type BreakpointType } from '../../rsp/packets/breakpoint-spec.js';
import { errnoOf, errorReply } from '../context.js';
import { setBreakpoint } from './breakpoints.js';
import { type Handler, withProcess } from './handler.js';

function typeNumber(type: BreakpointType): number {
  return BREAKPOINT_TYPES.indexOf(type);
}

export const insertBreakpoint: Handler<'insert-breakpoint'> = withProcess((_s, cmd, ctx) =>
  setBreakpoint(ctx, true, typeNumber(cmd.type), cmd.addr, cmd.size, {
    conditions: cmd.conditions,
    commands: cmd.commands?.bytecodes ?? [],
  }),
);

export const removeBreakpoint: Handler<'remove-breakpoint'> = withProcess(async (s, cmd, ctx) => {
  if (ctx.forkChild !== undefined && cmd.type === 'software' && ctx.target.forks) {
    try {
      await ctx.target.forks.clearChildBreakpoint(ctx.forkChild, cmd.addr);
      return { reply: 'OK' };
    } catch (err) {
      return errorReply(errnoOf(err));
    }
  }
  const r = await setBreakpoint(ctx, false, typeNumber(cmd.type), cmd.addr, cmd.size);
  // Non-stop: threads run meanwhile, so a removed int3 must go now, not at the next resume.
  if (s.nonStop) await ctx.swBreakpoints?.flush();
  return r;
});
