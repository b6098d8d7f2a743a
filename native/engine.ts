// The Engine over a RecordChannel: one command record per call, replies matched by seq,
// events decoded and emitted in arrival order. Provider-neutral.
import { EventEmitter } from 'node:events';
import type { RecordChannel } from './channel.js';
import {
  ABI_VERSION,
  ATTACH_KILL_ON_CLOSE,
  ATTACH_STOP,
  ATTACH_STOP_AT_EXEC,
  BACKEND_KMOD,
  BP_KINDS,
  Cmd,
  LAUNCH_NEW_PGRP,
  LAUNCH_NO_ASLR,
  OPT_ALL_STOP,
  REGSETS,
  RESUME_MODES,
  SETBP_REPLACE,
  SIG_PASS,
  SIGINFO_SIZE,
} from './constants.js';
import { errnoName } from './errno.js';
import { ComposedLaunch, eventPid } from './launch.js';
import {
  decodeCaps,
  decodeEvent,
  decodeHello,
  decodeLenData,
  decodeMemLen,
  decodeReply,
  decodeThreadList,
  decodeThreadRef,
  encodeAttach,
  encodeBp,
  encodeBpExprs,
  encodeHello,
  encodeLaunch,
  encodeMem,
  encodePid,
  encodeRegs,
  encodeResume,
  encodeSetOptions,
  encodeSiginfo,
  encodeStop,
  isReply,
} from './records.js';
import { ALL_ONES, bitmap, eventMask, signalMask } from './masks.js';
import {
  type AttachOptions,
  type BreakpointSpec,
  type Engine,
  EngineError,
  type EngineEvent,
  type HelloInfo,
  type LaunchOptions,
  type ProcessOptions,
  type Regset,
  type ResumeRequest,
  type ThreadInfo,
  type ThreadRef,
} from './types.js';

const CMD_NAMES = new Map<number, string>(
  Object.entries(Cmd).map(([name, value]) => [value, name]),
);

interface Pending {
  name: string;
  resolve: (payload: Buffer) => void;
  reject: (err: EngineError) => void;
}

export class NtraceEngine implements Engine {
  info!: HelloInfo;
  readonly channel: RecordChannel;
  #seq = 1n;
  #pending = new Map<bigint, Pending>();
  #events = new EventEmitter();
  #closed = false;
  #early: EngineEvent[] = [];
  #endError: EngineError | undefined;
  #launchComposed = false;
  #forceCompose = false;
  #launches = new Map<number, ComposedLaunch>();
  /** Commands of this tick, written together by #flush (one write, one engine pass). */
  #outbox: Buffer[] = [];
  #outSeqs: bigint[] = [];
  #flushQueued = false;

