// Target on top of the ntrace Engine (native/). Owns the all-stop bookkeeping: after a resume,
// the first STOP record is the one reported to GDB; the engine (NTRACE_OPT_ALL_STOP, or our own
// stop request when the engine lacks it) then stops every other thread, whose own events are kept
// pending and reported on a later resume without running anything, as gdbserver does.
import { readlinkSync } from 'node:fs';
import { readFile, readlink } from 'node:fs/promises';
import { constants as osConstants } from 'node:os';
import type { Capabilities } from './capabilities.js';
import type {
  Engine,
  EngineEvent,
  ProcessOptions,
  StopEvent,
  StopReason,
  ThreadRef,
} from '../native/types.js';
import { EngineError } from '../native/types.js';
import type {
  BaseOps,
  BreakpointExprs,
  BreakpointOps,
  ExecEventOps,
  ForkOps,
  NonStopOps,
  ProcessInfoOps,
  Ptid,
  Regset,
  ResumeAction,
  SignalOps,
  SyscallOps,
  Target,
  TargetStop,
  ThreadEventOps,
  ThreadInfoOps,
  WatchKind,
  WatchpointOps,
} from './target.js';
import { TargetError } from './target.js';
import { taskStat } from './task-stat.js';

/**
 * The wrapper or shell ended before exec'ing the program (the program is missing, say); the
 * message is gdbserver's (fork_inferior's startup_inferior), for the user.
 */
export class StartupExit extends TargetError {
  constructor(end: TargetStop | undefined) {
    let text = 'During startup program exited.';
    if (end?.kind === 'exited')
      text =
        end.code === 0
          ? 'During startup program exited normally.'
          : `During startup program exited with code ${end.code}.`;
    else if (end?.kind === 'signalled') {
      const name = Object.entries(osConstants.signals).find(([, n]) => n === end.signal)?.[0];
      text = `During startup program terminated with signal ${name ?? end.signal}.`;
    }
    super(text, 3, false, 'ESRCH');
    this.name = 'StartupExit';
  }
}

/** The engine's spelling of a Z packet's expressions (none: an unconditional breakpoint). */
function exprsOf(x: BreakpointExprs | undefined): { exprs?: BreakpointExprs } {
  return x ? { exprs: { conditions: x.conditions, commands: x.commands } } : {};
}

const SIGTRAP = 5;
const SIGINT = 2;
/** Stops that can be kept pending for a stepping thread's event (preferStepping). */
const DEFERRABLE: ReadonlySet<StopReason> = new Set<StopReason>([
  'signal',
  'breakpoint',
  'watch',
  'hw-breakpoint',
  'syscall-entry',
  'syscall-exit',
]);
const SIGKILL = 9;
const NSIG = 64;

interface ThreadRec {
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

/**
 * The siginfo of an interrupt stop. gdbserver interrupts by sending SIGINT to the process
 * group, so GDB finds a real siginfo there (`p $_siginfo`: si_signo 2, SI_USER from the
 * server); our engine stops the threads without a signal, so the same is made up here.
 */
function interruptSiginfo(signal: number): Buffer {
  const si = Buffer.alloc(128);
  si.writeInt32LE(signal, 0); // si_signo
  si.writeInt32LE(0, 8); // si_code: SI_USER, as kill(2) gives
  si.writeInt32LE(process.pid, 16); // si_pid
  si.writeUInt32LE(process.getuid?.() ?? 0, 20); // si_uid
  return si;
}

type Phase =
  | { kind: 'stopped' }
  | { kind: 'running' }
  /** A primary stop arrived; waiting for the other threads to stop. */
  | { kind: 'collecting'; primary: StopEvent | TargetStop }
  | { kind: 'gone' };

const errnoOf: Record<string, number> = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  EINTR: 4,
  EIO: 5,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  EINVAL: 22,
  ENOSPC: 28,
  ENOSYS: 38,
  EOPNOTSUPP: 95,
  ESTALE: 116,
};

/** Engine failures become TargetErrors carrying the errno GDB will see as E<nn>. */
function wrap(err: unknown): TargetError {
  if (err instanceof TargetError) return err;
  if (err instanceof EngineError) {
    return new TargetError(err.message, err.errno || errnoOf[err.code] || 5, false, err.code);
  }
  const e = err as { code?: string; errno?: number; message?: string };
  const errno = typeof e.errno === 'number' ? Math.abs(e.errno) : errnoOf[e.code ?? ''];
  return new TargetError(e.message ?? String(err), errno ?? 5, false, e.code);
}

async function call<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    throw wrap(err);
  }
}

export interface LaunchSpec {
  path: string;
  argv: string[];
  env: string[];
  cwd?: string;
  /**
   * Execs to let happen before the program counts as started: 1 when `path` is a wrapper (a
   * shell redirecting stdio, `--wrapper env ...`) that execs the real program.
   */
  execs?: number;
  /** Start without address-space randomisation (gdbserver's default). */
  disableAslr?: boolean;
}

