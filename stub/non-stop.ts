// Non-stop stops (GDB manual, "Remote Non-Stop"): each stop becomes a `%Stop` notification,
// queued behind the ones GDB has not acknowledged; Ctrl-C stops one running thread.
import { stopNotificationOf } from '../rsp/replies/stop.js';
import type { SessionContext } from './context.js';
import { settleFork } from './fork-adoption.js';
import type { SessionCore } from './session-core.js';
import { stopReply } from './stop-reply.js';
import type { Ptid, TargetStop } from './target.js';

const SIGINT = 2;

/** Non-stop: each stop becomes a `%Stop` notification, queued behind unacknowledged ones. */
export async function onStopNonStop(
  s: SessionCore,
  ctx: SessionContext,
  stop: TargetStop,
): Promise<void> {
  ctx.invalidate();
  const stops = s.threadStops.get(ctx);
  if (stop.kind === 'stopped') {
    ctx.lastStop = stop;
    stops?.set(stop.thread.tid, stop);
    if (stop.cause.type === 'exec') {
      ctx.forgetExec();
      stops?.clear();
      stops?.set(stop.thread.tid, stop);
    }
  } else if (stop.kind === 'thread-exited') {
    stops?.delete(stop.thread.tid);
  }
  try {
    await settleFork(s, ctx, stop);
    const body = await stopReply(ctx, stop);
    if (stop.kind === 'exited' || stop.kind === 'signalled') {
      if (s.extended) {
        s.removeProc(ctx);
        await ctx.target.base.close().catch(() => {});
      }
    }
    queueStop(
      s,
      body,
      stop.kind === 'stopped' || stop.kind === 'thread-exited' ? stop.thread : undefined,
    );
  } catch (err) {
    s.log(`stop report failed: ${(err as Error).message}`);
  }
}

export function queueStop(s: SessionCore, body: string, thread?: Ptid): void {
  if (s.state.kind === 'closed') return;
  s.stopQueue.push(thread ? { body, thread } : { body });
  if (s.stopQueue.length === 1) s.notify(stopNotificationOf(body));
}

/** Threads of `pid` whose stop GDB has not taken out of the queue with vStopped yet. */
export function queuedThreads(s: SessionCore, pid: number): Set<number> {
  const out = new Set<number>();
  for (const q of s.stopQueue) if (q.thread?.pid === pid) out.add(q.thread.tid);
  return out;
}

/** vCtrlC (or 0x03) in non-stop: one running thread stops with SIGINT, as ^C would do. */
export async function ctrlC(s: SessionCore): Promise<void> {
  const procs = [s.ctx, ...s.procs.values()].filter((p) => p !== undefined);
  for (const p of procs) {
    const ns = p.target.nonStop;
    if (!ns) continue;
    const threads = p.target.base.threads();
    const g = p.generalThread;
    const t =
      (g && ns.isRunning(g) ? threads.find((x) => x.tid === g.tid) : undefined) ??
      threads.find((x) => ns.isRunning(x));
    if (!t) continue;
    await ns.stopThreads([t], SIGINT);
    return;
  }
}
