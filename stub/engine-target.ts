// Target on top of the ntrace Engine (native/). The work is split by job under stub/engine/:
// lifecycle.ts (launch, attach, kill, detach), options.ts (what the engine reports), all-stop.ts
// (the stop collector), non-stop.ts, fork-children.ts, events.ts (the event stream),
// translate.ts (engine stops to TargetStops), capabilities.ts, errors.ts (errno mapping). This
// file holds the class the rest of the server sees and the capability groups it offers.
import { readFileSync, readlinkSync } from 'node:fs';
import type { Engine, EngineEvent, StopEvent } from '../native/types.js';
import type { Capabilities } from './capabilities.js';
import { assertLive, hasPending, resumeAllStop } from './engine/all-stop.js';
import { engineCapabilities } from './engine/capabilities.js';
import { call, wrap } from './engine/errors.js';
import { handleEvent } from './engine/events.js';
import {
  attachProcess,
  detachProcess,
  killProcess,
  type LaunchSpec,
  launchProcess,
  runToExec,
  settle,
} from './engine/lifecycle.js';
import { nonStopOps, resumeNonStop } from './engine/non-stop.js';
import { EngineProcess } from './engine/process.js';
import { interruptSiginfo } from './engine/translate.js';
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
  WatchpointOps,
} from './target.js';
import { TargetError } from './target.js';
import { TaskStats } from './task-stat.js';

export { StartupExit } from './engine/errors.js';
export type { LaunchSpec } from './engine/lifecycle.js';

/** The engine's spelling of a Z packet's expressions (none: an unconditional breakpoint). */
function exprsOf(x: BreakpointExprs | undefined): { exprs?: BreakpointExprs } {
  return x ? { exprs: { conditions: x.conditions, commands: x.commands } } : {};
}

export class EngineTarget extends EngineProcess implements BaseOps {
  /** What this engine lets the Target offer, derived once. */
  readonly caps: Capabilities;
  private readonly onEvent = (ev: EngineEvent) => handleEvent(this, ev);
  /** Its threads' /proc stat files, for the thread list gdb reads at every stop. */
  private readonly taskStats = new TaskStats();

  private constructor(engine: Engine, pid: number, attached: boolean) {
    super(engine, pid, attached);
    this.caps = engineCapabilities(engine.info.caps);
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
    const { value: ref, early } = await launchProcess(engine, spec);
    const t = new EngineTarget(engine, ref.tgid, false);
    t.threadsByTid.set(ref.tid, { ref, stopId: 0n, running: true });
    await t.settle(early);
    if (spec.execs) {
      try {
        await runToExec(t, spec.execs);
      } catch (err) {
        await t.kill().catch(() => {});
        throw err;
      }
    }
    return t;
  }

