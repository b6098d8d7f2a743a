// The typed surface of an ntrace session, whatever provides it (the kernel module's /dev/ntrace
// or the userspace ptrace engine). Mirrors kmod/include/uapi/ntrace.h; knows nothing of gdb.

/** Which provider serves the session. */
export type Backend = 'kernel' | 'user';
export type BackendChoice = Backend | 'auto';

export interface HelloInfo {
  abi: number;
  backend: Backend;
  caps: Caps;
  maxRecord: number;
  queueBytes: number;
  /** Debug-register slots usable for hardware breakpoints and watchpoints. */
  hwSlots: number;
  /** Size of the xsave area, 0 when the provider has no xstate regset. */
  xstateSize: number;
  xcr0: bigint;
}

/** Capability flags decoded from NTRACE_CAP_*. A false is an honest "cannot". */
export interface Caps {
  /** launch() works: NTRACE_CAP_LAUNCH, or composed by the binding from ATTACH (launch.ts). */
  launch: boolean;
  swBreak: boolean;
  hwBreak: boolean;
  hwWatch: boolean;
  rangeStep: boolean;
  syscallEntryStop: boolean;
  syscallExitStop: boolean;
  exitStopLive: boolean;
  forkEvents: boolean;
  vforkEvents: boolean;
  execEvents: boolean;
  cloneEvents: boolean;
  xstate: boolean;
  siginfoWrite: boolean;
  allStop: boolean;
  signalFilter: boolean;
  condBytecode: boolean;
  syscallFilter: boolean;
  /** STOP records carry the GPRs (NTRACE_CAP_STOP_REGS); optional for older Caps literals. */
  stopRegs?: boolean;
}

export interface ThreadRef {
  /** Session-unique, never reused. */
  handle: bigint;
  tgid: number;
  tid: number;
}

export type ThreadState = 'running' | 'stopped' | 'exiting';

export interface ThreadInfo extends ThreadRef {
  /** Current stop, 0n while running. */
  stopId: bigint;
  state: ThreadState;
}

export interface LaunchOptions {
  path: string;
  argv: string[];
  env: string[];
  /** Empty or undefined: inherit the opener's working directory. */
  cwd?: string;
  disableAslr?: boolean;
  newProcessGroup?: boolean;
}

export interface AttachOptions {
  /** Stop every thread (each reports a STOP with reason 'attach'). */
  stop?: boolean;
  killOnClose?: boolean;
  /** The next exec stops with reason 'launch'. */
  stopAtExec?: boolean;
}

export interface EventSelection {
  clone?: boolean;
  fork?: boolean;
  vfork?: boolean;
  vforkDone?: boolean;
  exec?: boolean;
  exit?: boolean;
  syscallEntry?: boolean;
  syscallExit?: boolean;
  threadReports?: boolean;
}

export interface ProcessOptions {
  allStop?: boolean;
  events?: EventSelection;
  /** Linux signal numbers that stop and report; every other signal is delivered silently. */
  stopSignals?: Iterable<number>;
  /** Syscall numbers to report; undefined: all of them. */
  syscalls?: Iterable<number>;
}

export type ResumeMode = 'cont' | 'step' | 'range-step' | 'syscall';

export interface ResumeRequest {
  handle: bigint;
  /** 0n: whatever the current stop is. */
  stopId: bigint;
  mode: ResumeMode;
  /** undefined or 0: no signal; 'pass': the stop's own signal; > 0: that Linux signal. */
  signal?: number | 'pass';
  /** For 'range-step': step while start <= pc < end. */
  range?: { start: bigint; end: bigint };
}

/** NT_PRSTATUS (gpr, 216 bytes), NT_PRFPREG (fpr, 512 bytes fxsave), NT_X86_XSTATE. */
export type Regset = 'gpr' | 'fpr' | 'xstate';

export type BreakpointKind = 'sw' | 'hw' | 'write' | 'read' | 'access';

export interface BreakpointSpec {
  pid: number;
  kind: BreakpointKind;
  addr: bigint;
  /** Watchpoint length 1, 2, 4 or 8; ignored for 'sw'. */
  len: number;
  /**
   * GDB agent expressions evaluated by the engine at each hit (needs caps.condBytecode); a
   * setBreakpoint sets the breakpoint's whole list (none: unconditional), as gdb's Z packets do.
   */
  exprs?: BreakpointExprs;
  /** Only replace the expressions of the existing breakpoint; no new reference. */
  replace?: boolean;
}

export interface BreakpointExprs {
  /** The hit counts when one yields non-zero (or fails: an unreadable address, the budget). */
  conditions?: Buffer[];
  /** Run when the hit counts (dprintf's agent printf); a breakpoint with commands never stops. */
  commands?: Buffer[];
}

export type StopReason =
  | 'attach'
  | 'requested'
  | 'signal'
  | 'breakpoint'
  | 'step'
  | 'watch'
  | 'hw-breakpoint'
  | 'syscall-entry'
  | 'syscall-exit'
  | 'clone'
  | 'fork'
  | 'vfork'
  | 'vfork-done'
  | 'exec'
  | 'exit'
  | 'launch'
  | 'new-thread';

