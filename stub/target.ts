// The Target interface: everything the stub needs from whatever runs the debuggee. A base group
// every target has, plus optional capability groups; stub/capabilities.ts derives qSupported and
// the enabled packets from which groups are present, so "can it do X?" is asked in one place.
// Signal numbers here are host (Linux) numbers; the stub converts to GDB's numbering on the wire.

/** A thread of the debuggee as GDB names it (pid.tid). */
export interface Ptid {
  pid: number;
  tid: number;
}

/** A failed target operation: `errno` becomes `E<hex>` on the wire; `fatal` ends the session. */
export class TargetError extends Error {
  constructor(
    message: string,
    readonly errno: number,
    readonly fatal = false,
    /** The errno name when known (EPERM, ESRCH, ...). */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'TargetError';
  }
}

/** Register sets as the kernel lays them out: NT_PRSTATUS, NT_PRFPREG (fxsave), NT_X86_XSTATE. */
export type Regset = 'gpr' | 'fpr' | 'xstate';

export type WatchKind = 'write' | 'read' | 'access';

/** Why a thread stopped, as far as GDB's stop reply cares. */
export type StopCause =
  | { type: 'signal' }
  | { type: 'sw-break' }
  | { type: 'hw-break' }
  | { type: 'watch'; kind: WatchKind; addr: bigint }
  | { type: 'step' }
  /** Stopped by an interrupt request (0x03). */
  | { type: 'interrupt' }
  | { type: 'syscall-entry'; nr: number }
  | { type: 'syscall-return'; nr: number }
  | { type: 'exec'; path: string }
  /** fork-events: the child is stopped and traced until GDB detaches it. */
  | { type: 'fork'; child: Ptid }
  /** vfork-events: the parent is stopped at the vfork; the child shares its memory. */
  | { type: 'vfork'; child: Ptid }
  /** The vfork child exec'd or exited: the parent's memory is its own again. */
  | { type: 'vfork-done' }
  /** A new thread, stopped at its start (QThreadEvents: the `create` stop reason). */
  | { type: 'thread-created' };

export type TargetStop =
  | {
      kind: 'stopped';
      thread: Ptid;
      /** Host signal number, 0 when none (e.g. an interrupt). */
      signal: number;
      cause: StopCause;
      /** The thread's general registers at the stop, when the target had them at no cost. */
      gpr?: Buffer;
    }
  | { kind: 'exited'; pid: number; code: number }
  | { kind: 'signalled'; pid: number; signal: number }
  /** One thread ended while its process lives on (QThreadEvents: the `w` reply). */
  | { kind: 'thread-exited'; thread: Ptid; code: number }
  /**
   * All-stop: every thread resumed has exited and the others stay stopped (scheduler-locking
   * let one thread run): nothing is left to report a stop. GDB's `N` (no-resumed).
   */
  | { kind: 'no-resumed' };

/** One vCont action; `thread` undefined applies to every thread no earlier action named. */
export interface ResumeAction {
  thread?: Ptid;
  mode: 'continue' | 'step' | 'range';
  /** Host signal to deliver, 0 for none. */
  signal: number;
  range?: { start: bigint; end: bigint };
}