export class EngineTarget implements BaseOps {
  readonly threadsByTid = new Map<number, ThreadRec>();
  private phase: Phase = { kind: 'stopped' };
  private listener: (stop: TargetStop) => void = () => {};
  private interruptRequested = false;
  private passSignals = new Set<number>();
  private catching: { on: boolean; numbers: number[] } = { on: false, numbers: [] };
  private swBreaks = new Set<bigint>();
  private exitWaiters: (() => void)[] = [];
  private readonly onEvent = (ev: EngineEvent) => this.handleEvent(ev);

  private constructor(
    readonly engine: Engine,
    readonly pid: number,
    readonly attached: boolean,
  ) {
    engine.on('event', this.onEvent);
  }

  get registers(): { xstateSize: number; xcr0: bigint } {
    const info = this.engine.info;
    return info.caps.xstate
      ? { xstateSize: info.xstateSize, xcr0: info.xcr0 }
      : { xstateSize: 0, xcr0: 0n };
  }

  /** Starts `spec` stopped at its first instruction. */
  static async launch(engine: Engine, spec: LaunchSpec): Promise<EngineTarget> {
    const early: EngineEvent[] = [];
    const grab = (ev: EngineEvent) => early.push(ev);
    engine.on('event', grab);
    let ref: ThreadRef;
    try {
      ref = await call(
        engine.launch({
          path: spec.path,
          argv: spec.argv,
          env: spec.env,
          ...(spec.cwd ? { cwd: spec.cwd } : {}),
          disableAslr: spec.disableAslr ?? true,
          // As gdbserver's child (linux_ptrace_fun), it leads a process group of its own, which
          // takes the foreground of the server's terminal (native ExecChild).
          newProcessGroup: true,
        }),
      );
    } finally {
      engine.off('event', grab);
    }
    const t = new EngineTarget(engine, ref.tgid, false);
    t.threadsByTid.set(ref.tid, { ref, stopId: 0n, running: true });
    await t.settle(early);
    if (spec.execs) {
      try {
        await t.runToExec(spec.execs);
      } catch (err) {
        await t.kill().catch(() => {});
        throw err;
      }
    }
    return t;
  }

  private execWaiter?: (ev: StopEvent | undefined) => void;
  /** How the wrapper or shell ended when it did before exec'ing the program. */
  private startupEnd?: TargetStop;

  /**
   * Lets a wrapper run until it has exec'd `count` times; signals it gets are delivered. The
   * exec stop is the real program's first instruction, like a launch stop.
   */
  private async runToExec(count: number): Promise<void> {
    this.wantExec = true;
    await this.applyOptions();
    let left = count;
    let signal = 0;
    while (left > 0) {
      const next = new Promise<StopEvent | undefined>((resolve) => {
        this.execWaiter = resolve;
      });
      for (const r of this.threadsByTid.values()) {
        if (!r.running) this.resumeQuietly(r, signal);
      }
      const ev = await next;
      if (!ev) throw new StartupExit(this.startupEnd);
      if (ev.reason === 'exec') left--;
      signal = ev.reason === 'signal' ? ev.signo : 0;
    }
    this.wantExec = false;
    await this.applyOptions();
  }

  private wantExec = false;
  /** Non-stop mode (QNonStop:1): no all-stop, every stop reported by itself. */
  private nonStop = false;
  /** QThreadEvents:1: thread creation and exit are reported. */
  private threadEvents = false;
  /** Non-stop: a stop of every thread was asked for and some have not stopped yet. */
  private stopAllPending = false;
  /** New threads resumed by us since the last resume (see handleEvent). */
  private readonly quietResumes = new Set<number>();
  /** GDB negotiated exec-events. */
  private reportExec = false;
  /** GDB negotiated fork-events. */
  private reportFork = false;
  /** GDB negotiated vfork-events. */
  private reportVfork = false;
  /** Fork children reported to GDB and not detached or adopted yet. */
  private readonly forkChildren = new Set<number>();
  /** Fork children's engine handles, and their events until they are adopted. */
  private readonly childEvents = new Map<number, { handle: bigint; events: EngineEvent[] }>();

  /** Attaches to `pid` and stops all its threads. */
  static async attach(engine: Engine, pid: number): Promise<EngineTarget> {
    const early: EngineEvent[] = [];
    const grab = (ev: EngineEvent) => early.push(ev);
    engine.on('event', grab);
    let infos: Awaited<ReturnType<Engine['attach']>>;
    try {
      infos = await call(engine.attach(pid, { stop: true }));
    } finally {
      engine.off('event', grab);
    }
    const t = new EngineTarget(engine, pid, true);
    for (const info of infos) {
      t.threadsByTid.set(info.tid, {
        ref: { handle: info.handle, tgid: info.tgid, tid: info.tid },
        stopId: info.stopId,
        running: info.state === 'running',
      });
    }
    await t.settle(early);
    return t;
  }

  /** Waits until every thread has its first stop (launch or attach), then sets options. */
  private async settle(early: EngineEvent[]): Promise<void> {
    this.phase = { kind: 'running' };
    await new Promise<void>((resolve) => {
      this.initialStop = resolve;
      for (const ev of early) this.handleEvent(ev);
      this.checkAllStopped();
    });
    // handleEvent may have moved the phase on meanwhile.
    if ((this.phase as Phase).kind === 'gone') {
      this.engine.off('event', this.onEvent);
      throw new TargetError(`process ${this.pid} exited before its first stop`, 3, false, 'ESRCH');
    }
    this.phase = { kind: 'stopped' };
    await this.applyOptions();
  }