export interface StopEvent {
  type: 'stop';
  seq: bigint;
  thread: ThreadRef;
  stopId: bigint;
  reason: StopReason;
  /** Linux signal number of the stop, 0 when none. */
  signo: number;
  pc: bigint;
  sp: bigint;
  /** Reason-specific words, see ntrace.h (e.g. data[0] = watch address, new handle, nr). */
  data: bigint[];
  /** 128 bytes of siginfo_t for 'signal' stops. */
  siginfo: Buffer;
  /**
   * The thread's GPRs read at the stop, 216 bytes laid out as getRegs(handle, stopId, 'gpr')
   * returns them, when the provider sends them (caps.stopRegs, NTRACE_STOPF_REGS).
   */
  regs?: Buffer;
}

export interface ThreadNewEvent {
  type: 'thread-new';
  seq: bigint;
  thread: ThreadRef;
  parent: bigint;
}

export interface ThreadExitEvent {
  type: 'thread-exit';
  seq: bigint;
  thread: ThreadRef;
  code: number;
}

export interface ProcessExitEvent {
  type: 'process-exit';
  seq: bigint;
  thread: ThreadRef;
  pid: number;
  /** Decoded wait status. */
  exit: { code: number } | { signal: number };
}

export interface DetachedEvent {
  type: 'detached';
  seq: bigint;
  pid: number;
  reason: 'request' | 'privilege' | 'gone';
}

/** Text a breakpoint command printed (agent printf); the thread did not stop. */
export interface OutputEvent {
  type: 'output';
  seq: bigint;
  thread: ThreadRef;
  /** The breakpoint's address. */
  addr: bigint;
  text: Buffer;
  truncated: boolean;
}

export interface LostEvent {
  type: 'lost';
  seq: bigint;
  count: bigint;
  firstSeq: bigint;
}

export type EngineEvent =
  | StopEvent
  | ThreadNewEvent
  | ThreadExitEvent
  | ProcessExitEvent
  | DetachedEvent
  | LostEvent
  | OutputEvent;

/** A failed command: `code` is the errno name (ESTALE, ESRCH, EPERM, ...). */
export class EngineError extends Error {
  constructor(
    readonly code: string,
    readonly errno: number,
    readonly command: string,
  ) {
    super(`${command}: ${code}`);
    this.name = 'EngineError';
  }
}

/**
 * One ntrace session. Every method sends one command record and resolves with its reply or
 * rejects with EngineError. Commands issued in the same tick may be written together.
 */
export interface Engine {
  readonly info: HelloInfo;
  launch(opts: LaunchOptions): Promise<ThreadRef>;
  attach(pid: number, opts?: AttachOptions): Promise<ThreadInfo[]>;
  detach(pid: number): Promise<void>;
  kill(pid: number): Promise<void>;
  setOptions(pid: number, opts: ProcessOptions): Promise<void>;
  /** handle undefined: every thread of pid. */
  stop(pid: number, handle?: bigint): Promise<void>;
  resume(req: ResumeRequest): Promise<void>;
  getRegs(handle: bigint, stopId: bigint, regset: Regset): Promise<Buffer>;
  setRegs(handle: bigint, stopId: bigint, regset: Regset, data: Buffer): Promise<void>;
  /** Short reads stop at the first unreadable byte; rejects with EIO when nothing was read. */
  readMemory(pid: number, addr: bigint, length: number): Promise<Buffer>;
  /**
   * readMemory run in the caller's turn with no command record, its bytes straight into
   * `into` (at least `length` long): the count read (0 only for a length of 0). Throws the
   * EngineError readMemory would reject with. Undefined when the answer cannot be had this way
   * now (the kernel provider, commands queued this tick, records not yet delivered, arguments
   * the record path must judge): use readMemory.
   */
  readMemoryInto?(
    pid: number,
    addr: number | bigint,
    length: number,
    into: Buffer,
  ): number | undefined;
  /** Resolves with the number of bytes written. */
  writeMemory(pid: number, addr: bigint, data: Buffer): Promise<number>;
  getSiginfo(handle: bigint, stopId: bigint): Promise<Buffer>;
  setSiginfo(handle: bigint, stopId: bigint, siginfo: Buffer): Promise<void>;
  setBreakpoint(spec: BreakpointSpec): Promise<void>;
  clearBreakpoint(spec: BreakpointSpec): Promise<void>;
  listThreads(pid: number): Promise<ThreadInfo[]>;
  /** Events in arrival order. */
  on(event: 'event', listener: (ev: EngineEvent) => void): this;
  off(event: 'event', listener: (ev: EngineEvent) => void): this;
  /** Ends the session (launched processes die, attached ones run on). Idempotent. */
  close(): Promise<void>;
}

export interface OpenOptions {
  backend?: BackendChoice;
}