export interface BaseOps {
  /** The debuggee's process id. */
  readonly pid: number;
  /**
   * Threads in creation order. Cheap: the target caches the list until a clone or exit, so
   * the array is shared and callers must not change it.
   */
  threads(): Ptid[];
  readRegisters(thread: Ptid, set: Regset): Promise<Buffer>;
  writeRegisters(thread: Ptid, set: Regset, data: Buffer): Promise<void>;
  /** Short reads stop at the first unreadable byte; rejects (EIO) when nothing is readable. */
  readMemory(addr: bigint, length: number): Promise<Buffer>;
  /**
   * readMemory answered at once into `into` (at least `length` long), with no buffer of its
   * own: the count read, or undefined when the target cannot answer this way now (then
   * readMemory). Throws the TargetError readMemory would reject with. The address is a number
   * when it is a safe integer (gdb's `m` parsed with no BigInt), else a bigint.
   * Optional.
   */
  readMemoryInto?(addr: number | bigint, length: number, into: Buffer): number | undefined;
  /** Resolves with the number of bytes written. */
  writeMemory(addr: bigint, data: Buffer): Promise<number>;
  /**
   * Resumes per vCont rules (the leftmost matching action wins). Exactly one stop event follows,
   * reported through `onStop` once every thread is stopped again (all-stop).
   */
  resume(actions: ResumeAction[]): Promise<void>;
  /**
   * Asks a running debuggee to stop; the stop arrives through `onStop`. Resolves true when a
   * stop (or the process's end) will come through `onStop` for it; false when none will (the
   * debuggee was not running: stopped already, never resumed, or gone), so nobody waits for one.
   * `hold` (all-stop, the stop is for another process's stop reply and GDB will not hear of it):
   * an event a thread reports instead of stopping (a breakpoint hit, a signal, a fork) stays
   * kept, and the stop that comes is a plain interrupt; the next resume that would run that
   * thread reports the event without running anything (hasPendingStop), as gdbserver keeps
   * what stop_all_lwps finds (linux-low.cc, status_pending_p).
   */
  interrupt(hold?: boolean): Promise<boolean>;
  /**
   * All-stop: a resume with `actions` would report a kept event at once, running nothing (see
   * interrupt's `hold`). The session then resumes no other process, as gdbserver resumes no
   * thread while one it would resume has a pending status (linux-low.cc, resume).
   */
  hasPendingStop?(actions: ResumeAction[]): boolean;
  /**
   * An interrupt while the debuggee is stopped: a SIGINT it gets (and stops with) when resumed,
   * as gdbserver's request_interrupt sends one to its process group whenever 0x03 comes.
   */
  queueInterrupt?(): Promise<void>;
  /** The listener receives every stop; set once by the session. */
  onStop(listener: (stop: TargetStop) => void): void;
  /** Kills the debuggee and waits for it to be gone. */
  kill(): Promise<void>;
  /** Lets the debuggee run on without us. */
  detach(): Promise<void>;
  /** True when we attached to an existing process (qAttached). */
  readonly attached: boolean;
  /** The regsets the target serves, with the xsave geometry when there is one. */
  readonly registers: { xstateSize: number; xcr0: bigint };
  /** Releases the target's own resources after kill/detach. */
  close(): Promise<void>;
}

/**
 * Agent expressions of a Z packet (GDB manual, "Packets", Z0: cond_list and cmds), for targets
 * that evaluate them (BreakpointOps.expressions): the stub evaluates nothing itself.
 */
export interface BreakpointExprs {
  /** The hit is reported only if one yields non-zero (or cannot be evaluated). */
  conditions: Buffer[];
  /** Run at a hit that counts; their printf output comes through onOutput, with no stop. */
  commands: Buffer[];
}

/** Z0/z0 and Z1/z1. */
export interface BreakpointOps {
  /**
   * Sets or clears a software breakpoint; the stub batches these (see stub/breakpoints.ts).
   * Setting one sets its whole expression list (none: unconditional).
   */
  setSwBreakpoint(addr: bigint, exprs?: BreakpointExprs): Promise<void>;
  clearSwBreakpoint(addr: bigint): Promise<void>;
  /** Replaces the expressions of a breakpoint the target holds, adding no reference. */
  updateSwBreakpoint?(addr: bigint, exprs: BreakpointExprs | undefined): Promise<void>;
  setHwBreakpoint?(addr: bigint, exprs?: BreakpointExprs): Promise<void>;
  clearHwBreakpoint?(addr: bigint): Promise<void>;
  /** The target evaluates Z packets' conditions and commands (ConditionalBreakpoints+). */
  expressions?: true;
  /** Text printed by breakpoint commands (agent printf); the program did not stop for it. */
  onOutput?(listener: (text: Buffer) => void): void;
}

/** Z2/Z3/Z4. */
export interface WatchpointOps {
  setWatchpoint(kind: WatchKind, addr: bigint, len: number, exprs?: BreakpointExprs): Promise<void>;
  clearWatchpoint(kind: WatchKind, addr: bigint, len: number): Promise<void>;
}

