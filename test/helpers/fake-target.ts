// An in-memory Target with scripted stops, for session and handler tests. Memory is a set of
// mapped ranges (reads past them are short, as on a real process); registers are plain buffers;
// every call is logged so tests can assert what reached the target.
import type {
  BaseOps,
  BreakpointOps,
  ProcessInfoOps,
  Ptid,
  Regset,
  ResumeAction,
  SignalOps,
  Target,
  TargetStop,
  ThreadInfoOps,
  WatchKind,
  WatchpointOps,
} from '../../stub/target.js';
import { TargetError } from '../../stub/target.js';

export interface FakeRegion {
  start: bigint;
  data: Buffer;
}

export class FakeTarget implements BaseOps {
  readonly calls: string[] = [];
  readonly regions: FakeRegion[] = [];
  readonly gpr = new Map<number, Buffer>();
  readonly fpr = new Map<number, Buffer>();
  readonly xstate = new Map<number, Buffer>();
  threadList: Ptid[];
  killed = false;
  detached = false;
  running = false;
  lastResume: ResumeAction[] = [];
  /** Stops handed out, in order, one per resume (and for interrupts). */
  readonly script: TargetStop[] = [];
  /** An event of the target's own that the next interrupt meets instead of its stop. */
  raced: TargetStop | undefined;
  /** Kept by interrupt(true) (BaseOps.interrupt): the next resume reports it, running nothing. */
  kept: TargetStop | undefined;
  readonly swBreaks = new Set<bigint>();
  /** Awaited by clearSwBreakpoint: a test holds a resume's breakpoint sync open with it. */
  breakpointGate: Promise<void> = Promise.resolve();
  readonly watches = new Set<string>();
  passSignals: number[] = [];
  private listener: (stop: TargetStop) => void = () => {};

  constructor(
    readonly pid = 1000,
    tids: number[] = [1000],
    readonly attached = false,
    readonly registers = { xstateSize: 0, xcr0: 0n },
  ) {
    this.threadList = tids.map((tid) => ({ pid, tid }));
    for (const tid of tids) {
      const g = Buffer.alloc(216);
      // rip (slot 16) and rsp (slot 19) get recognisable values.
      g.writeBigUInt64LE(0x401000n + BigInt(tid), 16 * 8);
      g.writeBigUInt64LE(0x7ffe0000n, 19 * 8);
      this.gpr.set(tid, g);
      this.fpr.set(tid, Buffer.alloc(512));
      if (registers.xstateSize) this.xstate.set(tid, Buffer.alloc(registers.xstateSize));
    }
  }

  map(start: bigint, data: Buffer): this {
    this.regions.push({ start, data });
    return this;
  }

  threads(): Ptid[] {
    return this.threadList;
  }

  private regs(set: Regset): Map<number, Buffer> {
    return set === 'gpr' ? this.gpr : set === 'fpr' ? this.fpr : this.xstate;
  }

  async readRegisters(thread: Ptid, set: Regset): Promise<Buffer> {
    this.calls.push(`readRegisters ${thread.tid} ${set}`);
    const b = this.regs(set).get(thread.tid);
    if (!b) throw new TargetError('no such thread', 3);
    return Buffer.from(b);
  }

  async writeRegisters(thread: Ptid, set: Regset, data: Buffer): Promise<void> {
    this.calls.push(`writeRegisters ${thread.tid} ${set}`);
    if (!this.regs(set).has(thread.tid)) throw new TargetError('no such thread', 3);
    this.regs(set).set(thread.tid, Buffer.from(data));
  }

  private find(addr: bigint): { r: FakeRegion; off: number } | undefined {
    for (const r of this.regions) {
      if (addr >= r.start && addr < r.start + BigInt(r.data.length))
        return { r, off: Number(addr - r.start) };
    }
    return undefined;
  }

  async readMemory(addr: bigint, length: number): Promise<Buffer> {
    this.calls.push(`readMemory ${addr.toString(16)} ${length}`);
    const out: number[] = [];
    for (let i = 0; i < length; i++) {
      const hit = this.find(addr + BigInt(i));
      if (!hit) break;
      out.push(hit.r.data[hit.off]!);
    }
    if (out.length === 0 && length > 0) throw new TargetError('unmapped', 5);
    return Buffer.from(out);
  }

  async writeMemory(addr: bigint, data: Buffer): Promise<number> {
    this.calls.push(`writeMemory ${addr.toString(16)} ${data.length}`);
    let n = 0;
    for (; n < data.length; n++) {
      const hit = this.find(addr + BigInt(n));
      if (!hit) break;
      hit.r.data[hit.off] = data[n]!;
    }
    if (n === 0 && data.length > 0) throw new TargetError('unmapped', 5);
    return n;
  }

