// What every handler sees: the target, what the client negotiated, and the stub-side state that
// saves round trips (register cache per stop, breakpoint set, current threads).
import { empty, error, ok } from '../rsp/replies/basic.js';
import {
  amd64Layout,
  FXSAVE_SIZE,
  type RegisterBuffers,
  type RegisterLayout,
} from './arch/amd64-registers.js';
import { SwBreakpoints } from './breakpoints.js';
import { type Dialect, dialectOf } from './dialect.js';
import type { ClientFlavour } from './lldb/client-flavour.js';
import type { InferiorAllocator, SavedRegisterStates } from './lldb/index.js';
import type { Ptid, ResumeAction, Target, TargetStop } from './target.js';
import { TargetError } from './target.js';

export interface ClientFeatures {
  multiprocess: boolean;
  swbreak: boolean;
  hwbreak: boolean;
  /** qSupported:xmlRegisters=... seen. */
  xmlRegisters: boolean;
  /** exec-events+: report execs (`exec:` stop key). */
  execEvents: boolean;
  /** fork-events+ (with multiprocess+): report forks (`fork:` stop key). */
  forkEvents: boolean;
  /** vfork-events+ (with multiprocess+): report vforks and vforkdone. */
  vforkEvents: boolean;
  /** no-resumed+: the client understands `N`, no resumed thread left. */
  noResumed?: boolean;
  /** Which debugger it is (stub/lldb/client-flavour.ts): LLDB gets its own stop keys. */
  flavour?: ClientFlavour;
  /** QListThreadsInStopReply: `threads:`/`thread-pcs:` in stop replies (LLDB). */
  threadsInStopReply?: boolean;
}

/** What a handler asks the session to do; only the session writes to the connection. */
export type HandlerResult =
  /** `errno`: the reply is that error's `E<nn>` (errorReply), for callers that act on it. */
  | { reply: string | Buffer; errno?: number }
  /** A reply already framed by rsp/ (encodeHexPacket), sent as it is. */
  | { wire: Buffer }
  /**
   * A reply of the hex digits of data[0, length) (the `m` reply from a reused read buffer):
   * framed by rsp/ (encodeHexPacketInto) straight into the link's reply buffer where it has
   * one. `data` is read before anything else can reuse it.
   */
  | { hex: Uint8Array; length: number }
  /** The target runs; the stop reply comes later. */
  | { deferred: true }
  /** Reply (if any), then end the session. */
  | { disconnect: string; reply?: string }
  /** No reply at all (k). */
  | { silent: true };

export function reply(body: string | Buffer): HandlerResult {
  return { reply: body };
}

export const OK: HandlerResult = { reply: ok() };
export const EMPTY: HandlerResult = { reply: empty() };

/** `E<nn>` from an errno (GDB manual, "Standard Replies"). */
export function errorReply(errno: number): HandlerResult {
  const e = errno & 0xff || 1;
  return { reply: error(e), errno: e };
}

export function errnoOf(err: unknown): number {
  if (err instanceof TargetError) return err.errno;
  return 5; // EIO
}

const NO_XML_LAYOUT = amd64Layout(0, 0n);

export class SessionContext {
  client: ClientFeatures = {
    multiprocess: false,
    swbreak: false,
    hwbreak: false,
    xmlRegisters: false,
    execEvents: false,
    forkEvents: false,
    vforkEvents: false,
  };
  /** Hg: the thread register and memory packets apply to. */
  generalThread: Ptid | undefined;
  /** Hg naming a reported fork child: z0 and D then apply to that process. */
  forkChild: number | undefined;
  /** The last stop reported, for `?`. */
  lastStop: TargetStop | undefined;
  private readonly fullLayout: RegisterLayout;
  readonly swBreakpoints: SwBreakpoints | undefined;
  private gprCache = new Map<number, Promise<Buffer>>();
  private fpCache = new Map<number, Promise<Buffer>>();
  /** qXfer documents being read in chunks, keyed by object:annex. */
  readonly xferCache = new Map<string, Buffer>();
  /**
   * All-stop over several processes: this one was stopped because another reported first; its
   * stop is recorded, not reported.
   */
  swallowStop = false;
  /** The session's resume count when swallowStop was set (SessionCore.resumes). */
  swallowAt = 0;
  /** Called once the stop asked for with swallowStop came, or is known not to come. */
  swallowed: (() => void) | undefined;

  /** Tells whoever waits for the swallowed stop that it is settled. */
  swallowSettled(): void {
    const done = this.swallowed;
    this.swallowed = undefined;
    done?.();
  }
  /** Offset of l_tls_modid in glibc's struct link_map, once gdb told us (handlers/tls.ts). */
  tlsModidOffset: number | undefined;
  /** The stop the process started with (launch or attach), which LLDB is told is SIGSTOP. */
  initialStop: TargetStop | undefined;
  /** LLDB's `_M`/`_m`: memory the debuggee maps for the client (stub/lldb/inferior-syscall.ts). */
  allocator: InferiorAllocator | undefined;
  /** LLDB's QSaveRegisterState snapshots. */
  savedRegisterStates: SavedRegisterStates | undefined;
  /** Host signals GDB lets the program receive (QProgramSignals), undefined: all. */
  programSignals: Set<number> | undefined;
  /**
   * Bumped by every register write: a stop reply formatted before it (stub/stop-reply.ts) is
   * stale, its expedited registers changed.
   */
  registerWrites = 0;
  /** The plan of the last all-stop resume, which a silent tracepoint hit resumes with again. */
  lastResume: ResumeAction[] | undefined;
  /**
   * Where DT_DEBUG's value lives, for the image whose auxv this is (handlers/svr4.ts): gdb asks
   * for the library list at every shared-library event; the slot only moves with an exec.
   */
  svr4Slot: { auxv: Buffer; slot: bigint } | undefined;
  /** LLDB's injected call waits here for the stop of its single step (lldb/internal-stops.ts). */
  internalStop: ((stop: TargetStop) => void) | undefined;

