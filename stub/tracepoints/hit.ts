// The stop path's one tracepoint hook (session.ts onStop): a thread that stopped at a
// tracepoint's address during a run is collected first (gdbserver: linux-low.cc wait_1 calls
// handle_tracepoints for every stop). A breakpoint trap there that only the run wanted is not
// reported: the process resumes as GDB last resumed it (signals already delivered are not sent
// again) and GDB sees nothing. A breakpoint of GDB's at the same address, a finished step or
// range step, or an interrupt meanwhile is reported as usual after the collection.
import type { SessionContext } from '../context.js';
import type { SessionCore } from '../session-core.js';
import type { ResumeAction, TargetStop } from '../target.js';
import { collectAt } from './collector.js';
import { traceIfAny } from './state.js';

const lastPlans = new WeakMap<SessionContext, ResumeAction[]>();

/** All-stop resumes go through here (handlers/resume.ts): a silent hit resumes the same way. */
export function noteResume(ctx: SessionContext, plan: ResumeAction[]): void {
  lastPlans.set(ctx, plan);
}

const RIP = 16 * 8;
const SIGINT = 2;

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
  if (!st || st.installed.size === 0 || st.ctx !== ctx || stop.kind !== 'stopped') return false;
  const cause = stop.cause.type;
  if (cause !== 'sw-break' && cause !== 'step') return false;
  void (async () => {
    let silent = false;
    try {
      const gpr = stop.gpr ?? (await ctx.gpr(stop.thread));
      const pc = gpr.readBigUInt64LE(RIP);
      if (!st.installed.has(pc)) {
        report(stop);
        return;
      }
      await collectAt(st, ctx, stop.thread, pc);
      silent = cause === 'sw-break' && !ctx.swBreakpoints?.has(pc);
    } catch (err) {
      s.log(`tracepoint collection failed: ${(err as Error).message}`);
    }
    if (!silent || s.state.kind === 'closed') {
      report(stop);
      return;
    }
    if (s.state.kind === 'interrupting') {
      // GDB asked to stop meanwhile: this is the stop it gets, as an interrupt.
      report({ ...stop, signal: SIGINT, cause: { type: 'interrupt' } });
      return;
    }
    try {
      await resumeQuietly(s, ctx, stop);
    } catch (err) {
      s.log(`resume after a tracepoint hit failed: ${(err as Error).message}`);
      report(stop);
    }
  })();
  return true;
}

async function resumeQuietly(
  s: SessionCore,
  ctx: SessionContext,
  stop: TargetStop & { kind: 'stopped' },
): Promise<void> {
  const plan: ResumeAction[] = s.nonStop
    ? [{ thread: stop.thread, mode: 'continue', signal: 0 }]
    : (lastPlans.get(ctx) ?? [{ mode: 'continue', signal: 0 }]).map((a) => ({ ...a, signal: 0 }));
  ctx.invalidate();
  ctx.xferCache.clear();
  // A run that ended at this hit (full buffer, pass count) takes its int3s out now.
  await ctx.swBreakpoints?.flush();
  await ctx.target.base.resume(plan);
}