  async resume(actions: ResumeAction[]): Promise<void> {
    this.calls.push(
      `resume ${JSON.stringify(actions, (_, v) => (typeof v === 'bigint' ? v.toString(16) : v))}`,
    );
    this.lastResume = actions;
    this.running = true;
    const next = this.kept ?? this.script.shift();
    this.kept = undefined;
    if (next) setImmediate(() => this.report(next));
  }

  /** Delivers a stop now (for stops a test scripts by hand). */
  report(stop: TargetStop): void {
    this.running = false;
    this.listener(stop);
  }

  /**
   * A running target stops with SIGINT, once; a stopped one says no stop follows. An event it
   * met first (`raced`) is the stop, or with `hold` is kept for the next resume.
   */
  async interrupt(hold = false): Promise<boolean> {
    this.calls.push(hold ? 'interrupt hold' : 'interrupt');
    if (!this.running) return false;
    const t = this.threadList[0]!;
    let stop: TargetStop = { kind: 'stopped', thread: t, signal: 2, cause: { type: 'interrupt' } };
    if (this.raced) {
      if (hold) this.kept = this.raced;
      else stop = this.raced;
      this.raced = undefined;
    }
    setImmediate(() => this.report(stop));
    return true;
  }

  hasPendingStop(): boolean {
    return this.kept !== undefined;
  }

  /** Like the engine's kill(SIGINT): the next resume stops at once with SIGINT. */
  async queueInterrupt(): Promise<void> {
    this.calls.push('queueInterrupt');
    const t = this.threadList[0]!;
    this.script.unshift({ kind: 'stopped', thread: t, signal: 2, cause: { type: 'signal' } });
  }

  onStop(listener: (stop: TargetStop) => void): void {
    this.listener = listener;
  }

  async kill(): Promise<void> {
    this.calls.push('kill');
    this.killed = true;
  }

  async detach(): Promise<void> {
    this.calls.push('detach');
    this.detached = true;
  }

  async close(): Promise<void> {
    this.calls.push('close');
  }

  readonly breakpointOps: BreakpointOps = {
    setSwBreakpoint: async (addr) => {
      this.calls.push(`setSw ${addr.toString(16)}`);
      if (!this.find(addr)) throw new TargetError('unmapped', 14);
      this.swBreaks.add(addr);
    },
    clearSwBreakpoint: async (addr) => {
      this.calls.push(`clearSw ${addr.toString(16)}`);
      await this.breakpointGate;
      this.swBreaks.delete(addr);
    },
    setHwBreakpoint: async (addr) => {
      this.calls.push(`setHw ${addr.toString(16)}`);
    },
    clearHwBreakpoint: async (addr) => {
      this.calls.push(`clearHw ${addr.toString(16)}`);
    },
  };

  readonly watchpointOps: WatchpointOps = {
    setWatchpoint: async (kind: WatchKind, addr, len) => {
      this.calls.push(`setWatch ${kind} ${addr.toString(16)} ${len}`);
      if (this.watches.size >= 4) throw new TargetError('no debug register left', 28);
      this.watches.add(`${kind}:${addr}:${len}`);
    },
    clearWatchpoint: async (kind: WatchKind, addr, len) => {
      this.calls.push(`clearWatch ${kind} ${addr.toString(16)} ${len}`);
      this.watches.delete(`${kind}:${addr}:${len}`);
    },
  };

  readonly signalOps: SignalOps = {
    setPassSignals: async (signals) => {
      this.calls.push(`pass ${signals.join(',')}`);
      this.passSignals = signals;
    },
    readSiginfo: async () => {
      const b = Buffer.alloc(128);
      b.writeInt32LE(11, 0);
      return b;
    },
    writeSiginfo: async () => {},
  };

  readonly threadInfoOps: ThreadInfoOps = {
    threadDetails: async (t) => ({ name: `fake-${t.tid}`, core: 1 }),
  };

  readonly processInfoOps: ProcessInfoOps = {
    auxv: async () =>
      Buffer.from([
        6, 0, 0, 0, 0, 0, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0,
      ]),
    execFile: async () => '/fake/prog',
  };

  asTarget(
    groups: Partial<
      Record<
        'breakpoints' | 'watchpoints' | 'signals' | 'threadInfo' | 'processInfo' | 'rangeStep',
        boolean
      >
    > = {},
  ): Target {
    const all = {
      breakpoints: true,
      watchpoints: true,
      signals: true,
      threadInfo: true,
      processInfo: true,
      rangeStep: true,
      ...groups,
    };
    const t: Target = { base: this };
    if (all.breakpoints) t.breakpoints = this.breakpointOps;
    if (all.watchpoints) t.watchpoints = this.watchpointOps;
    if (all.signals) t.signals = this.signalOps;
    if (all.threadInfo) t.threadInfo = this.threadInfoOps;
    if (all.processInfo) t.processInfo = this.processInfoOps;
    if (all.rangeStep) t.rangeStep = true;
    return t;
  }
}
