// The engine's event stream for one process: each record updates the thread table, then goes to
// whoever handles it now (startup, all-stop collector, non-stop report, fork children).
import type { EngineEvent, StopEvent } from '../../native/types.js';
import type { TargetStop } from '../target.js';
import { checkAllStopped, stopWhileRunning, threadExitWhileRunning } from './all-stop.js';
import { reportNonStop } from './non-stop.js';
import type { EngineProcess } from './process.js';
import { noteThreadEvent, relistThreads } from './relist.js';
import type { ThreadRec } from './thread-table.js';
import { SIGINT, SIGKILL } from './translate.js';

export function handleEvent(p: EngineProcess, ev: EngineEvent): void {
  // A fork child's first events arrive before anyone adopts it: keep them for adoptChild.
  if (p.forks.hold(ev)) return;
  switch (ev.type) {
    case 'output':
      // A breakpoint command's text; the thread ran on.
      if (ev.thread.tgid === p.pid) p.outputListener?.(ev.text);
      return;
    case 'stop': {
      if (ev.thread.tgid !== p.pid) return;
      if (ev.reason === 'fork' || ev.reason === 'vfork') p.forks.noteFork(ev);
      const r = noteStopped(p, ev);
      if (p.execWaiter) {
        const w = p.execWaiter;
        p.execWaiter = undefined;
        w(ev);
        return;
      }
      if (p.options.nonStop && !p.initialStop) {
        reportNonStop(p, ev, r);
        return;
      }
      stopWhileRunning(p, ev, r);
      break;
    }
    case 'lost':
      relistThreads(p);
      return;
    case 'thread-new': {
      if (ev.thread.tgid !== p.pid) return;
      noteThreadEvent(p, ev.thread.handle);
      if (p.threadsByTid.has(ev.thread.tid)) return;
      p.threadsByTid.set(ev.thread.tid, { ref: ev.thread, stopId: 0n, running: true });
      if (p.phase.kind === 'collecting') {
        p.engine.stop(p.pid, ev.thread.handle).catch(() => {});
      }
      return;
    }
    case 'thread-exit': {
      if (ev.thread.tgid !== p.pid) return;
      noteThreadEvent(p, ev.thread.handle);
      p.threadsByTid.delete(ev.thread.tid);
      if (!p.options.threadEvents || p.initialStop) break;
      const exited: TargetStop = {
        kind: 'thread-exited',
        thread: { pid: ev.thread.tgid, tid: ev.thread.tid },
        code: ev.code,
      };
      if (p.options.nonStop) {
        p.listener(exited);
        return;
      }
      // All-stop: the exit is the stop; every other thread stops for it.
      threadExitWhileRunning(p, exited);
      break;
    }
    case 'process-exit': {
      if (ev.pid !== p.pid) return;
      p.phase = { kind: 'gone' };
      p.threadsByTid.clear();
      const stop: TargetStop =
        'code' in ev.exit
          ? { kind: 'exited', pid: p.pid, code: ev.exit.code }
          : { kind: 'signalled', pid: p.pid, signal: ev.exit.signal };
      p.notifyGone();
      if (p.execWaiter) {
        p.startupEnd = stop;
        p.execWaiter(undefined);
      }
      // A process that dies before its first stop (a fork child being adopted) ends the wait.
      const first = p.initialStop;
      p.initialStop = undefined;
      first?.();
      p.listener(stop);
      return;
    }
    case 'detached':
      if (ev.pid !== p.pid) return;
      if (ev.reason !== 'request' && p.phase.kind !== 'gone') {
        p.phase = { kind: 'gone' };
        p.threadsByTid.clear();
        p.notifyGone();
        p.listener({ kind: 'signalled', pid: p.pid, signal: SIGKILL });
      }
      return;
    default:
      return;
  }
  checkAllStopped(p);
}

function noteStopped(p: EngineProcess, ev: StopEvent): ThreadRec {
  if (ev.reason === 'exec') {
    // The exec'ing thread took the leader's tid; the others are gone, and so are our int3s.
    for (const [tid, other] of p.threadsByTid) {
      if (tid !== ev.thread.tid) p.threadsByTid.delete(tid);
      else other.pending = undefined;
    }
    p.swBreaks.clear();
  }
  let r = p.threadsByTid.get(ev.thread.tid);
  if (!r) {
    r = { ref: ev.thread, stopId: ev.stopId, running: false };
    p.threadsByTid.set(ev.thread.tid, r);
  }
  r.ref = ev.thread;
  r.stopId = ev.stopId;
  r.running = false;
  // All-stop reports a requested stop as SIGINT (translate.ts); non-stop overrides this.
  r.interruptSignal = ev.reason === 'requested' ? SIGINT : undefined;
  return r;
}