  /** Attaches to `pid` and stops all its threads. */
  static async attach(engine: Engine, pid: number): Promise<EngineTarget> {
    const { value: infos, early } = await attachProcess(engine, pid);
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

  private settle(early: EngineEvent[]): Promise<void> {
    return settle(this, early, () => this.engine.off('event', this.onEvent));
  }

  /** What asTarget() will offer on this engine, before any process exists. */
  static capabilities(engine: Engine): Capabilities {
    return engineCapabilities(engine.info.caps);
  }

  onStop(listener: (stop: TargetStop) => void): void {
    this.listener = listener;
  }

  threads(): Ptid[] {
    // The cached list itself (BaseOps.threads: callers do not change it).
    return this.threadsByTid.ptids() as Ptid[];
  }

  readRegisters(thread: Ptid, set: Regset): Promise<Buffer> {
    const r = this.rec(thread);
    return call(this.engine.getRegs(r.ref.handle, r.stopId, set));
  }

  writeRegisters(thread: Ptid, set: Regset, data: Buffer): Promise<void> {
    const r = this.rec(thread);
    const kept = set === 'gpr' ? r.pending : undefined;
    if (kept && movedOffBreakpoint(kept, data)) {
      // GDB moved the thread off the breakpoint it hit (an inferior call, `jump`): the kept hit
      // is not news any more and the thread must run from where GDB put it, as gdbserver
      // discards a pending breakpoint status whose pc changed (thread_still_has_status_pending).
      r.pending = undefined;
    } else if (kept?.regs) {
      // A kept event reported later must not bring back the registers it stopped with.
      const { regs: _stale, ...rest } = kept;
      r.pending = rest;
    }
    return call(this.engine.setRegs(r.ref.handle, r.stopId, set, data));
  }

  readMemory(addr: bigint, length: number): Promise<Buffer> {
    return call(this.engine.readMemory(this.pid, addr, length));
  }

  readMemoryInto(addr: number | bigint, length: number, into: Buffer): number | undefined {
    try {
      return this.engine.readMemoryInto?.(this.pid, addr, length, into);
    } catch (err) {
      throw wrap(err);
    }
  }

  writeMemory(addr: bigint, data: Buffer): Promise<number> {
    return call(this.engine.writeMemory(this.pid, addr, data));
  }

  resume(actions: ResumeAction[]): Promise<void> {
    try {
      assertLive(this);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.options.nonStop ? resumeNonStop(this, actions) : resumeAllStop(this, actions);
  }

  hasPendingStop(actions: ResumeAction[]): boolean {
    return hasPending(this, actions);
  }

  async interrupt(hold = false): Promise<boolean> {
    // Collecting: the stop is on its way. Stopped with a kept event's report due (resumeAllStop):
    // that report is the stop. Otherwise stopped or gone: nothing comes.
    if (this.phase.kind !== 'gone') this.holdEvents = hold;
    if (this.phase.kind === 'collecting' || this.reportDue) return true;
    if (this.phase.kind !== 'running') return false;
    this.interruptRequested = true;
    try {
      await call(this.engine.stop(this.pid));
    } catch (err) {
      // Dead but not yet seen: the engine reports the end of every process it traces.
      if (err instanceof TargetError && err.code === 'ESRCH') return true;
      throw err;
    }
    return true;
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

  kill(): Promise<void> {
    return killProcess(this);
  }

  detach(): Promise<void> {
    return detachProcess(this);
  }

  async close(): Promise<void> {
    this.engine.off('event', this.onEvent);
    this.taskStats.close();
  }

  /**
   * Takes over a reported fork child as a process of its own (multiprocess sessions: GDB
   * debugs it as another inferior). The child stays stopped at its first stop.
   */
  async adoptChild(pid: number): Promise<EngineTarget> {
    const held = this.forks.take(pid);
    if (!held) throw new TargetError(`no fork child ${pid}`, 3, false, 'ESRCH');
    const t = new EngineTarget(this.engine, pid, false);
    t.options = this.options.copy();
    t.swBreaks = new Set(this.swBreaks);
    t.threadsByTid.set(pid, {
      ref: { handle: held.handle, tgid: pid, tid: pid },
      stopId: 0n,
      running: true,
    });
    await t.settle(held.events);
    return t;
  }

  /** The Target for an adopted fork child, with the groups this engine allows. */
  async adoptChildTarget(pid: number): Promise<Target> {
    return (await this.adoptChild(pid)).asTarget();
  }

  // ---- capability groups

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
    clearSwBreakpoint: (addr) => {
      this.swBreaks.delete(addr);
      return call(this.engine.clearBreakpoint({ pid: this.pid, kind: 'sw', addr, len: 1 }));
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
    clearHwBreakpoint: (addr) => {
      this.hwBreaks.delete(addr);
      return call(this.engine.clearBreakpoint({ pid: this.pid, kind: 'hw', addr, len: 1 }));
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
    setPassSignals: (signals) => {
      if (!this.options.setPassSignals(signals)) return undefined;
      // Only a running thread can receive a signal. gdb 13 changes the set around every step
      // over a breakpoint; while nothing runs the table goes to the engine with the next resume,
      // written just ahead of it, instead of costing a round trip of its own.
      if (!this.threadsByTid.anyRunning()) {
        this.options.dirty = true;
        return undefined;
      }
      return this.optionsChanged();
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
    threadDetails: async (thread) => this.taskStats.read(thread.pid, thread.tid),
    threadDetailsNow: (thread) => this.taskStats.read(thread.pid, thread.tid),
  };

  // Read in place, as gdbserver does: a /proc read takes microseconds, a trip through libuv's
  // thread pool far longer under load (task-stat.ts), and gdb's library list reads the auxv
  // at every shared-library event (handlers/svr4.ts).
  readonly processInfoOps: ProcessInfoOps = {
    auxv: () => call(procRead(() => readFileSync(`/proc/${this.pid}/auxv`))),
    execFile: () => call(procRead(() => readlinkSync(`/proc/${this.pid}/exe`))),
  };

  readonly execEventOps: ExecEventOps = {
    setExecEvents: (on) => {
      this.options.reportExec = on;
      return this.optionsChanged();
    },
  };

  readonly forkOps: ForkOps = {
    setForkEvents: (on) => {
      this.options.reportFork = on;
      return this.optionsChanged();
    },
    children: () => this.forks.pids(),
    clearChildBreakpoint: (pid, addr) =>
      call(this.engine.clearBreakpoint({ pid, kind: 'sw', addr, len: 1 })),
    detachChild: async (pid) => {
      await call(this.engine.detach(pid));
      this.forks.forget(pid);
    },
    adoptChild: (pid) => this.adoptChildTarget(pid),
    setVforkEvents: (on) => {
      this.options.reportVfork = on;
      return this.optionsChanged();
    },
  };

  readonly syscallOps: SyscallOps = {
    catchSyscalls: (on, numbers) => {
      this.options.catchSyscalls(on, numbers);
      return this.applyOptions();
    },
  };

  readonly nonStopOps: NonStopOps = nonStopOps(this);

  readonly threadEventOps: ThreadEventOps = {
    setThreadEvents: (on) => {
      this.options.threadEvents = on;
      return this.optionsChanged();
    },
  };

  /** The Target view, with the groups the engine's capabilities allow. */
  asTarget(): Target {
    const caps = this.caps;
    const t: Target = { base: this };
    if (caps.swBreak) {
      t.breakpoints = { ...this.breakpointOps };
      if (caps.breakpointExprs) t.breakpoints.expressions = true;
      if (!caps.hwBreak) {
        delete t.breakpoints.setHwBreakpoint;
        delete t.breakpoints.clearHwBreakpoint;
      }
    }
    if (caps.watch) t.watchpoints = this.watchpointOps;
    if (caps.rangeStep) t.rangeStep = true;
    t.signals = { ...this.signalOps };
    if (!caps.siginfoWrite) delete t.signals.writeSiginfo;
    t.threadInfo = this.threadInfoOps;
    t.processInfo = this.processInfoOps;
    if (caps.syscalls) t.syscalls = this.syscallOps;
    if (caps.execEvents) t.execEvents = this.execEventOps;
    if (caps.forkEvents) {
      t.forks = { ...this.forkOps };
      if (!caps.vforkEvents) delete t.forks.setVforkEvents;
    }
    if (caps.nonStop) t.nonStop = this.nonStopOps;
    if (caps.threadEvents) t.threadEvents = this.threadEventOps;
    return t;
  }
}

/** A kept breakpoint hit (its pc rewound to the breakpoint) whose new gpr set moves the pc. */
function movedOffBreakpoint(ev: StopEvent, gpr: Buffer): boolean {
  if (ev.reason !== 'breakpoint' && ev.reason !== 'hw-breakpoint') return false;
  return gpr.length >= RIP_OFFSET + 8 && gpr.readBigUInt64LE(RIP_OFFSET) !== ev.pc;
}

/** rip in user_regs_struct (asm/ptrace.h), the layout of a gpr set. */
const RIP_OFFSET = 16 * 8;

/** The value of a synchronous /proc read, or its failure, as a promise. */
function procRead<T>(read: () => T): Promise<T> {
  try {
    return Promise.resolve(read());
  } catch (err) {
    return Promise.reject(err);
  }
}
