// Z and z (GDB manual, "Packets"; parsers rsp/packets/insert-breakpoint.ts and
// remove-breakpoint.ts): type 0 software, 1 hardware, 2 write, 3 read, 4 access watchpoints.
// Software breakpoints go through the stub's lazy set (stub/breakpoints.ts); a fork child's
// inherited int3s come out of the child.
import { BREAKPOINT_TYPES, type BreakpointType } from '../../rsp/packets/breakpoint-spec.js';
import {
  EMPTY,
  errnoOf,
  errorReply,
  type HandlerResult,
  OK,
  type SessionContext,
} from '../context.js';
import { DEBUG_REGISTERS, type WatchPiece, watchPieces } from '../arch/x86-watch.js';
import type { BreakpointExprs, WatchKind } from '../target.js';
import { type Handler, withProcess } from './handler.js';

const WATCH_KINDS: Record<number, WatchKind> = { 2: 'write', 3: 'read', 4: 'access' };

/**
 * Software breakpoints are answered without a promise when the target has nothing to do: a
 * removal is only recorded, and GDB's re-insertion after a step over it finds it still in the
 * target (four of the nine packets of every breakpoint hit; stub/breakpoints.ts).
 */
function setBreakpoint(
  ctx: SessionContext,
  insert: boolean,
  type: number,
  addr: bigint,
  kind: number,
  exprs?: BreakpointExprs,
): HandlerResult | Promise<HandlerResult> {
  const t = ctx.target;
  // Conditions and commands reach only a target that evaluates them (it offered
  // ConditionalBreakpoints+/BreakpointCommands+); the stub never evaluates them itself.
  const x =
    t.breakpoints?.expressions && exprs && exprs.conditions.length + exprs.commands.length > 0
      ? exprs
      : undefined;
  if (type !== 0) return setOtherBreakpoint(ctx, insert, type, addr, kind, x);
  const set = ctx.swBreakpoints;
  if (!set) return EMPTY;
  if (!insert) {
    set.remove(addr);
    return OK;
  }
  const pending = set.insert(addr, x);
  return pending ? pending.then(okReply, failReply) : OK;
}

const okReply = (): HandlerResult => OK;
const failReply = (err: unknown): HandlerResult => errorReply(errnoOf(err));

/** Hardware breakpoints (type 1) and watchpoints (types 2-4). */
async function setOtherBreakpoint(
  ctx: SessionContext,
  insert: boolean,
  type: number,
  addr: bigint,
  kind: number,
  x: BreakpointExprs | undefined,
): Promise<HandlerResult> {
  const t = ctx.target;
  try {
    if (type === 1) {
      const bp = t.breakpoints;
      if (!bp?.setHwBreakpoint || !bp.clearHwBreakpoint) return EMPTY;
      await (insert ? bp.setHwBreakpoint(addr, x) : bp.clearHwBreakpoint(addr));
      return OK;
    }
    const watchKind = WATCH_KINDS[type];
    if (!watchKind || !t.watchpoints) return EMPTY;
    if (kind <= 0) return errorReply(22);
    // More pieces than debug registers can never be set, shared pieces or not.
    const pieces = kind > 8 * DEBUG_REGISTERS ? [] : watchPieces(addr, kind);
    if (pieces.length === 0 || pieces.length > DEBUG_REGISTERS) return errorReply(28);
    const ops = t.watchpoints;
    if (!insert) {
      const results = await Promise.allSettled(
        pieces.map((p) => ops.clearWatchpoint(watchKind, p.addr, p.len)),
      );
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
      return OK;
    }
    // All or nothing: a piece that cannot be set takes back the ones set before it.
    const done: WatchPiece[] = [];
    try {
      for (const p of pieces) {
        await ops.setWatchpoint(watchKind, p.addr, p.len, x);
        done.push(p);
      }
    } catch (err) {
      for (const p of done) await ops.clearWatchpoint(watchKind, p.addr, p.len).catch(() => {});
      throw err;
    }
    return OK;
  } catch (err) {
    return errorReply(errnoOf(err));
  }
}

function typeNumber(type: BreakpointType): number {
  return BREAKPOINT_TYPES.indexOf(type);
}

export const insertBreakpoint: Handler<'insert-breakpoint'> = withProcess((_s, cmd, ctx) =>
  setBreakpoint(ctx, true, typeNumber(cmd.type), cmd.addr, cmd.size, {
    conditions: cmd.conditions,
    commands: cmd.commands?.bytecodes ?? [],
  }),
);

export const removeBreakpoint: Handler<'remove-breakpoint'> = withProcess((s, cmd, ctx) => {
  const forks = ctx.target.forks;
  if (ctx.forkChild !== undefined && cmd.type === 'software' && forks) {
    return forks.clearChildBreakpoint(ctx.forkChild, cmd.addr).then(okReply, failReply);
  }
  const r = setBreakpoint(ctx, false, typeNumber(cmd.type), cmd.addr, cmd.size);
  // Non-stop: threads run meanwhile, so a removed int3 must go now, not at the next resume.
  return s.nonStop ? flushNow(ctx, r) : r;
});

async function flushNow(
  ctx: SessionContext,
  r: HandlerResult | Promise<HandlerResult>,
): Promise<HandlerResult> {
  const result = await r;
  await ctx.swBreakpoints?.flush();
  return result;
}
