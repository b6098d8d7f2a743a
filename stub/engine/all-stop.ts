// All-stop (GDB manual, "Stop Reply Packets"): after a resume, the first STOP record is the one
// reported to GDB; the engine (NTRACE_OPT_ALL_STOP, or our own stop request when the engine lacks
// it) then stops every other thread, whose own events are kept pending and reported on a later
// resume without running anything, as gdbserver does.
import type { StopEvent, StopReason } from '../../native/types.js';
import type { ResumeAction, TargetStop } from '../target.js';
import { TargetError } from '../target.js';
import { EngineProcess } from './process.js';
import type { ThreadRec } from './thread-table.js';
import { SIGINT, SIGTRAP } from './translate.js';

/** Stops that can be kept pending for a stepping thread's event (preferStepping). */
const DEFERRABLE: ReadonlySet<StopReason> = new Set<StopReason>([
  'signal',
  'breakpoint',
  'watch',
  'hw-breakpoint',
  'syscall-entry',
  'syscall-exit',
]);

/** The stopped threads a resume with `actions` runs, each with its action. */
function planFor(p: EngineProcess, actions: ResumeAction[]): [ThreadRec, ResumeAction][] {
  const plan: [ThreadRec, ResumeAction][] = [];
  for (const r of p.threadsByTid.values()) {
    if (r.running) continue;
    const a = EngineProcess.actionFor(actions, r.ref.tid);
    if (a) plan.push([r, a]);
  }
  return plan;
}

export async function resumeAllStop(p: EngineProcess, actions: ResumeAction[]): Promise<void> {
  const plan = planFor(p, actions);
  // A thread resumed here that already has an event reports it without running anything.
  p.holdEvents = false;
  const kept = takePending(p, plan);
  if (kept) {
    p.phase = { kind: 'stopped' };
    p.reportDue = true;
    setImmediate(() => {
      p.reportDue = false;
      // Asked meanwhile to stop for another process's stop: the event stays kept.
      if (p.holdEvents && keep(p, kept)) return;
      p.listener('type' in kept ? p.translate(kept) : kept);
    });
    return;
  }
  // If every thread that will run steps, the pass set can wait (flushOptions).
  let stepsOnly = !p.threadsByTid.anyRunning();
  for (const [, a] of plan) if (a.mode === 'continue') stepsOnly = false;
  p.flushOptions(stepsOnly);
  p.phase = { kind: 'running' };
  p.interruptRequested = false;
  p.quietResumes.clear();
  for (const r of p.threadsByTid.values()) r.stepping = false;
  for (const [r, a] of plan) r.stepping = a.mode !== 'continue';
  // Nothing left running after a failure: the resume failed.
  const { failure } = await p.startThreads(plan);
  if (failure && !p.threadsByTid.anyRunning()) {
    p.phase = { kind: 'stopped' };
    throw failure;
  }
  checkAllStopped(p);
}

/** A thread's stop while all-stop runs or collects (not the initial stop, not non-stop). */
export function stopWhileRunning(p: EngineProcess, ev: StopEvent, r: ThreadRec): void {
  const phase = p.phase;
  if (phase.kind === 'running') {
    if (p.initialStop) return;
    if (ev.reason === 'new-thread') {
      // A thread born while its process runs joins the run, unless a stop was asked for.
      if (p.interruptRequested || p.options.threadEvents) return;
      p.resumeQuietly(r);
      p.quietResumes.add(r.ref.tid);
      return;
    }
    if (ev.reason === 'requested' && !p.interruptRequested) return;
    // QThreadEvents: the parent's clone stop is reported as the new thread's `create`.
    const child = Number(ev.data[1] ?? 0n);
    p.phase = {
      kind: 'collecting',
      primary:
        ev.reason === 'clone' && p.options.threadEvents
          ? {
              kind: 'stopped',
              thread: { pid: p.pid, tid: child },
              signal: SIGTRAP,
              cause: { type: 'thread-created' },
            }
          : ev,
    };
    stopOthers(p, r);
  } else if (phase.kind === 'collecting') {
    // A clone stop (thread events) is only the creator's half of a `create` report.
    if (ev.reason !== 'requested' && ev.reason !== 'new-thread' && ev.reason !== 'clone') {
      r.pending = ev;
    }
  }
}

/** The first stop of a run: every other thread is made to stop too. */
function stopOthers(p: EngineProcess, r: ThreadRec): void {
  if (!p.engine.info.caps.allStop) {
    p.engine.stop(p.pid).catch(() => {});
  }
  // A new thread we resumed may have been counted as stopped by the engine's all-stop
  // before our resume reached it: ask for its stop explicitly (after the resume).
  for (const tid of p.quietResumes) {
    const q = p.threadsByTid.get(tid);
    if (q?.running) p.engine.stop(p.pid, q.ref.handle).catch(() => {});
  }
  p.quietResumes.clear();
  // Likewise a thread of the same resume whose request the engine takes after this
  // stop (its all-stop counted it as stopped, and it runs on): stop it once it runs.
  // A thread the engine stopped already ignores the request.
  for (const q of p.threadsByTid.values()) {
    if (!q.resuming || q === r) continue;
    const handle = q.ref.handle;
    q.resuming
      .then(() => {
        if (q.running) return p.engine.stop(p.pid, handle);
      })
      .catch(() => {});
  }
}

