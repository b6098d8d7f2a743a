// Thread ids between the wire (ThreadId: pid/tid parts that may be 'all' or 'any') and the
// target's Ptids.
import { formatThreadId, type ThreadId } from '../rsp/common/thread-id.js';
import type { SessionContext } from './context.js';
import type { Ptid } from './target.js';

export function formatPtid(ctx: SessionContext, t: Ptid): string {
  return formatThreadId({ pid: t.pid, tid: t.tid }, { multiprocess: ctx.client.multiprocess });
}

/**
 * The threads an id names: one, all of them, or none when it names a thread that does not
 * exist. 'any' picks the current thread.
 */
export function resolveThreads(ctx: SessionContext, id: ThreadId): Ptid[] {
  const threads = ctx.target.base.threads();
  if (typeof id.pid === 'number' && id.pid !== ctx.pid) return [];
  if (id.tid === 'all') return threads;
  if (id.tid === 'any') {
    try {
      return [ctx.currentThread()];
    } catch {
      return [];
    }
  }
  const tid = id.tid;
  return threads.filter((t) => t.tid === tid);
}

/** Exactly one thread, or undefined. */
export function resolveThread(ctx: SessionContext, id: ThreadId): Ptid | undefined {
  const r = resolveThreads(ctx, id);
  return id.tid === 'all' ? r[0] : r.length === 1 ? r[0] : undefined;
}
