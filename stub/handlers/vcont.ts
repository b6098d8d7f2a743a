// Resuming (GDB manual, "Packets"): vCont, the legacy c/C/s/S, and vCont?. All-stop resumes
// each process named and waits for the first stop; non-stop answers OK and reports each stop
// as a notification. Planning is in resume.ts.
import type { VContAction } from '../../rsp/packets/vcont.js';
import { errnoOf, errorReply, type HandlerResult, OK, reply } from '../context.js';
import type { SessionContext } from '../context.js';
import { queuedThreads } from '../non-stop.js';
import type { SessionCore } from '../session-core.js';
import { type CommandOf, type Handler, noProcess, withProcess } from './handler.js';
import { lldbWithoutProcess } from './lldb.js';
import {
  legacyActions,
  type NonStopPlan,
  planNonStop,
  planResume,
  resume,
  vContActions,
  type WireAction,
} from './resume.js';

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
    s.running.add(ctx);
    return resume(ctx, legacyActions(ctx, kind, cmd.signal, s.contThread), cmd.addr);
  };
}

export const continueHandler: Handler<'continue'> = legacy('continue');
export const stepHandler: Handler<'step'> = legacy('step');

export const vcontHandler: Handler<'vcont'> = withProcess(async (s, cmd) => {
  const actions = cmd.actions.map(wireAction);
  if (s.nonStop) return resumeNonStop(s, actions);
  const dead = await s.reportDeath();
  if (dead) return dead;
  return resumeProcesses(s, actions);
});

export const vcontQuery: Handler<'vcont-query'> = withProcess(
  (_s, _cmd, ctx) => reply(vContActions(ctx)),
  // LLDB asks right after connecting, with or without a process (handlers/lldb.ts).
  (s, cmd) =>
    lldbWithoutProcess(cmd.kind, s.client, s.opts.provider?.capabilities) ?? errorReply(1),
);

/**
 * vCont over every process it names: each process runs its share; the first stop is
 * reported and the others are stopped (all-stop).
 */
async function resumeProcesses(s: SessionCore, actions: WireAction[]): Promise<HandlerResult> {
  const targets = [...s.procs.values()].filter((p) => typeof planResume(p, actions) !== 'string');
  if (targets.length === 0) return errorReply(22);
  for (const p of targets) s.running.add(p);
  let failure: HandlerResult | undefined;
  let started = 0;
  for (const p of targets) {
    // A stop already reported (a pending event) ends the resume: the rest stay stopped.
    if (s.state.kind !== 'running' && started > 0) {
      s.running.delete(p);
      continue;
    }
    const r = await resume(p, actions);
    if ('deferred' in r) started++;
    else {
      s.running.delete(p);
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
