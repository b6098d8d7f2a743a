// The state one EngineTarget keeps for its process, shared by the files of stub/engine/ (each
// does one job on it: all-stop.ts, non-stop.ts, fork-children.ts, lifecycle.ts). Not part of the
// Target API: the stub sees only what stub/engine-target.ts exposes.
import type { Engine, StopEvent } from '../../native/types.js';
import type { Ptid, ResumeAction, TargetStop } from '../target.js';
import { TargetError } from '../target.js';
import { call, wrap } from './errors.js';
import { ForkChildren } from './fork-children.js';
import { OptionState } from './options.js';
import { type ThreadRec, ThreadTable } from './thread-table.js';
import { translate } from './translate.js';

export type Phase =
  | { kind: 'stopped' }
  | { kind: 'running' }
  /** A primary stop arrived; waiting for the other threads to stop. */
  | { kind: 'collecting'; primary: StopEvent | TargetStop }
  | { kind: 'gone' };

export class EngineProcess {
  readonly threadsByTid = new ThreadTable();
  phase: Phase = { kind: 'stopped' };
  listener: (stop: TargetStop) => void = () => {};
  options = new OptionState();
  /** Software breakpoints set (a kept breakpoint event whose int3 is gone is dropped). */
  swBreaks = new Set<bigint>();
  /** Hardware breakpoints set: gdb re-sends Z1 (no z1) to change their conditions. */
  readonly hwBreaks = new Set<bigint>();
  readonly forks = new ForkChildren();
  /** All-stop: an interrupt was asked for during this run. */
  interruptRequested = false;
  /** All-stop: a resume found a kept event, whose report is on its way (resumeAllStop). */
  reportDue = false;
  /**
   * All-stop: stopped for another process's stop (interrupt(true)): an event of a thread's own
   * is kept for the next resume, and a plain interrupt stop reported instead (all-stop.ts).
   */
  holdEvents = false;
  /** A kept stop that is no thread's event (a thread's creation or exit, QThreadEvents). */
  keptStop?: TargetStop;
  /** Non-stop: a stop of every thread was asked for and some have not stopped yet. */
  stopAllPending = false;
  /** New threads resumed by us since the last resume (see all-stop.ts). */
  readonly quietResumes = new Set<number>();
  /** Set while waiting for every thread's first stop (launch, attach, adoption). */
  initialStop?: () => void;
  /** Set while a wrapper runs to its exec of the program. */
  execWaiter?: (ev: StopEvent | undefined) => void;
  /** How the wrapper or shell ended when it did before exec'ing the program. */
  startupEnd?: TargetStop;
  outputListener?: (text: Buffer) => void;
  /** While a relist after LOST is in flight: handles whose events are newer than it (relist.ts). */
  relistSeen?: Set<bigint>;
  private exitWaiters: (() => void)[] = [];

  constructor(
    readonly engine: Engine,
    readonly pid: number,
    readonly attached: boolean,
  ) {}

  rec(thread: Ptid): ThreadRec {
    const r = this.threadsByTid.get(thread.tid);
    if (!r) throw new TargetError(`no thread ${thread.tid}`, 3);
    return r;
  }

  translate(ev: StopEvent): TargetStop {
    return translate(ev, this.pid);
  }

  applyOptions(): Promise<void> {
    const options = this.options;
    options.noteSent();
    return call(
      this.engine.setOptions(this.pid, options.toEngine(this.engine.info.caps.allStop)),
    ).catch((err: unknown) => {
      options.forgetSent();
      throw err;
    });
  }

  /**
   * Applies changed options now, unless the process is gone or the engine holds them already
   * (a setting that changed nothing costs no engine round trip).
   */
  async optionsChanged(): Promise<void> {
    if (this.phase.kind !== 'gone' && !this.options.allSent) await this.applyOptions();
  }

  /**
   * Sends options changed while everything was stopped (only the pass set is sent so, see
   * engine-target.ts). Called right before the resume writes, so the engine applies them first;
   * a failure leaves them dirty for the next resume. Nothing is sent when the engine holds that
   * pass set already, nor, with `stepsOnly` (every thread to run steps), at all: a stepping
   * thread reports every signal, passed ones too (NTRACE_CMD_SET_OPTIONS, the uapi header), so
   * the set matters only to the next continue. gdb's step over a breakpoint empties the set
   * and its continue gives it back: no SET_OPTIONS for either.
   */
  flushOptions(stepsOnly = false): void {
    const options = this.options;
    if (!options.dirty || this.phase.kind === 'gone') return;
    if (options.passSent) {
      options.dirty = false;
      return;
    }
    if (stepsOnly) return;
    options.dirty = false;
    this.applyOptions().catch(() => {
      options.dirty = true;
    });
  }

  /** Lets a stopped thread run on, unreported (a new thread joining a run, a wrapper). */
  resumeQuietly(r: ThreadRec, signal = 0): void {
    // It continues: the pass set a step-only resume left unsent applies to it.
    this.flushOptions();
    const stopId = r.stopId;
    r.running = true;
    r.stopId = 0n;
    this.engine.resume({ handle: r.ref.handle, stopId, mode: 'cont', signal }).catch(() => {});
  }

  /** A kept breakpoint event whose breakpoint GDB has removed since is not news. */
  stale(ev: StopEvent): boolean {
    return ev.reason === 'breakpoint' && !this.swBreaks.has(ev.data[0] ?? ev.pc);
  }

  /** The actions' entry for thread `tid`: its own, else the default (no thread named). */
  static actionFor(actions: ResumeAction[], tid: number): ResumeAction | undefined {
    for (const a of actions) if (a.thread === undefined || a.thread.tid === tid) return a;
    return undefined;
  }

  /**
   * Resumes each planned thread in the engine, all requests written at once. A thread that
   * exited since its stop (ESRCH/ESTALE) is simply gone; the first other failure is returned.
   */
  async startThreads(
    plan: [ThreadRec, ResumeAction][],
  ): Promise<{ failure: TargetError | undefined; started: number }> {
    const sent = plan.map(([r, a]) => this.startThread(r, a));
    let failure: TargetError | undefined;
    let started = 0;
    for (let i = 0; i < sent.length; i++) {
      try {
        await sent[i];
        started++;
      } catch (err) {
        const r = plan[i]![0];
        const e = wrap(err);
        if (e.code === 'ESRCH' || e.code === 'ESTALE') this.threadsByTid.delete(r.ref.tid);
        else {
          r.running = false;
          failure ??= e;
        }
      }
    }
    return { failure, started };
  }

  private startThread(r: ThreadRec, a: ResumeAction): Promise<void> {
    const stopId = r.stopId;
    r.running = true;
    r.stopId = 0n;
    const sent = this.engine.resume({
      handle: r.ref.handle,
      stopId,
      mode: a.mode === 'continue' ? 'cont' : a.mode === 'step' ? 'step' : 'range-step',
      signal: a.signal,
      ...(a.range ? { range: a.range } : {}),
    });
    r.resuming = sent;
    const done = () => {
      if (r.resuming === sent) r.resuming = undefined;
    };
    sent.then(done, done);
    return sent;
  }

  /** Resolves once the process is gone (exit or detach seen). */
  whenGone(): Promise<void> {
    return new Promise((resolve) => this.exitWaiters.push(resolve));
  }

  notifyGone(): void {
    for (const w of this.exitWaiters.splice(0)) w();
  }
}