  private initialStop?: () => void;

  private optionsDirty = false;

  /**
   * Sends options changed while everything was stopped. Called right before the resume writes,
   * so the engine applies them first; a failure leaves them dirty for the next resume.
   */
  private flushOptions(): void {
    if (!this.optionsDirty || this.phase.kind === 'gone') return;
    this.optionsDirty = false;
    this.applyOptions().catch(() => {
      this.optionsDirty = true;
    });
  }

  private async applyOptions(): Promise<void> {
    const stopSignals: number[] = [];
    for (let s = 1; s <= NSIG; s++) if (!this.passSignals.has(s)) stopSignals.push(s);
    const opts: ProcessOptions = {
      allStop: this.engine.info.caps.allStop && !this.nonStop,
      events: {
        threadReports: true,
        // Thread events: a new thread stops before its first instruction for `create`.
        clone: this.threadEvents,
        exec: this.wantExec || this.reportExec,
        fork: this.reportFork,
        vfork: this.reportVfork,
        vforkDone: this.reportVfork,
        syscallEntry: this.catching.on,
        syscallExit: this.catching.on,
      },
      stopSignals,
    };
    if (this.catching.on && this.catching.numbers.length > 0) opts.syscalls = this.catching.numbers;
    await call(this.engine.setOptions(this.pid, opts));
  }

  onStop(listener: (stop: TargetStop) => void): void {
    this.listener = listener;
  }

  threads(): Ptid[] {
    return [...this.threadsByTid.values()].map((r) => ({ pid: r.ref.tgid, tid: r.ref.tid }));
  }

  private rec(thread: Ptid): ThreadRec {
    const r = this.threadsByTid.get(thread.tid);
    if (!r) throw new TargetError(`no thread ${thread.tid}`, 3);
    return r;
  }

  readRegisters(thread: Ptid, set: Regset): Promise<Buffer> {
    const r = this.rec(thread);
    return call(this.engine.getRegs(r.ref.handle, r.stopId, set));
  }

  writeRegisters(thread: Ptid, set: Regset, data: Buffer): Promise<void> {
    const r = this.rec(thread);
    if (set === 'gpr' && r.pending?.regs) {
      // A kept event reported later must not bring back the registers it stopped with.
      const { regs: _stale, ...rest } = r.pending;
      r.pending = rest;
    }
    return call(this.engine.setRegs(r.ref.handle, r.stopId, set, data));
  }

  readMemory(addr: bigint, length: number): Promise<Buffer> {
    return call(this.engine.readMemory(this.pid, addr, length));
  }

  writeMemory(addr: bigint, data: Buffer): Promise<number> {
    return call(this.engine.writeMemory(this.pid, addr, data));
  }

  async resume(actions: ResumeAction[]): Promise<void> {
    if (this.phase.kind === 'gone') throw new TargetError('the process is gone', 3);
    if (this.nonStop) return this.resumeNonStop(actions);
    const plan: [ThreadRec, ResumeAction][] = [];
    for (const r of this.threadsByTid.values()) {
      if (r.running) continue;
      const a = actions.find((x) => x.thread === undefined || x.thread.tid === r.ref.tid);
      if (a) plan.push([r, a]);
    }
    // A thread resumed here that already has an event reports it without running anything.
    for (const [r] of plan) {
      const ev = r.pending;
      if (!ev) continue;
      r.pending = undefined;
      if (ev.reason === 'breakpoint' && !this.swBreaks.has(ev.data[0] ?? ev.pc)) continue;
      this.phase = { kind: 'stopped' };
      setImmediate(() => this.listener(this.translate(ev)));
      return;
    }
    this.flushOptions();
    this.phase = { kind: 'running' };
    this.interruptRequested = false;
    this.quietResumes.clear();
    for (const r of this.threadsByTid.values()) r.stepping = false;
    for (const [r, a] of plan) r.stepping = a.mode !== 'continue';
    // Nothing left running after a failure: the resume failed.
    const { failure } = await this.startThreads(plan);
    if (failure && ![...this.threadsByTid.values()].some((r) => r.running)) {
      this.phase = { kind: 'stopped' };
      throw failure;
    }
    this.checkAllStopped();
  }

  async interrupt(): Promise<void> {
    if (this.phase.kind !== 'running') return;
    this.interruptRequested = true;
    await call(this.engine.stop(this.pid));
  }

  async queueInterrupt(): Promise<void> {
    if (this.phase.kind === 'gone') return;
    // The process group first, as gdbserver (its launched program leads one); an attached
    // process may not lead one, and then gets the signal alone.
    try {
      process.kill(-this.pid, 'SIGINT');
    } catch {
      process.kill(this.pid, 'SIGINT');
    }
  }