  constructor(readonly target: Target) {
    const r = target.base.registers;
    this.fullLayout = amd64Layout(r.xstateSize, r.xcr0);
    this.swBreakpoints = target.breakpoints ? new SwBreakpoints(target.breakpoints) : undefined;
  }

  /**
   * The registers of g/G/p/P and the stop replies: ours, described by target.xml, for a client
   * that reads descriptions (qSupported xmlRegisters=); else the layout a client without one
   * assumes, core+sse+linux+segments (560 bytes), as gdbserver's tdesc_amd64_linux_no_xml
   * (linux-x86-low.cc, use_xml). GDB omits xmlRegisters with `set remote
   * target-features-packet off` and refuses a longer g reply.
   */
  get layout(): RegisterLayout {
    return this.client.xmlRegisters ? this.fullLayout : NO_XML_LAYOUT;
  }

  get pid(): number {
    return this.target.base.pid;
  }

  /** How this client numbers signals and which LLDB replies apply (stub/dialect.ts). */
  get dialect(): Dialect {
    return dialectOf(this.client.flavour);
  }

  /** The thread for g/p/m and friends: Hg's choice, else the last stopped one, else the first. */
  currentThread(): Ptid {
    const threads = this.target.base.threads();
    const g = this.generalThread;
    if (g && threads.some((t) => t.tid === g.tid)) return g;
    const s = this.lastStop;
    if (s?.kind === 'stopped' && threads.some((t) => t.tid === s.thread.tid)) return s.thread;
    const first = threads[0];
    if (!first) throw new TargetError('no threads', 3);
    return first;
  }

  /**
   * General registers of `thread` for the current stop, fetched at most once per stop. A stop
   * event that carried them (NTRACE_STOPF_REGS) seeds this, so reporting a stop and the pc
   * checks before a resume cost no engine round trip.
   */
  gpr(thread: Ptid): Promise<Buffer> {
    let p = this.gprCache.get(thread.tid);
    if (!p) {
      p = this.target.base.readRegisters(thread, 'gpr');
      this.gprCache.set(thread.tid, p);
      p.catch(() => this.gprCache.delete(thread.tid));
    }
    return p;
  }

  /**
   * Registers a stop event carried; ignored when the cache already holds this stop's. A copy:
   * register writes change the cached buffer, and the stop's own must keep the stop's values.
   * True when it seeded the cache (the cached registers are then `gpr`'s values).
   */
  seedGpr(thread: Ptid, gpr: Buffer): boolean {
    if (this.gprCache.has(thread.tid)) return false;
    this.gprCache.set(thread.tid, Promise.resolve(Buffer.from(gpr)));
    return true;
  }

  /** All registers of `thread` for the current stop; the fp/xstate half is fetched on demand. */
  registers(thread: Ptid): Promise<RegisterBuffers> {
    let fp = this.fpCache.get(thread.tid);
    if (!fp) {
      const fpSet = this.layout.usesXsave ? 'xstate' : 'fpr';
      fp = this.target.base
        .readRegisters(thread, fpSet)
        .then((b) =>
          fpSet === 'fpr' && b.length < FXSAVE_SIZE
            ? Buffer.concat([b, Buffer.alloc(FXSAVE_SIZE - b.length)])
            : b,
        );
      this.fpCache.set(thread.tid, fp);
      fp.catch(() => this.fpCache.delete(thread.tid));
    }
    return Promise.all([this.gpr(thread), fp]).then(([gpr, f]) => ({ gpr, fp: f }));
  }

  /** Writes back the regsets that changed and keeps the cache coherent. */
  async storeRegisters(
    thread: Ptid,
    bufs: RegisterBuffers,
    changed: Set<'gpr' | 'fp'>,
  ): Promise<void> {
    const base = this.target.base;
    this.registerWrites++;
    try {
      if (changed.has('gpr')) await base.writeRegisters(thread, 'gpr', bufs.gpr);
      if (changed.has('fp'))
        await base.writeRegisters(thread, this.layout.usesXsave ? 'xstate' : 'fpr', bufs.fp);
    } catch (err) {
      this.gprCache.delete(thread.tid);
      this.fpCache.delete(thread.tid);
      throw err;
    }
  }

  /** An exec replaced the program: its breakpoints, documents and TLS layout are gone. */
  forgetExec(): void {
    this.swBreakpoints?.forgetAll();
    this.xferCache.clear();
    this.tlsModidOffset = undefined;
  }

  /** Forget everything that is only valid while stopped. */
  invalidate(): void {
    // Twice per step: Map.clear() allocates a new table even for an empty map.
    if (this.gprCache.size > 0) this.gprCache.clear();
    if (this.fpCache.size > 0) this.fpCache.clear();
    this.forkChild = undefined;
  }
}
