// c, C, s, S, vCont (GDB manual, "Packets"): turn the request into per-thread ResumeActions,
// sync the breakpoint set, and let the target run. The stop reply is sent by the session when
// the target reports the stop.
import type { ThreadId } from '../../rsp/common/thread-id.js';
import {
  type VContActionLetter,
  vContActions as formatVContActions,
} from '../../rsp/replies/vcont.js';
import { errnoOf, errorReply, type HandlerResult, type SessionContext } from '../context.js';
import type { Ptid, ResumeAction } from '../target.js';
import { resolveThreads } from '../threads.js';
import { noteResume } from '../tracepoints/hit.js';

export interface WireAction {
  action: 'continue' | 'step' | 'range' | 'stop';
  /** GDB signal number, undefined for none. */
  signal?: number;
  thread?: ThreadId;
  range?: { start: bigint; end: bigint };
}

/**
 * Expands wire actions to target actions. Returns a reason string when the request is invalid.
 */
export function planResume(ctx: SessionContext, actions: WireAction[]): ResumeAction[] | string {
  const out: ResumeAction[] = [];
  for (const a of actions) {
    if (a.action === 'stop') return 'vCont;t is not supported in all-stop mode';
    if (a.action === 'range' && !ctx.target.rangeStep) return 'range stepping is not supported';
    // LLDB numbers signals as the host does (stub/dialect.ts).
    const signal = ctx.dialect.resumeSignal(a.signal);
    if (signal === undefined) return `unknown signal ${a.signal}`;
    const mode = a.action;
    let threads: (Ptid | undefined)[];
    if (a.thread === undefined || a.thread.tid === 'all') {
      if (typeof a.thread?.pid === 'number' && a.thread.pid !== ctx.pid) continue;
      threads = [undefined];
    } else {
      threads = resolveThreads(ctx, a.thread);
      if (threads.length === 0) continue; // a thread that exited meanwhile: skip, as gdbserver
    }
    for (const thread of threads) {
      out.push({
        ...(thread ? { thread } : {}),
        mode,
        signal,
        ...(a.range ? { range: a.range } : {}),
      });
    }
  }
  if (out.length === 0) return 'no thread to resume';
  return out;
}

/** Resumes; the session enters `running` when this returns { deferred }. */
export async function resume(
  ctx: SessionContext,
  actions: WireAction[],
  addr?: bigint,
): Promise<HandlerResult> {
  const plan = planResume(ctx, actions);
  if (typeof plan === 'string') return errorReply(22);
  try {
    if (addr !== undefined) {
      // `c addr` / `s addr`: resume at addr (rarely used by GDB; supported for completeness).
      const t = ctx.currentThread();
      const gpr = await ctx.gpr(t);
      gpr.writeBigUInt64LE(addr, 16 * 8);
      await ctx.storeRegisters(t, { gpr, fp: Buffer.alloc(0) }, new Set(['gpr']));
    }
    // A breakpoint GDB removed to step over it may stay when only single steps run from there
    // (the engine steps over it). Not under a step that delivers a signal: the engine does not
    // step over then, and the thread would trap on it. Nor from a pc other than the one the
    // thread last stopped at (after an inferior call gdb puts the pc back on the breakpoint):
    // the engine steps over a breakpoint only where the thread stopped, as gdbserver does.
    const keep = new Set<bigint>();
    if (ctx.swBreakpoints && plan.every((a) => a.mode === 'step' && a.thread && !a.signal)) {
      const last = ctx.lastStop;
      for (const a of plan) {
        const pc = (await ctx.gpr(a.thread!)).readBigUInt64LE(16 * 8);
        const stopped =
          last?.kind === 'stopped' && last.thread.tid === a.thread!.tid && last.gpr
            ? last.gpr.readBigUInt64LE(16 * 8)
            : undefined;
        // Unknown (a stop without registers): kept, as before.
        if (stopped === undefined || pc === stopped) keep.add(pc);
      }
    }
    await ctx.swBreakpoints?.flush(keep);
    ctx.invalidate();
    ctx.xferCache.clear();
    noteResume(ctx, plan);
    await ctx.target.base.resume(plan);
    return { deferred: true };
  } catch (err) {
    return errorReply(errnoOf(err));
  }
}

/** `vCont?`: what we accept; `t` (stop a thread) where the target can run non-stop. */
export function vContActions(ctx: SessionContext): string {
  return vContReply({ nonStop: !!ctx.target.nonStop, rangeStep: !!ctx.target.rangeStep });
}

/** `vCont?` for what the targets offer, with or without a process. */
export function vContReply(can: { nonStop?: boolean; rangeStep?: boolean }): string {
  const letters: VContActionLetter[] = ['c', 'C', 's', 'S'];
  if (can.nonStop) letters.push('t');
  if (can.rangeStep) letters.push('r');
  return formatVContActions(letters);
}

/** Hc (deprecated, but `c`/`s` still honour it): the thread plain s applies to. */
export function legacyActions(
  ctx: SessionContext,
  kind: 'continue' | 'step',
  signal: number | undefined,
  contThread: ThreadId | undefined,
): WireAction[] {
  if (kind === 'continue')
    return [{ action: 'continue', ...(signal !== undefined ? { signal } : {}) }];
  // `s` steps the Hc thread (or the current one) and leaves the others stopped, as gdbserver.
  let t: ThreadId | undefined = contThread;
  if (!t || t.tid === 'all' || t.tid === 'any') {
    const cur = ctx.currentThread();
    t = { pid: cur.pid, tid: cur.tid };
  }
  return [{ action: 'step', thread: t, ...(signal !== undefined ? { signal } : {}) }];
}

/** A non-stop vCont split per thread: who resumes how, and who is asked to stop. */
export interface NonStopPlan {
  resume: ResumeAction[];
  stop: Ptid[];
}

/**
 * Non-stop vCont (GDB manual, "Remote Non-Stop"): each thread of this process takes the
 * leftmost action that names it; `t` asks it to stop. Threads no action names are left as they
 * are, running or stopped. Returns a reason string when an action cannot be served.
 */
export function planNonStop(ctx: SessionContext, actions: WireAction[]): NonStopPlan | string {
  const plan: NonStopPlan = { resume: [], stop: [] };
  const threads = ctx.target.base.threads();
  const claimed = new Set<number>();
  for (const a of actions) {
    if (a.action === 'range' && !ctx.target.rangeStep) return 'range stepping is not supported';
    const signal = ctx.dialect.resumeSignal(a.signal);
    if (signal === undefined) return `unknown signal ${a.signal}`;
    let named: Ptid[];
    if (a.thread === undefined || a.thread.tid === 'all') {
      if (typeof a.thread?.pid === 'number' && a.thread.pid !== ctx.pid) continue;
      named = threads;
    } else {
      named = resolveThreads(ctx, a.thread);
    }
    for (const t of named) {
      if (claimed.has(t.tid)) continue;
      claimed.add(t.tid);
      if (a.action === 'stop') plan.stop.push(t);
      else
        plan.resume.push({
          thread: t,
          mode: a.action,
          signal,
          ...(a.range ? { range: a.range } : {}),
        });
    }
  }
  return plan;
}