/** QPassSignals, QProgramSignals, qXfer:siginfo. */
export interface SignalOps {
  /**
   * Host signals delivered without stopping (the engine's signal table). Undefined when the set
   * was taken without a round trip to the engine (nothing runs).
   */
  setPassSignals(signals: number[]): Promise<void> | undefined;
  /** Host signals GDB may deliver to the program (informational for the stub). */
  setProgramSignals?(signals: number[]): void;
  readSiginfo(thread: Ptid): Promise<Buffer>;
  writeSiginfo?(thread: Ptid, data: Buffer): Promise<void>;
}

/** A thread's name and the core it last ran on; either may be unknown. */
export interface ThreadDetails {
  name?: string;
  core?: number;
}

/** qXfer:threads:read and qThreadExtraInfo details. */
export interface ThreadInfoOps {
  /** Both from one look at the thread: gdb asks for the thread list at every stop. */
  threadDetails(thread: Ptid): Promise<ThreadDetails>;
  /** The same, where the answer needs no waiting (a /proc read): the per-stop list's path. */
  threadDetailsNow?(thread: Ptid): ThreadDetails;
}

/** qXfer objects read from the process. */
export interface ProcessInfoOps {
  auxv(): Promise<Buffer>;
  execFile(): Promise<string>;
}

/** exec-events: stop at exec so GDB can reload symbols and re-insert breakpoints. */
export interface ExecEventOps {
  setExecEvents(on: boolean): Promise<void>;
}

/** fork-events: the fork child stays stopped until GDB cleans it up and detaches it. */
export interface ForkOps {
  setForkEvents(on: boolean): Promise<void>;
  /** vfork and vfork-done stops (vfork-events). */
  setVforkEvents?(on: boolean): Promise<void>;
  /** Fork children reported and not yet detached. */
  children(): number[];
  /** Removes a software breakpoint the child inherited from the parent. */
  clearChildBreakpoint(pid: number, addr: bigint): Promise<void>;
  detachChild(pid: number): Promise<void>;
  /**
   * Makes a reported child a process of its own, stopped; afterwards the parent forgets it
   * (multiprocess sessions debug it as another inferior).
   */
  adoptChild?(pid: number): Promise<Target>;
}

/**
 * Non-stop mode (GDB manual, "Remote Non-Stop"): each thread stops and resumes on its own. While
 * on, `resume` touches only the threads its actions name (the others keep running or stay
 * stopped) and every thread's stop is reported through `onStop` by itself.
 */
export interface NonStopOps {
  setNonStop(on: boolean): Promise<void>;
  /**
   * Asks running threads to stop (undefined: every running thread). Each reports one stop:
   * with `signal` (host number, 0 for vCont;t) when the request stopped it, or with its own
   * event when it got there first. Threads already stopped are left alone and report nothing.
   */
  stopThreads(threads: Ptid[] | undefined, signal: number): Promise<void>;
  /** Resumed and not stopped since. */
  isRunning(thread: Ptid): boolean;
}

/** QThreadEvents: report thread creation (`create`) and exit (`w`) as stops. */
export interface ThreadEventOps {
  setThreadEvents(on: boolean): Promise<void>;
}

/** QCatchSyscalls. */
export interface SyscallOps {
  /** undefined: stop at no syscall; [] (with all=true): every syscall. */
  catchSyscalls(catching: boolean, numbers: number[]): Promise<void>;
}

export interface Target {
  base: BaseOps;
  breakpoints?: BreakpointOps;
  watchpoints?: WatchpointOps;
  /** vCont;r: the target steps while pc stays in range without reporting. */
  rangeStep?: true;
  signals?: SignalOps;
  threadInfo?: ThreadInfoOps;
  processInfo?: ProcessInfoOps;
  syscalls?: SyscallOps;
  execEvents?: ExecEventOps;
  forks?: ForkOps;
  nonStop?: NonStopOps;
  threadEvents?: ThreadEventOps;
}