  private noteStopped(ev: StopEvent): ThreadRec {
    if (ev.reason === 'exec') {
      // The exec'ing thread took the leader's tid; the others are gone, and so are our int3s.
      for (const [tid, other] of this.threadsByTid) {
        if (tid !== ev.thread.tid) this.threadsByTid.delete(tid);
        else other.pending = undefined;
      }
      this.swBreaks.clear();
    }
    let r = this.threadsByTid.get(ev.thread.tid);
    if (!r) {
      r = { ref: ev.thread, stopId: ev.stopId, running: false };
      this.threadsByTid.set(ev.thread.tid, r);
    }
    r.ref = ev.thread;
    r.stopId = ev.stopId;
    r.running = false;
    // All-stop reports a requested stop as SIGINT (translateEvent); non-stop overrides this.
    r.interruptSignal = ev.reason === 'requested' ? SIGINT : undefined;
    return r;
  }

  private handleEvent(ev: EngineEvent): void {
    // A fork child's first events arrive before anyone adopts it: keep them for adoptChild.
    const evPid = 'pid' in ev ? ev.pid : 'thread' in ev ? ev.thread.tgid : undefined;
    const held = evPid !== undefined ? this.childEvents.get(evPid) : undefined;
    if (held) {
      held.events.push(ev);
      return;
    }
    if (ev.type === 'output') {
      // A breakpoint command's text; the thread ran on.
      if (ev.thread.tgid === this.pid) this.outputListener?.(ev.text);
      return;
    }
    if (
      ev.type === 'stop' &&
      (ev.reason === 'fork' || ev.reason === 'vfork') &&
      ev.thread.tgid === this.pid
    ) {
      const child = Number(ev.data[1] ?? 0n);
      this.forkChildren.add(child);
      this.childEvents.set(child, { handle: ev.data[0] ?? 0n, events: [] });
    }
    switch (ev.type) {
      case 'stop': {
        if (ev.thread.tgid !== this.pid) return;
        const r = this.noteStopped(ev);
        if (this.execWaiter) {
          const w = this.execWaiter;
          this.execWaiter = undefined;
          w(ev);
          return;
        }
        if (this.nonStop && !this.initialStop) {
          this.reportNonStop(ev, r);
          return;
        }
        const phase = this.phase;
        if (phase.kind === 'running') {
          if (this.initialStop) break;
          if (ev.reason === 'new-thread') {
            // A thread born while its process runs joins the run, unless a stop was asked for.
            if (this.interruptRequested || this.threadEvents) break;
            this.resumeQuietly(r);
            this.quietResumes.add(r.ref.tid);
            return;
          }
          if (ev.reason === 'requested' && !this.interruptRequested) break;
          // QThreadEvents: the parent's clone stop is reported as the new thread's `create`.
          const child = Number(ev.data[1] ?? 0n);
          this.phase = {
            kind: 'collecting',
            primary:
              ev.reason === 'clone' && this.threadEvents
                ? {
                    kind: 'stopped',
                    thread: { pid: this.pid, tid: child },
                    signal: SIGTRAP,
                    cause: { type: 'thread-created' },
                  }
                : ev,
          };
          if (!this.engine.info.caps.allStop) {
            this.engine.stop(this.pid).catch(() => {});
          }
          // A new thread we resumed may have been counted as stopped by the engine's all-stop
          // before our resume reached it: ask for its stop explicitly (after the resume).
          for (const tid of this.quietResumes) {
            const q = this.threadsByTid.get(tid);
            if (q?.running) this.engine.stop(this.pid, q.ref.handle).catch(() => {});
          }
          this.quietResumes.clear();
          // Likewise a thread of the same resume whose request the engine takes after this
          // stop (its all-stop counted it as stopped, and it runs on): stop it once it runs.
          // A thread the engine stopped already ignores the request.
          for (const q of this.threadsByTid.values()) {
            if (!q.resuming || q === r) continue;
            const handle = q.ref.handle;
            q.resuming
              .then(() => {
                if (q.running) return this.engine.stop(this.pid, handle);
              })
              .catch(() => {});
          }
        } else if (phase.kind === 'collecting') {
          // A clone stop (thread events) is only the creator's half of a `create` report.
          if (ev.reason !== 'requested' && ev.reason !== 'new-thread' && ev.reason !== 'clone') {
            r.pending = ev;
          }
        }
        break;
      }
      case 'thread-new': {
        if (ev.thread.tgid !== this.pid || this.threadsByTid.has(ev.thread.tid)) return;
        this.threadsByTid.set(ev.thread.tid, { ref: ev.thread, stopId: 0n, running: true });
        if (this.phase.kind === 'collecting') {
          this.engine.stop(this.pid, ev.thread.handle).catch(() => {});
        }
        return;
      }
      case 'thread-exit': {
        if (ev.thread.tgid !== this.pid) return;
        this.threadsByTid.delete(ev.thread.tid);
        if (!this.threadEvents || this.initialStop) break;
        const exited: TargetStop = {
          kind: 'thread-exited',
          thread: { pid: ev.thread.tgid, tid: ev.thread.tid },
          code: ev.code,
        };
        if (this.nonStop) {
          this.listener(exited);
          return;
        }
        if (this.phase.kind === 'running') {
          // All-stop: the exit is the stop; every other thread stops for it.
          this.phase = { kind: 'collecting', primary: exited };
          this.engine.stop(this.pid).catch(() => {});
        }
        break;
      }
      case 'process-exit': {
        if (ev.pid !== this.pid) return;
        this.phase = { kind: 'gone' };
        this.threadsByTid.clear();
        const stop: TargetStop =
          'code' in ev.exit
            ? { kind: 'exited', pid: this.pid, code: ev.exit.code }
            : { kind: 'signalled', pid: this.pid, signal: ev.exit.signal };
        this.notifyGone();
        if (this.execWaiter) {
          this.startupEnd = stop;
          this.execWaiter(undefined);
        }
        // A process that dies before its first stop (a fork child being adopted) ends the wait.
        const first = this.initialStop;
        this.initialStop = undefined;
        first?.();
        this.listener(stop);
        return;
      }
      case 'detached':
        if (ev.pid !== this.pid) return;
        if (ev.reason !== 'request' && this.phase.kind !== 'gone') {
          this.phase = { kind: 'gone' };
          this.threadsByTid.clear();
          this.notifyGone();
          this.listener({ kind: 'signalled', pid: this.pid, signal: SIGKILL });
        }
        return;
      default:
        return;
    }
    this.checkAllStopped();
  }

