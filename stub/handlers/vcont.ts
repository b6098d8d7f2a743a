// Resuming (GDB manual, "Packets"): vCont (rsp/packets/vcont.ts), the legacy c/C/s/S
// (continue.ts, step.ts) and vCont?. A request becomes per-thread ResumeActions, planned once;
// the breakpoint set is synced and the target runs. All-stop resumes each process named and the
// session sends the stop reply when the target reports the stop; non-stop answers OK and
// reports each stop as a notification.
import type { ThreadId } from '../../rsp/common/thread-id.js';
import type { VContAction } from '../../rsp/packets/vcont.js';
import { vContReply } from '../../rsp/replies/vcont.js';
import {
  errnoOf,
  errorReply,
  type HandlerResult,
  OK,
  reply,
  type SessionContext,
} from '../context.js';
import { queuedThreads } from '../non-stop.js';
import type { SessionCore } from '../session-core.js';
import type { Ptid, ResumeAction } from '../target.js';
import { resolveThreads } from '../threads.js';
import { noteResume } from '../tracepoints/hit.js';
import { type CommandOf, type Handler, noProcess, withProcess } from './handler.js';
import { lldbWithoutProcess } from '../lldb/client.js';

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
      const action: ResumeAction = thread ? { thread, mode, signal } : { mode, signal };
      if (a.range) action.range = a.range;
      out.push(action);
    }
  }
  if (out.length === 0) return 'no thread to resume';
  return out;
}

/**
 * Resumes a planned request; the session enters `running` when this returns { deferred }.
 * `wanted` is asked right before the target resumes: false (another process's stop came while
 * this one's breakpoints were synced) leaves it stopped and returns undefined.
 */
