// Non-stop (GDB manual, "Remote Non-Stop"): each thread's stop goes to GDB by itself while the
// others run on; resuming and stopping name threads.
import type { StopEvent } from '../../native/types.js';
import type { NonStopOps, ResumeAction, TargetStop } from '../target.js';
import { call } from './errors.js';
import { EngineProcess } from './process.js';
import type { ThreadRec } from './thread-table.js';

/** Only stopped threads the actions name run; the others are untouched. */
export async function resumeNonStop(p: EngineProcess, actions: ResumeAction[]): Promise<void> {
  const plan: [ThreadRec, ResumeAction][] = [];
  for (const r of p.threadsByTid.values()) {
    if (r.running) continue;
    const a = EngineProcess.actionFor(actions, r.ref.tid);
    if (!a) continue;
    // An event kept from an all-stop stop is reported now instead of running.
    const ev = r.pending;
    r.pending = undefined;
    if (ev && !p.stale(ev)) {
      setImmediate(() => p.listener(p.translate(ev)));
      continue;
    }
    plan.push([r, a]);
  }
  p.flushOptions();
  p.phase = { kind: 'running' };
  const { failure, started } = await p.startThreads(plan);
  if (failure && started === 0) throw failure;
}

/**
 * One thread's stop, reported by itself. A stop GDB asked for reports the signal it asked
 * with (0 for vCont;t, GDB manual "Packets").
 */
export function reportNonStop(p: EngineProcess, ev: StopEvent, r: ThreadRec): void {
  const asked = r.stopSignal;
  r.stopSignal = undefined;
  if (p.stopAllPending && !p.threadsByTid.anyRunning()) p.stopAllPending = false;
  const thread = { pid: ev.thread.tgid, tid: ev.thread.tid };
  const requested: TargetStop = {
    kind: 'stopped',
    thread,
    signal: asked ?? 0,
    cause: { type: 'interrupt' },
  };
  switch (ev.reason) {
    case 'new-thread':
      if (p.options.threadEvents) p.listener(p.translate(ev));
      else if (asked !== undefined || p.stopAllPending) p.listener(requested);
      else p.resumeQuietly(r);
      return;
    case 'clone':
      // The parent's half of a thread creation (reported as the child's `create`).
      if (asked !== undefined) p.listener(requested);
      else p.resumeQuietly(r);
      return;
    case 'requested':
    case 'attach':
      r.interruptSignal = asked || undefined;
      p.listener(requested);
      return;
    default:
      p.listener(p.translate(ev));
  }
}

export function nonStopOps(p: EngineProcess): NonStopOps {
  return {
    setNonStop: async (on) => {
      p.options.nonStop = on;
      await p.optionsChanged();
    },
    stopThreads: async (threads, signal) => {
      const recs = threads
        ? threads.map((t) => p.threadsByTid.get(t.tid)).filter((r) => r !== undefined)
        : [...p.threadsByTid.values()];
      const running = recs.filter((r) => r.running);
      if (running.length === 0) return;
      for (const r of running) r.stopSignal = signal;
      if (!threads) {
        p.stopAllPending = true;
        await call(p.engine.stop(p.pid));
        return;
      }
      // A thread that stopped or exited meanwhile reports that instead.
      await Promise.all(running.map((r) => p.engine.stop(p.pid, r.ref.handle).catch(() => {})));
    },
    isRunning: (thread) => p.threadsByTid.get(thread.tid)?.running ?? false,
  };
}