  /**
   * Takes over a reported fork child as a process of its own (multiprocess sessions: GDB
   * debugs it as another inferior). The child stays stopped at its first stop.
   */
  async adoptChild(pid: number): Promise<EngineTarget> {
    const held = this.childEvents.get(pid);
    if (!held) throw new TargetError(`no fork child ${pid}`, 3, false, 'ESRCH');
    this.childEvents.delete(pid);
    this.forkChildren.delete(pid);
    const t = new EngineTarget(this.engine, pid, false);
    t.reportExec = this.reportExec;
    t.reportFork = this.reportFork;
    t.reportVfork = this.reportVfork;
    t.nonStop = this.nonStop;
    t.threadEvents = this.threadEvents;
    t.passSignals = new Set(this.passSignals);
    t.catching = { ...this.catching };
    t.swBreaks = new Set(this.swBreaks);
    t.threadsByTid.set(pid, {
      ref: { handle: held.handle, tgid: pid, tid: pid },
      stopId: 0n,
      running: true,
    });
    await t.settle(held.events);
    return t;
  }

  private resumeQuietly(r: ThreadRec, signal = 0): void {
    const stopId = r.stopId;
    r.running = true;
    r.stopId = 0n;
    this.engine.resume({ handle: r.ref.handle, stopId, mode: 'cont', signal }).catch(() => {});
  }

  private checkAllStopped(): void {
    if ([...this.threadsByTid.values()].some((r) => r.running)) return;
    if (this.initialStop) {
      const f = this.initialStop;
      this.initialStop = undefined;
      f();
      return;
    }
    const phase = this.phase;
    if (phase.kind === 'running' && !this.nonStop && this.threadsByTid.size > 0) {
      // Every resumed thread exited and the rest stay stopped (scheduler-locking): no stop can
      // come. gdbserver reports that as no resumed threads left (linux-low.cc, wait_1).
      this.phase = { kind: 'stopped' };
      this.listener({ kind: 'no-resumed' });
      return;
    }
    if (phase.kind !== 'collecting') return;
    this.phase = { kind: 'stopped' };
    const p = this.preferStepping(phase.primary);
    this.listener('type' in p ? this.translate(p) : p);
  }

  /**
   * All-stop reports the stepping thread's event when it has one, as gdbserver does
   * (linux-low.cc, select_event_lwp): the step is what GDB waits for; another thread's event
   * stays pending for the next resume. Stepping over a clone with displaced stepping, the new
   * thread runs GDB's scratch pad and dies of a signal before or after the step ends
   * (gdb.base/step-over-syscall.exp, gdb/19675); reported first, GDB lost the step.
   */
  private preferStepping(primary: StopEvent | TargetStop): StopEvent | TargetStop {
    // Only an event that can wait as it is: an interrupt, a fork or an exec is reported now.
    if (!('type' in primary) || !DEFERRABLE.has(primary.reason)) return primary;
    const first = this.threadsByTid.get(primary.thread.tid);
    if (!first || first.stepping) return primary;
    for (const r of this.threadsByTid.values()) {
      const ev = r.pending;
      if (!r.stepping || !ev) continue;
      r.pending = undefined;
      first.pending = primary;
      return ev;
    }
    return primary;
  }

  /**
   * Non-stop: one thread's stop goes to GDB by itself while the others run on. A stop GDB
   * asked for reports the signal it asked with (0 for vCont;t, GDB manual "Packets").
   */
  private reportNonStop(ev: StopEvent, r: ThreadRec): void {
    const asked = r.stopSignal;
    r.stopSignal = undefined;
    if (this.stopAllPending && ![...this.threadsByTid.values()].some((x) => x.running)) {
      this.stopAllPending = false;
    }
    const thread = { pid: ev.thread.tgid, tid: ev.thread.tid };
    const requested: TargetStop = {
      kind: 'stopped',
      thread,
      signal: asked ?? 0,
      cause: { type: 'interrupt' },
    };
    switch (ev.reason) {
      case 'new-thread':
        if (this.threadEvents) this.listener(this.translate(ev));
        else if (asked !== undefined || this.stopAllPending) this.listener(requested);
        else this.resumeQuietly(r);
        return;
      case 'clone':
        // The parent's half of a thread creation (reported as the child's `create`).
        if (asked !== undefined) this.listener(requested);
        else this.resumeQuietly(r);
        return;
      case 'requested':
      case 'attach':
        r.interruptSignal = asked || undefined;
        this.listener(requested);
        return;
      default:
        this.listener(this.translate(ev));
    }
  }