/** With QThreadEvents, a thread's exit while all-stop runs is the stop. */
export function threadExitWhileRunning(p: EngineProcess, exited: TargetStop): void {
  if (p.phase.kind !== 'running') return;
  p.phase = { kind: 'collecting', primary: exited };
  p.engine.stop(p.pid).catch(() => {});
}

/** Reports the collected stop once no thread runs (or ends the initial wait). */
export function checkAllStopped(p: EngineProcess): void {
  if (p.threadsByTid.anyRunning()) return;
  if (p.initialStop) {
    const f = p.initialStop;
    p.initialStop = undefined;
    f();
    return;
  }
  const phase = p.phase;
  if (phase.kind === 'running' && !p.options.nonStop && p.threadsByTid.size > 0) {
    // Every resumed thread exited and the rest stay stopped (scheduler-locking): no stop can
    // come. gdbserver reports that as no resumed threads left (linux-low.cc, wait_1).
    p.phase = { kind: 'stopped' };
    p.listener({ kind: 'no-resumed' });
    return;
  }
  if (phase.kind !== 'collecting') return;
  p.phase = { kind: 'stopped' };
  // Stopped for another process's stop, which GDB hears of instead: an event of its own stays
  // kept for the next resume, as gdbserver's stop_all_lwps leaves it (status_pending_p).
  if (p.holdEvents && keep(p, phase.primary)) return;
  const first = preferStepping(p, phase.primary);
  p.listener('type' in first ? p.translate(first) : first);
}

/**
 * The kept event a resume of `plan` reports without running anything, taken: the process's own
 * (a thread's creation or exit kept by keep()) first, then a planned thread's. A kept hit of a
 * breakpoint GDB has removed since is dropped, as gdbserver's thread_still_has_status_pending.
 */
function takePending(
  p: EngineProcess,
  plan: [ThreadRec, ResumeAction][],
): StopEvent | TargetStop | undefined {
  if (plan.length === 0) return undefined;
  const own = p.keptStop;
  if (own) {
    p.keptStop = undefined;
    return own;
  }
  for (const [r] of plan) {
    const ev = r.pending;
    if (!ev) continue;
    r.pending = undefined;
    if (!p.stale(ev)) return ev;
  }
  return undefined;
}

/** Whether a resume with `actions` would report a kept event at once (see takePending). */
export function hasPending(p: EngineProcess, actions: ResumeAction[]): boolean {
  if (p.options.nonStop || p.phase.kind !== 'stopped') return false;
  const plan = planFor(p, actions);
  if (plan.length === 0) return false;
  if (p.keptStop) return true;
  return plan.some(([r]) => r.pending !== undefined && !p.stale(r.pending));
}

/**
 * Keeps `stop` for a later resume and reports a plain interrupt stop instead (interrupt(true):
 * the session swallows it). False when the stop is news of no thread's own (the interrupt's
 * own stop), or the process's end, which is reported as it is.
 */
function keep(p: EngineProcess, stop: StopEvent | TargetStop): boolean {
  let tid: number;
  if ('type' in stop) {
    if (stop.reason === 'requested') return false;
    const r = p.threadsByTid.get(stop.thread.tid);
    if (!r) return false;
    r.pending = stop;
    tid = stop.thread.tid;
  } else if (stop.kind === 'stopped' || stop.kind === 'thread-exited') {
    p.keptStop = stop;
    tid = stop.thread.tid;
  } else {
    return false;
  }
  const anyThread = p.threadsByTid.has(tid) ? tid : (p.threadsByTid.keys().next().value ?? p.pid);
  p.listener({
    kind: 'stopped',
    thread: { pid: p.pid, tid: anyThread },
    signal: SIGINT,
    cause: { type: 'interrupt' },
  });
  return true;
}

/**
 * All-stop reports the stepping thread's event when it has one, as gdbserver does
 * (linux-low.cc, select_event_lwp): the step is what GDB waits for; another thread's event
 * stays pending for the next resume. Stepping over a clone with displaced stepping, the new
 * thread runs GDB's scratch pad and dies of a signal before or after the step ends
 * (gdb.base/step-over-syscall.exp, gdb/19675); reported first, GDB lost the step.
 */
function preferStepping(p: EngineProcess, primary: StopEvent | TargetStop): StopEvent | TargetStop {
  // Only an event that can wait as it is: an interrupt, a fork or an exec is reported now.
  if (!('type' in primary) || !DEFERRABLE.has(primary.reason)) return primary;
  const first = p.threadsByTid.get(primary.thread.tid);
  if (!first || first.stepping) return primary;
  for (const r of p.threadsByTid.values()) {
    const ev = r.pending;
    if (!r.stepping || !ev) continue;
    r.pending = undefined;
    first.pending = primary;
    return ev;
  }
  return primary;
}

export function assertLive(p: EngineProcess): void {
  if (p.phase.kind === 'gone') throw new TargetError('the process is gone', 3);
}
