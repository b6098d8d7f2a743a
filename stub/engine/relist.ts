// The engine drops thread announcements it cannot queue for a slow reader and says so with a LOST
// record (kmod/include/uapi/ntrace.h): a THREAD_NEW or THREAD_EXIT may be missing. The table is
// then set right from LIST_THREADS. Events that arrive while the list is on its way are newer
// than it: a thread announced or gone meanwhile keeps what its event said.
import type { ThreadInfo } from '../../native/types.js';
import { checkAllStopped } from './all-stop.js';
import type { EngineProcess } from './process.js';
import type { ThreadTable } from './thread-table.js';

/** Notes a thread event that arrives while a relist is in flight. */
export function noteThreadEvent(p: EngineProcess, handle: bigint): void {
  p.relistSeen?.add(handle);
}

/**
 * Applies a thread list to the table: threads not known are added (running, or stopped with
 * their stop id), known ones not listed are dropped, except threads `seen` since the list was
 * asked for. Returns the tids added.
 */
export function reconcileThreads(
  table: ThreadTable,
  pid: number,
  listed: readonly ThreadInfo[],
  seen: ReadonlySet<bigint>,
): number[] {
  const added: number[] = [];
  const present = new Set<number>();
  for (const t of listed) {
    if (t.tgid !== pid) continue;
    present.add(t.tid);
    if (table.has(t.tid) || seen.has(t.handle) || t.state === 'exiting') continue;
    table.set(t.tid, {
      ref: { handle: t.handle, tgid: t.tgid, tid: t.tid },
      stopId: t.stopId,
      running: t.state === 'running',
    });
    added.push(t.tid);
  }
  for (const [tid, r] of table) {
    if (!present.has(tid) && !seen.has(r.ref.handle)) table.delete(tid);
  }
  return added;
}

/** After a LOST record: lists the threads again and sets the table right. */
export function relistThreads(p: EngineProcess): void {
  if (p.relistSeen || p.phase.kind === 'gone') return;
  const seen = new Set<bigint>();
  p.relistSeen = seen;
  p.engine
    .listThreads(p.pid)
    .then((listed) => {
      p.relistSeen = undefined;
      if (p.phase.kind === 'gone') return;
      const added = reconcileThreads(p.threadsByTid, p.pid, listed, seen);
      // All-stop collection stops every thread, the ones we had not heard of too.
      if (p.phase.kind === 'collecting') {
        for (const tid of added) {
          const r = p.threadsByTid.get(tid);
          if (r?.running) p.engine.stop(p.pid, r.ref.handle).catch(() => {});
        }
      }
      checkAllStopped(p);
    })
    .catch(() => {
      p.relistSeen = undefined;
    });
}