  /** Non-stop resume: only stopped threads the actions name run; the others are untouched. */
  private async resumeNonStop(actions: ResumeAction[]): Promise<void> {
    const plan: [ThreadRec, ResumeAction][] = [];
    for (const r of this.threadsByTid.values()) {
      if (r.running) continue;
      const a = actions.find((x) => x.thread === undefined || x.thread.tid === r.ref.tid);
      if (!a) continue;
      // An event kept from an all-stop stop is reported now instead of running.
      const ev = r.pending;
      r.pending = undefined;
      if (ev && !(ev.reason === 'breakpoint' && !this.swBreaks.has(ev.data[0] ?? ev.pc))) {
        setImmediate(() => this.listener(this.translate(ev)));
        continue;
      }
      plan.push([r, a]);
    }
    this.flushOptions();
    this.phase = { kind: 'running' };
    const { failure, started } = await this.startThreads(plan);
    if (failure && started === 0) throw failure;
  }

  /**
   * Resumes each planned thread in the engine, all requests written at once. A thread that
   * exited since its stop (ESRCH/ESTALE) is simply gone; the first other failure is returned.
   */
  private async startThreads(
    plan: [ThreadRec, ResumeAction][],
  ): Promise<{ failure: TargetError | undefined; started: number }> {
    const results = await Promise.allSettled(
      plan.map(([r, a]) => {
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
      }),
    );
    let failure: TargetError | undefined;
    let started = 0;
    results.forEach((res, i) => {
      const r = plan[i]![0];
      if (res.status === 'fulfilled') {
        started++;
        return;
      }
      const err = wrap(res.reason);
      if (err.code === 'ESRCH' || err.code === 'ESTALE') this.threadsByTid.delete(r.ref.tid);
      else {
        r.running = false;
        failure ??= err;
      }
    });
    return { failure, started };
  }

  readonly nonStopOps: NonStopOps = {
    setNonStop: async (on) => {
      this.nonStop = on;
      if (this.phase.kind !== 'gone') await this.applyOptions();
    },
    stopThreads: async (threads, signal) => {
      const recs = threads
        ? threads.map((t) => this.threadsByTid.get(t.tid)).filter((r) => r !== undefined)
        : [...this.threadsByTid.values()];
      const running = recs.filter((r) => r.running);
      if (running.length === 0) return;
      for (const r of running) r.stopSignal = signal;
      if (!threads) {
        this.stopAllPending = true;
        await call(this.engine.stop(this.pid));
        return;
      }
      // A thread that stopped or exited meanwhile reports that instead.
      await Promise.all(
        running.map((r) => this.engine.stop(this.pid, r.ref.handle).catch(() => {})),
      );
    },
    isRunning: (thread) => this.threadsByTid.get(thread.tid)?.running ?? false,
  };

  readonly threadEventOps: ThreadEventOps = {
    setThreadEvents: async (on) => {
      this.threadEvents = on;
      if (this.phase.kind !== 'gone') await this.applyOptions();
    },
  };

  /** The stop as the session sees it, with the registers the event carried (STOP_REGS). */
  private translate(ev: StopEvent): TargetStop {
    const stop = this.translateEvent(ev);
    return ev.regs && stop.kind === 'stopped' ? { ...stop, gpr: ev.regs } : stop;
  }

  private translateEvent(ev: StopEvent): TargetStop {
    const thread = { pid: ev.thread.tgid, tid: ev.thread.tid };
    switch (ev.reason) {
      case 'signal':
        return { kind: 'stopped', thread, signal: ev.signo, cause: { type: 'signal' } };
      case 'breakpoint':
        return { kind: 'stopped', thread, signal: SIGTRAP, cause: { type: 'sw-break' } };
      case 'hw-breakpoint':
        return { kind: 'stopped', thread, signal: SIGTRAP, cause: { type: 'hw-break' } };
      case 'watch': {
        const k = Number(ev.data[1] ?? 2n);
        const kind: WatchKind = k === 3 ? 'read' : k === 4 ? 'access' : 'write';
        return {
          kind: 'stopped',
          thread,
          signal: SIGTRAP,
          cause: { type: 'watch', kind, addr: ev.data[0] ?? 0n },
        };
      }
      case 'step':
        return { kind: 'stopped', thread, signal: SIGTRAP, cause: { type: 'step' } };
      case 'requested':
        return { kind: 'stopped', thread, signal: SIGINT, cause: { type: 'interrupt' } };
      case 'syscall-entry':
        return {
          kind: 'stopped',
          thread,
          signal: SIGTRAP,
          cause: { type: 'syscall-entry', nr: Number(ev.data[0] ?? 0n) },
        };
      case 'syscall-exit':
        return {
          kind: 'stopped',
          thread,
          signal: SIGTRAP,
          cause: { type: 'syscall-return', nr: Number(ev.data[0] ?? 0n) },
        };
      case 'fork':
      case 'vfork': {
        const child = Number(ev.data[1] ?? 0n);
        return {
          kind: 'stopped',
          thread,
          signal: SIGTRAP,
          cause: { type: ev.reason, child: { pid: child, tid: child } },
        };
      }
      case 'vfork-done':
        return { kind: 'stopped', thread, signal: SIGTRAP, cause: { type: 'vfork-done' } };
      case 'new-thread':
        return { kind: 'stopped', thread, signal: SIGTRAP, cause: { type: 'thread-created' } };
      case 'exec': {
        let path = '';
        try {
          path = readlinkSync(`/proc/${this.pid}/exe`);
        } catch {
          // The process vanished; GDB gets an empty path and the exit right after.
        }
        return { kind: 'stopped', thread, signal: SIGTRAP, cause: { type: 'exec', path } };
      }
      default:
        return { kind: 'stopped', thread, signal: ev.signo || SIGTRAP, cause: { type: 'signal' } };
    }
  }

