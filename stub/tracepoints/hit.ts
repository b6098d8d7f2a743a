// The stop path's one tracepoint hook (session.ts onStop): a thread that stopped at a
// tracepoint's address during a run is collected first (gdbserver: linux-low.cc wait_1 calls
// handle_tracepoints for every stop). A breakpoint trap there that only the run wanted is not
// reported: the process resumes as GDB last resumed it (signals already delivered are not sent
// again) and GDB sees nothing. A breakpoint of GDB's at the same address, a finished step or
// range step, or an interrupt meanwhile is reported as usual after the collection.
// While-stepping actions single-step the hitting thread (the others stay stopped meanwhile),
// collecting a frame at each step, and then resume as above.
import type { SessionContext } from '../context.js';
import type { SessionCore } from '../session-core.js';
import type { ResumeAction, TargetStop } from '../target.js';
import { collectAt, collectStep } from './collector.js';
import { type TraceState, traceIfAny } from './state.js';

/** All-stop resumes go through here (handlers/vcont.ts): a silent hit resumes the same way. */
export function noteResume(ctx: SessionContext, plan: ResumeAction[]): void {
  ctx.lastResume = plan;
}

const RIP = 16 * 8;
const SIGINT = 2;

type Stopped = TargetStop & { kind: 'stopped' };

/**
 * True when the stop is taken here: `report` is called later if GDB must hear of it after all.
 * False (the common case: no run, or not a trap/step stop) leaves it to the caller at once.
 */
export function tracepointStop(
  s: SessionCore,
  ctx: SessionContext,
  stop: TargetStop,
  report: (stop: TargetStop) => void,
): boolean {
  const st = traceIfAny(s);
  if (!st || st.ctx !== ctx || stop.kind !== 'stopped') return false;
  if (st.installed.size === 0 && st.stepping.size === 0) return false;
  const cause = stop.cause.type;
  if (cause !== 'sw-break' && cause !== 'step') {
    // Anything else ends the thread's while-stepping (a signal, an exit): GDB hears of it.
    st.stepping.delete(stop.thread.tid);
    return false;
  }
  void handle(s, st, ctx, stop, report);
  return true;
}

/** Collects; then reports the stop, steps the thread again, or resumes quietly. */
async function handle(
  s: SessionCore,
  st: TraceState,
  ctx: SessionContext,
  stop: Stopped,
  report: (stop: TargetStop) => void,
): Promise<void> {
  const tid = stop.thread.tid;
  const ours = stop.cause.type === 'step' ? st.stepping.get(tid) : undefined;
  let next: 'report' | 'step' | 'resume' = 'report';
  try {
    const gpr = stop.gpr ?? (await ctx.gpr(stop.thread));
    const pc = gpr.readBigUInt64LE(RIP);
    if (ours) {
      // A step of ours for while-stepping actions: a frame for each, then on or done.
      for (const w of ours) await collectStep(st, ctx, stop.thread, pc, w.tp, --w.left === 0);
      const left = ours.filter((w) => w.left > 0);
      if (left.length > 0 && st.running) st.stepping.set(tid, left);
      else st.stepping.delete(tid);
      if (st.installed.has(pc)) await startStepping(st, ctx, stop, pc);
      next = st.stepping.has(tid) ? 'step' : 'resume';
    } else if (st.installed.has(pc)) {
      const silent = stop.cause.type === 'sw-break' && !ctx.swBreakpoints?.has(pc);
      if (silent) {
        await startStepping(st, ctx, stop, pc);
        next = st.stepping.has(tid) ? 'step' : 'resume';
      } else {
        await collectAt(st, ctx, stop.thread, pc);
      }
    }
  } catch (err) {
    s.log(`tracepoint collection failed: ${(err as Error).message}`);
    st.stepping.delete(tid);
    next = 'report';
  }
  if (next === 'report' || s.state.kind === 'closed') {
    report(stop);
    return;
  }
  if (s.state.kind === 'interrupting') {
    // GDB asked to stop meanwhile: this is the stop it gets, as an interrupt.
    st.stepping.delete(tid);
    report({ ...stop, signal: SIGINT, cause: { type: 'interrupt' } });
    return;
  }
  try {
    await resumeQuietly(s, ctx, stop, next === 'step');
  } catch (err) {
    s.log(`resume after a tracepoint hit failed: ${(err as Error).message}`);
    st.stepping.delete(tid);
    report(stop);
  }
}

/** Collects the hit; tracepoints with while-stepping actions make the thread step. */
async function startStepping(
  st: TraceState,
  ctx: SessionContext,
  stop: Stopped,
  pc: bigint,
): Promise<void> {
  const stepping = await collectAt(st, ctx, stop.thread, pc);
  if (stepping.length === 0) return;
  const list = st.stepping.get(stop.thread.tid) ?? [];
  for (const tp of stepping) list.push({ tp, left: tp.stepCount });
  st.stepping.set(stop.thread.tid, list);
}

async function resumeQuietly(
  s: SessionCore,
  ctx: SessionContext,
  stop: Stopped,
  step: boolean,
): Promise<void> {
  let plan: ResumeAction[];
  if (step) plan = [{ thread: stop.thread, mode: 'step', signal: 0 }];
  else if (s.nonStop) plan = [{ thread: stop.thread, mode: 'continue', signal: 0 }];
  else
    plan = (ctx.lastResume ?? [{ mode: 'continue', signal: 0 }]).map((a) => ({
      ...a,
      signal: 0,
    }));
  ctx.invalidate();
  ctx.xferCache.clear();
  // A run that ended at this hit (full buffer, pass count) takes its int3s out now.
  await ctx.swBreakpoints?.flush();
  await ctx.target.base.resume(plan);
}