  private constructor(channel: RecordChannel) {
    this.channel = channel;
    channel.onRecord((rec) => this.#record(rec));
    channel.onEnd((code) => {
      this.#endError = new EngineError(code ?? 'ECONNRESET', 0, 'channel');
      this.#failAll(this.#endError);
      this.#failLaunches(this.#endError);
    });
  }

  /**
   * Wraps a channel and performs HELLO. Closes the channel when HELLO fails. composeLaunch
   * composes launch() even when the provider has NTRACE_CAP_LAUNCH (tests of that path).
   */
  static async open(
    channel: RecordChannel,
    opts: { composeLaunch?: boolean } = {},
  ): Promise<NtraceEngine> {
    const e = new NtraceEngine(channel);
    e.#forceCompose = opts.composeLaunch === true;
    try {
      await e.hello();
    } catch (err) {
      channel.close();
      throw err;
    }
    return e;
  }

  async hello(): Promise<HelloInfo> {
    const p = await this.#call(Cmd.HELLO, (seq) => encodeHello(seq, ABI_VERSION, ABI_VERSION));
    const h = decodeHello(p);
    const caps = decodeCaps(h.caps);
    // Without NTRACE_CAP_LAUNCH, launch() is composed from fork + ATTACH (launch.ts).
    this.#launchComposed = !caps.launch || this.#forceCompose;
    this.info = {
      abi: h.abi,
      backend: h.backend === BACKEND_KMOD ? 'kernel' : 'user',
      caps: { ...caps, launch: true },
      maxRecord: h.maxRecord,
      queueBytes: h.queueBytes,
      hwSlots: h.hwSlots,
      xstateSize: h.xstateSize,
      xcr0: h.xcr0,
    };
    return this.info;
  }

  /** True when the provider lacks NTRACE_CAP_LAUNCH and launch() is composed in the binding. */
  get launchComposed(): boolean {
    return this.#launchComposed;
  }

  async launch(opts: LaunchOptions): Promise<ThreadRef> {
    const flags =
      (opts.disableAslr ? LAUNCH_NO_ASLR : 0) | (opts.newProcessGroup ? LAUNCH_NEW_PGRP : 0);
    if (this.#launchComposed) return this.#composeLaunch(opts, flags);
    const p = await this.#call(Cmd.LAUNCH, (seq) =>
      encodeLaunch(seq, flags, opts.path, opts.cwd ?? '', opts.argv, opts.env),
    );
    return decodeThreadRef(p);
  }

  /** Fork held before exec, ATTACH (STOP_AT_EXEC, KILL_ON_CLOSE), release; the exec's STOP. */
  async #composeLaunch(opts: LaunchOptions, flags: number): Promise<ThreadRef> {
    if (this.#closed) throw new EngineError('ESHUTDOWN', 108, 'LAUNCH');
    if (this.#endError) throw this.#endError;
    const launch: ComposedLaunch = new ComposedLaunch(opts, flags, () => {
      if (this.#launches.get(launch.pid) === launch) this.#launches.delete(launch.pid);
    });
    this.#launches.set(launch.pid, launch);
    try {
      await this.attach(launch.pid, { stopAtExec: true, killOnClose: true });
      launch.release();
    } catch (err) {
      const e = err as EngineError;
      launch.fail(new EngineError(e.code ?? 'EIO', e.errno ?? 0, 'LAUNCH'));
    }
    return launch.outcome;
  }

  async attach(pid: number, opts: AttachOptions = {}): Promise<ThreadInfo[]> {
    const flags =
      (opts.stop ? ATTACH_STOP : 0) |
      (opts.killOnClose ? ATTACH_KILL_ON_CLOSE : 0) |
      (opts.stopAtExec ? ATTACH_STOP_AT_EXEC : 0);
    this.#launches.get(pid)?.forget();
    return decodeThreadList(await this.#call(Cmd.ATTACH, (seq) => encodeAttach(seq, pid, flags)));
  }

  async detach(pid: number): Promise<void> {
    await this.#call(Cmd.DETACH, (seq) => encodePid(Cmd.DETACH, seq, pid));
  }

  async kill(pid: number): Promise<void> {
    await this.#call(Cmd.KILL, (seq) => encodePid(Cmd.KILL, seq, pid));
  }

  async setOptions(pid: number, opts: ProcessOptions): Promise<void> {
    const events = eventMask(opts.events ?? {});
    const stopSignals = signalMask(opts.stopSignals);
    const syscalls =
      opts.syscalls === undefined ? new Array<bigint>(8).fill(ALL_ONES) : bitmap(opts.syscalls, 8);
    const flags = opts.allStop ? OPT_ALL_STOP : 0;
    await this.#call(Cmd.SET_OPTIONS, (seq) =>
      encodeSetOptions(seq, pid, flags, events, stopSignals, syscalls),
    );
  }

  async stop(pid: number, handle?: bigint): Promise<void> {
    await this.#call(Cmd.STOP, (seq) => encodeStop(seq, handle ?? 0n, pid));
  }

  async resume(req: ResumeRequest): Promise<void> {
    const mode = RESUME_MODES.indexOf(req.mode);
    if (mode < 0) throw new RangeError(`bad resume mode ${req.mode}`);
    const sig = req.signal === 'pass' ? SIG_PASS : (req.signal ?? 0);
    const start = req.mode === 'range-step' ? (req.range?.start ?? 0n) : 0n;
    const end = req.mode === 'range-step' ? (req.range?.end ?? 0n) : 0n;
    await this.#call(Cmd.RESUME, (seq) =>
      encodeResume(seq, req.handle, req.stopId, mode, sig, start, end),
    );
  }

  async getRegs(handle: bigint, stopId: bigint, regset: Regset): Promise<Buffer> {
    const p = await this.#call(Cmd.GET_REGS, (seq) =>
      encodeRegs(Cmd.GET_REGS, seq, handle, stopId, REGSETS[regset]),
    );
    return decodeLenData(p).data;
  }

  async setRegs(handle: bigint, stopId: bigint, regset: Regset, data: Buffer): Promise<void> {
    await this.#call(Cmd.SET_REGS, (seq) =>
      encodeRegs(Cmd.SET_REGS, seq, handle, stopId, REGSETS[regset], data),
    );
  }