  private notifyGone(): void {
    for (const w of this.exitWaiters.splice(0)) w();
  }

  async kill(): Promise<void> {
    await this.releaseChildren(true);
    if (this.phase.kind === 'gone') return;
    const gone = new Promise<void>((resolve) => this.exitWaiters.push(resolve));
    const prev = this.listener;
    // The exit that follows a kill is ours, not news for GDB.
    this.listener = () => {};
    try {
      await call(this.engine.kill(this.pid));
    } catch (err) {
      if (!(err instanceof TargetError && err.errno === 3)) {
        this.listener = prev;
        throw err;
      }
      return;
    }
    if (this.nonStop) {
      // DEVNOTE: the ptrace engine, with every thread in a stop it reported, waits on the pidfd
      // only, and the SIGKILLed threads' exit stops never wake it: run them into the SIGKILL.
      for (const r of this.threadsByTid.values()) if (!r.running) this.resumeQuietly(r);
    }
    await gone;
  }

  async detach(): Promise<void> {
    await this.releaseChildren(false);
    if (this.phase.kind === 'gone') return;
    this.listener = () => {};
    for (const addr of this.swBreaks) {
      await this.engine
        .clearBreakpoint({ pid: this.pid, kind: 'sw', addr, len: 1 })
        .catch(() => {});
    }
    this.swBreaks.clear();
    try {
      await call(this.engine.detach(this.pid));
    } catch (err) {
      // Killed from outside while stopped, before its death was seen: nothing is left to let
      // go of, and the detach stands (gdbserver's detach_one_lwp takes ESRCH as done).
      if (!(err instanceof TargetError && err.code === 'ESRCH')) throw err;
    }
    this.phase = { kind: 'gone' };
  }

  async close(): Promise<void> {
    this.engine.off('event', this.onEvent);
  }

  /** The Target for an adopted fork child, with the groups this engine allows. */
  async adoptChildTarget(pid: number): Promise<Target> {
    return (await this.adoptChild(pid)).asTarget();
  }

  // ---- capability groups

  /** Hardware breakpoints set: gdb re-sends Z1 (no z1) to change their conditions. */
  private readonly hwBreaks = new Set<bigint>();
  private outputListener?: (text: Buffer) => void;

  readonly breakpointOps: BreakpointOps = {
    setSwBreakpoint: async (addr, exprs) => {
      await call(
        this.engine.setBreakpoint({ pid: this.pid, kind: 'sw', addr, len: 1, ...exprsOf(exprs) }),
      );
      this.swBreaks.add(addr);
    },
    updateSwBreakpoint: (addr, exprs) =>
      call(
        this.engine.setBreakpoint({
          pid: this.pid,
          kind: 'sw',
          addr,
          len: 1,
          replace: true,
          ...exprsOf(exprs),
        }),
      ),
    clearSwBreakpoint: async (addr) => {
      this.swBreaks.delete(addr);
      await call(this.engine.clearBreakpoint({ pid: this.pid, kind: 'sw', addr, len: 1 }));
    },
    setHwBreakpoint: async (addr, exprs) => {
      const replace = this.hwBreaks.has(addr);
      await call(
        this.engine.setBreakpoint({
          pid: this.pid,
          kind: 'hw',
          addr,
          len: 1,
          ...(replace ? { replace } : {}),
          ...exprsOf(exprs),
        }),
      );
      this.hwBreaks.add(addr);
    },
    clearHwBreakpoint: async (addr) => {
      this.hwBreaks.delete(addr);
      await call(this.engine.clearBreakpoint({ pid: this.pid, kind: 'hw', addr, len: 1 }));
    },
    onOutput: (listener) => {
      this.outputListener = listener;
    },
  };

  readonly watchpointOps: WatchpointOps = {
    setWatchpoint: (kind, addr, len, exprs) =>
      call(this.engine.setBreakpoint({ pid: this.pid, kind, addr, len, ...exprsOf(exprs) })),
    clearWatchpoint: (kind, addr, len) =>
      call(this.engine.clearBreakpoint({ pid: this.pid, kind, addr, len })),
  };