async function resume(
  ctx: SessionContext,
  plan: ResumeAction[],
  addr?: bigint,
  wanted?: () => boolean,
): Promise<HandlerResult | undefined> {
  try {
    if (addr !== undefined) {
      // `c addr` / `s addr`: resume at addr (rarely used by GDB; supported for completeness).
      const t = ctx.currentThread();
      const gpr = await ctx.gpr(t);
      gpr.writeBigUInt64LE(addr, 16 * 8);
      await ctx.storeRegisters(t, { gpr, fp: Buffer.alloc(0) }, new Set(['gpr']));
    }
    // A breakpoint GDB removed to step over it may stay when only single steps run from there
    // (the engine steps over it). Only where the engine does step over, as gdbserver: the
    // thread's last stop was that breakpoint's hit, and its pc is still that stop's (after an
    // inferior call gdb puts the pc back on the breakpoint). A thread stopped there otherwise
    // (a step's end) hits a breakpoint at once. Not under a step that delivers a signal
    // either: the engine does not step over then, and the thread would trap on it.
    const keep = new Set<bigint>();
    const last = ctx.lastStop;
    if (
      ctx.swBreakpoints &&
      last?.kind === 'stopped' &&
      last.cause.type === 'sw-break' &&
      plan.every((a) => a.mode === 'step' && a.thread && !a.signal)
    ) {
      for (const a of plan) {
        const hit =
          last?.kind === 'stopped' && last.thread.tid === a.thread!.tid ? last : undefined;
        if (hit?.cause.type !== 'sw-break') continue;
        const pc = (await ctx.gpr(a.thread!)).readBigUInt64LE(16 * 8);
        // Unknown (a stop without registers): kept, as before.
        if (!hit.gpr || pc === hit.gpr.readBigUInt64LE(16 * 8)) keep.add(pc);
      }
    }
    const flushed = ctx.swBreakpoints?.flush(keep);
    if (flushed) await flushed;
    ctx.invalidate();
    ctx.xferCache.clear();
    // Checked with nothing awaited before the target's resume: a stop reported from here on
    // finds this process running and asks it to stop.
    if (wanted && !wanted()) return undefined;
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

/** c/C and s/S: the Hc thread (or all) resumes; `addr` sets the pc first. */
function legacy(
  kind: 'continue' | 'step',
): (s: SessionCore, cmd: CommandOf<'continue' | 'step'>) => Promise<HandlerResult> {
  return async (s, cmd) => {
    const ctx = s.ctx;
    if (!ctx) return noProcess();
    if (s.nonStop) return resumeNonStop(s, legacyActions(ctx, kind, cmd.signal, s.contThread));
    const dead = await s.reportDeath();
    if (dead) return dead;
    const plan = planResume(ctx, legacyActions(ctx, kind, cmd.signal, s.contThread));
    if (typeof plan === 'string') return errorReply(22);
    s.running.add(ctx);
    return (await resume(ctx, plan, cmd.addr)) ?? errorReply(22);
  };
}

export const continueHandler: Handler<'continue'> = legacy('continue');
export const stepHandler: Handler<'step'> = legacy('step');

export const vcontHandler: Handler<'vcont'> = withProcess(async (s, cmd) => {
  const actions = cmd.actions.map(wireAction);
  if (s.nonStop) return resumeNonStop(s, actions);
  if (s.unreportedDeaths.size > 0) {
    const dead = await s.reportDeath();
    if (dead) return dead;
  }
  return resumeProcesses(s, actions);
});

export const vcontQuery: Handler<'vcont-query'> = withProcess(
  (_s, _cmd, ctx) => reply(vContActions(ctx)),
  // LLDB asks right after connecting, with or without a process (stub/lldb/client.ts).
  (s, cmd) =>
    lldbWithoutProcess(cmd.kind, s.client, s.opts.provider?.capabilities) ?? errorReply(1),
);

/**
 * vCont over every process it names: each process runs its share; the first stop is
 * reported and the others are stopped (all-stop).
 */
async function resumeProcesses(s: SessionCore, actions: WireAction[]): Promise<HandlerResult> {
  // Each process's share is planned once, here; a process the request does not name is left.
  const targets: [SessionContext, ResumeAction[]][] = [];
  for (const p of s.procs.values()) {
    const plan = planResume(p, actions);
    if (typeof plan !== 'string') targets.push([p, plan]);
  }
  if (targets.length === 0) return errorReply(22);
  // A process with a kept event (stopped for another's stop, interrupt(true)) reports it now,
  // alone: gdbserver resumes nothing while a thread it would resume has a pending status
  // (linux-low.cc, resume: any_pending). Run beside it, the others would make new events.
  const kept = targets.find(([p, plan]) => p.target.base.hasPendingStop?.(plan));
  if (kept) targets.splice(0, targets.length, kept);
  for (const [p] of targets) s.running.add(p);
  let failure: HandlerResult | undefined;
  let started = 0;
  // A stop already reported (a pending event, or a quick stop while a later process's
  // breakpoints were synced) ends the resume: the stop took every process off `running`, and
  // those not resumed yet stay stopped. Resumed after it, one would run on with nobody to stop
  // it, and the stop reply wait for it.
  const wanted = (p: SessionContext) => () => s.running.has(p);
  for (const [p, plan] of targets) {
    const r = await resume(p, plan, undefined, wanted(p));
    if (r === undefined) continue;
    if ('deferred' in r) started++;
    else {
      s.running.delete(p);
      // Nothing of it runs (a target's resume fails only then): a stop asked of it meanwhile,
      // for another process's stop, will not come.
      if (p.swallowStop) {
        p.swallowStop = false;
        p.swallowSettled();
      }
      failure ??= r;
    }
  }
  return started > 0 ? { deferred: true } : (failure ?? errorReply(22));
}

/**
 * Non-stop vCont: the named stopped threads run, `t` ones are asked to stop, the reply is OK
 * and every stop comes later as a notification (GDB manual, "Remote Non-Stop").
 */
async function resumeNonStop(s: SessionCore, actions: WireAction[]): Promise<HandlerResult> {
  const plans: [SessionContext, NonStopPlan][] = [];
  for (const p of s.procs.values()) {
    const plan = planNonStop(p, actions);
    if (typeof plan === 'string') return errorReply(22);
    plans.push([p, plan]);
  }
  if (plans.every(([, plan]) => plan.resume.length === 0 && plan.stop.length === 0)) {
    return errorReply(22);
  }
  for (const [p, plan] of plans) {
    const ns = p.target.nonStop;
    if (!ns) return errorReply(22);
    // A thread whose stop is still queued for GDB stays stopped, as with gdbserver
    // (linux_set_resume_request, in_queued_stop_replies): resumed now, it would report a
    // second stop before GDB has taken in the first.
    const queued = queuedThreads(s, p.pid);
    const go = plan.resume.filter(
      (a) => a.thread && !ns.isRunning(a.thread) && !queued.has(a.thread.tid),
    );
    if (go.length > 0) {
      try {
        await p.swBreakpoints?.flush();
        p.invalidate();
        p.xferCache.clear();
        await p.target.base.resume(go);
      } catch (err) {
        return errorReply(errnoOf(err));
      }
    }
    if (plan.stop.length > 0) await ns.stopThreads(plan.stop, 0);
  }
  return OK;
}

function wireAction(a: VContAction): WireAction {
  const base = a.thread ? { thread: a.thread } : {};
  switch (a.type) {
    case 'continue':
      return {
        action: 'continue',
        ...base,
        ...(a.signal !== undefined ? { signal: a.signal } : {}),
      };
    case 'step':
      return { action: 'step', ...base, ...(a.signal !== undefined ? { signal: a.signal } : {}) };
    case 'stop':
      return { action: 'stop', ...base };
    case 'range-step':
      return { action: 'range', ...base, range: { start: a.start, end: a.end } };
  }
}