  async readMemory(pid: number, addr: bigint, length: number): Promise<Buffer> {
    const p = await this.#call(Cmd.READ_MEM, (seq) =>
      encodeMem(Cmd.READ_MEM, seq, pid, addr, length),
    );
    return decodeLenData(p).data;
  }

  readMemoryInto(
    pid: number,
    addr: number | bigint,
    length: number,
    into: Buffer,
  ): number | undefined {
    // Commands queued this tick run first: their turn is the record path's.
    if (this.#closed || this.#endError || this.#outbox.length > 0) return undefined;
    const n = this.channel.readMemNow(pid, addr, length, into);
    if (n === undefined || n >= 0) return n;
    throw new EngineError(errnoName(n), -n, 'READ_MEM');
  }

  async writeMemory(pid: number, addr: bigint, data: Buffer): Promise<number> {
    const p = await this.#call(Cmd.WRITE_MEM, (seq) =>
      encodeMem(Cmd.WRITE_MEM, seq, pid, addr, data.length, data),
    );
    return decodeMemLen(p);
  }

  async getSiginfo(handle: bigint, stopId: bigint): Promise<Buffer> {
    const p = await this.#call(Cmd.GET_SIGINFO, (seq) =>
      encodeSiginfo(Cmd.GET_SIGINFO, seq, handle, stopId),
    );
    return Buffer.from(p.subarray(0, SIGINFO_SIZE));
  }

  async setSiginfo(handle: bigint, stopId: bigint, siginfo: Buffer): Promise<void> {
    if (siginfo.length !== SIGINFO_SIZE) throw new RangeError('siginfo must be 128 bytes');
    await this.#call(Cmd.SET_SIGINFO, (seq) =>
      encodeSiginfo(Cmd.SET_SIGINFO, seq, handle, stopId, siginfo),
    );
  }

  async setBreakpoint(spec: BreakpointSpec): Promise<void> {
    await this.#bp(Cmd.SET_BP, spec);
  }

  async clearBreakpoint(spec: BreakpointSpec): Promise<void> {
    await this.#bp(Cmd.CLEAR_BP, spec);
  }

  async listThreads(pid: number): Promise<ThreadInfo[]> {
    return decodeThreadList(
      await this.#call(Cmd.LIST_THREADS, (seq) => encodePid(Cmd.LIST_THREADS, seq, pid)),
    );
  }

  /** Events that arrived while nobody listened are handed to the first listener, in order. */
  on(event: 'event', listener: (ev: EngineEvent) => void): this {
    this.#events.on(event, listener);
    const early = this.#early;
    this.#early = [];
    for (const ev of early) this.#events.emit('event', ev);
    return this;
  }

  off(event: 'event', listener: (ev: EngineEvent) => void): this {
    this.#events.off(event, listener);
    return this;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.channel.close();
    this.#failAll(new EngineError('ESHUTDOWN', 108, 'close'));
    this.#failLaunches(new EngineError('ESHUTDOWN', 108, 'LAUNCH'));
  }

  #bp(type: number, spec: BreakpointSpec): Promise<Buffer> {
    const kind = BP_KINDS.indexOf(spec.kind);
    if (kind < 0) throw new RangeError(`bad breakpoint kind ${spec.kind}`);
    const exprs = type === Cmd.SET_BP ? encodeBpExprs(spec.exprs) : undefined;
    const flags = type === Cmd.SET_BP && spec.replace ? SETBP_REPLACE : 0;
    return this.#call(type, (seq) =>
      encodeBp(type, seq, spec.pid, kind, spec.addr, spec.len, exprs, flags),
    );
  }

  /**
   * Userspace engine: queues one command; every command of the current tick goes out in one
   * write at the end of it (#flush), as the ABI allows. The provider runs them all before it
   * waits for anything, so the commands of one resume plan (one per thread) start together, as
   * they would from a single gdb packet. The module keeps its own path (one write each).
   */
  #call(type: number, encode: (seq: bigint) => Buffer): Promise<Buffer> {
    const name = CMD_NAMES.get(type) ?? `0x${type.toString(16)}`;
    if (this.#closed) return Promise.reject(new EngineError('ESHUTDOWN', 108, name));
    if (this.#endError) return Promise.reject(this.#endError);
    const seq = this.#seq++;
    return new Promise<Buffer>((resolve, reject) => {
      let rec: Buffer;
      try {
        rec = encode(seq);
      } catch (err) {
        const code = (err as { code?: string }).code ?? 'EIO';
        reject(new EngineError(code, 0, name));
        return;
      }
      this.#pending.set(seq, { name, resolve, reject });
      if (this.channel.backend === 'kernel') {
        // The module's path as it has always been: each command written on its own, its
        // reply read when the fd turns readable.
        try {
          this.channel.send(rec);
        } catch (err) {
          this.#pending.delete(seq);
          const code = (err as { code?: string }).code ?? 'EIO';
          reject(new EngineError(code, 0, name));
        }
        return;
      }
      this.#outbox.push(rec);
      this.#outSeqs.push(seq);
      if (!this.#flushQueued) {
        this.#flushQueued = true;
        queueMicrotask(this.#flush);
      }
    });
  }

  /** Writes the queued commands. Their replies come back inside the write (see send()). */
  readonly #flush = (): void => {
    this.#flushQueued = false;
    const recs = this.#outbox;
    const seqs = this.#outSeqs;
    if (recs.length === 0 || this.#closed) return;
    this.#outbox = [];
    this.#outSeqs = [];
    try {
      this.channel.send(recs.length === 1 ? recs[0]! : Buffer.concat(recs));
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'EIO';
      for (const seq of seqs) {
        const p = this.#pending.get(seq);
        if (p === undefined) continue;
        this.#pending.delete(seq);
        p.reject(new EngineError(code, 0, p.name));
      }
    }
  };

  #record(rec: Buffer): void {
    if (isReply(rec)) {
      const r = decodeReply(rec);
      const p = this.#pending.get(r.seq);
      if (p === undefined) return; // a reply nobody waits for (raw use); ignore
      this.#pending.delete(r.seq);
      if (r.error === 0) p.resolve(r.payload);
      else p.reject(new EngineError(errnoName(r.error), -r.error, p.name));
      return;
    }
    const ev = decodeEvent(rec);
    if (ev === undefined) return;
    const pid = eventPid(ev);
    const launch = pid === undefined ? undefined : this.#launches.get(pid);
    for (const e of launch === undefined ? [ev] : launch.route(ev)) {
      if (this.#events.listenerCount('event') === 0) this.#early.push(e);
      else this.#events.emit('event', e);
    }
  }

  #failLaunches(err: EngineError): void {
    const launches = [...this.#launches.values()];
    this.#launches.clear();
    for (const l of launches) l.fail(err);
  }

  #failAll(err: EngineError): void {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) p.reject(new EngineError(err.code, err.errno, p.name));
  }
}