  readonly signalOps: SignalOps = {
    setPassSignals: async (signals) => {
      this.passSignals = new Set(signals);
      // Only a running thread can receive a signal. gdb 13 changes the set around every step
      // over a breakpoint; while nothing runs the table goes to the engine with the next resume,
      // written just ahead of it, instead of costing a round trip of its own.
      if ([...this.threadsByTid.values()].every((r) => !r.running)) {
        this.optionsDirty = true;
        return;
      }
      if (this.phase.kind !== 'gone') await this.applyOptions();
    },
    readSiginfo: async (thread) => {
      const r = this.rec(thread);
      if (r.interruptSignal) return interruptSiginfo(r.interruptSignal);
      return call(this.engine.getSiginfo(r.ref.handle, r.stopId));
    },
    writeSiginfo: (thread, data) => {
      const r = this.rec(thread);
      return call(this.engine.setSiginfo(r.ref.handle, r.stopId, data));
    },
  };

  readonly threadInfoOps: ThreadInfoOps = {
    threadDetails: async (thread) => taskStat(thread.pid, thread.tid),
  };

  readonly processInfoOps: ProcessInfoOps = {
    auxv: async () => {
      try {
        return await readFile(`/proc/${this.pid}/auxv`);
      } catch (err) {
        throw wrap(err);
      }
    },
    execFile: async () => {
      try {
        return await readlink(`/proc/${this.pid}/exe`);
      } catch (err) {
        throw wrap(err);
      }
    },
  };

  readonly execEventOps: ExecEventOps = {
    setExecEvents: async (on) => {
      this.reportExec = on;
      if (this.phase.kind !== 'gone') await this.applyOptions();
    },
  };

  readonly forkOps: ForkOps = {
    setForkEvents: async (on) => {
      this.reportFork = on;
      if (this.phase.kind !== 'gone') await this.applyOptions();
    },
    children: () => [...this.forkChildren],
    clearChildBreakpoint: (pid, addr) =>
      call(this.engine.clearBreakpoint({ pid, kind: 'sw', addr, len: 1 })),
    detachChild: async (pid) => {
      await call(this.engine.detach(pid));
      this.forkChildren.delete(pid);
      this.childEvents.delete(pid);
    },
    adoptChild: (pid) => this.adoptChildTarget(pid),
    setVforkEvents: async (on) => {
      this.reportVfork = on;
      if (this.phase.kind !== 'gone') await this.applyOptions();
    },
  };

  /** Children GDB never detached go the way of their parent. */
  private async releaseChildren(kill: boolean): Promise<void> {
    for (const pid of this.forkChildren) {
      await (kill ? this.engine.kill(pid) : this.engine.detach(pid)).catch(() => {});
    }
    this.forkChildren.clear();
    this.childEvents.clear();
  }

  readonly syscallOps: SyscallOps = {
    catchSyscalls: async (on, numbers) => {
      this.catching = { on, numbers };
      await this.applyOptions();
    },
  };

  /** What asTarget() will offer on this engine, before any process exists. */
  static capabilities(engine: Engine): Capabilities {
    const caps = engine.info.caps;
    return {
      swBreak: caps.swBreak,
      hwBreak: caps.swBreak && caps.hwBreak,
      watch: caps.hwWatch,
      rangeStep: caps.rangeStep,
      signals: true,
      siginfoWrite: caps.siginfoWrite,
      processInfo: true,
      syscalls: caps.syscallEntryStop && caps.syscallExitStop,
      execEvents: caps.execEvents,
      forkEvents: caps.forkEvents,
      vforkEvents: caps.forkEvents && caps.vforkEvents,
      nonStop: true,
      threadEvents: true,
      breakpointExprs: caps.swBreak && caps.condBytecode,
    };
  }

  /** The Target view, with the groups the engine's capabilities allow. */
  asTarget(): Target {
    const caps = this.engine.info.caps;
    const t: Target = { base: this };
    if (caps.swBreak) {
      t.breakpoints = { ...this.breakpointOps };
      if (caps.condBytecode) t.breakpoints.expressions = true;
      if (!caps.hwBreak) {
        delete t.breakpoints.setHwBreakpoint;
        delete t.breakpoints.clearHwBreakpoint;
      }
    }
    if (caps.hwWatch) t.watchpoints = this.watchpointOps;
    if (caps.rangeStep) t.rangeStep = true;
    t.signals = { ...this.signalOps };
    if (!caps.siginfoWrite) delete t.signals.writeSiginfo;
    t.threadInfo = this.threadInfoOps;
    t.processInfo = this.processInfoOps;
    if (caps.syscallEntryStop && caps.syscallExitStop) t.syscalls = this.syscallOps;
    if (caps.execEvents) t.execEvents = this.execEventOps;
    if (caps.forkEvents) {
      t.forks = { ...this.forkOps };
      if (!caps.vforkEvents) delete t.forks.setVforkEvents;
    }
    // Per-thread stop and resume are part of every provider's ABI (STOP with a handle).
    t.nonStop = this.nonStopOps;
    t.threadEvents = this.threadEventOps;
    return t;
  }
}
