// The threads of one process as the adapter tracks them. The Target promises that threads() is
// cheap (the stub asks for it on every resume plan and thread list): the ptid list is built once
// and kept until a thread comes or goes.
import type { StopEvent, ThreadRef } from '../../native/types.js';
import type { Ptid } from '../target.js';

export interface ThreadRec {
  ref: ThreadRef;
  stopId: bigint;
  running: boolean;
  /** An event this thread had while another thread's stop was being reported. */
  pending?: StopEvent;
  /** Non-stop: a stop was asked for (vCont;t, vCtrlC); the signal to report it with. */
  stopSignal?: number;
  /** The current stop is our interrupt, reported with this signal (see interruptSiginfo). */
  interruptSignal?: number;
  /** A resume sent and not answered yet: the engine may not have run the thread yet. */
  resuming?: Promise<unknown>;
  /** All-stop: the last resume single-stepped or range-stepped this thread. */
  stepping?: boolean;
}

export class ThreadTable extends Map<number, ThreadRec> {
  private list: readonly Ptid[] | undefined;

  /** Every thread as GDB names it; the same array until a thread event. */
  ptids(): readonly Ptid[] {
    if (this.list === undefined) {
      const out: Ptid[] = [];
      for (const r of this.values()) out.push({ pid: r.ref.tgid, tid: r.ref.tid });
      this.list = out;
    }
    return this.list;
  }

  /** Whether any thread runs (or was resumed and has not stopped yet). */
  anyRunning(): boolean {
    for (const r of this.values()) if (r.running) return true;
    return false;
  }

  override set(tid: number, rec: ThreadRec): this {
    this.list = undefined;
    return super.set(tid, rec);
  }

  override delete(tid: number): boolean {
    this.list = undefined;
    return super.delete(tid);
  }

  override clear(): void {
    this.list = undefined;
    super.clear();
  }
}
