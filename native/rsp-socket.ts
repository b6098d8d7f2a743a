// A connected socket whose bytes the addon moves (native/src/rsp_socket.cc): read(2) on
// readiness, write(2) from the caller's buffer. It offers the part of a Duplex that
// stub/connection.ts uses ('data', 'drain', 'end', 'close', 'error'; write, pause, resume,
// end, destroy), so the connection and everything above it do not know which path carries
// their bytes. Node's net stream path costs more CPU per packet than gdbserver's whole handling
// of one (bench/RESULTS.md, issue 13).
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface NativeRspSocket {
  write(data: Buffer): boolean;
  /** write bound to this socket: no object unwrap per call. */
  writeFn(): (data: Buffer) => boolean;
  /** write(length): buffer[0, length) written as write(buffer) would; no Buffer per call. */
  writeFromFn(buffer: Buffer): (length: number) => boolean;
  pause(): void;
  resume(): void;
  close(): void;
  setSpin(boundNs: number, watchLoad?: boolean): void;
  spinStats(): SpinStats;
}

/** The addon's busy-poll after a reply (native/src/rsp_socket.cc, kSpinBoundNs). */
export interface SpinStats {
  /** Spins started after a reply. */
  spins: number;
  /** Requests that arrived during a spin. */
  caught: number;
  /** Spins that ended at their bound with no request. */
  timedOut: number;
  /** Spins that ended because a yield gave the CPU away (it was not going to idle). */
  yielded: number;
  /** A spin is under way (the event loop is polling, not sleeping). */
  spinning: boolean;
}

interface SockAddon {
  RspSocket: new (
    fd: number,
    readBuffer: Buffer,
    onData: (length: number) => void,
    onDrain: () => void,
    onEnd: (code: string | null) => void,
  ) => NativeRspSocket;
}

/** dist/native/rsp-socket.js -> <root>/build/Release/ntrace_sock.node */
const addonPath = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../build/Release/ntrace_sock.node',
);

let cached: SockAddon | undefined;

/**
 * Node's end of a callback (runNextTicks, lib/internal/process/task_queues.js): the microtasks,
 * then the nextTick queue and unhandled rejections if any, as InternalCallbackScope::Close runs
 * them after every callback it scopes. The addon's read callback has no scope (its cost per
 * packet), so it runs this itself.
 */
const runTicks = (process as unknown as { _tickCallback: () => void })._tickCallback;

/** Bytes read at most per readiness (a request fits many times over). */
const READ_BUFFER = 65536;

/** The reply buffer's size: a frame that does not fit goes through write(buffer). */
const REPLY_BUFFER = 16384;

/** Reads shorter than this get a view kept per length (gdb's requests come in a few lengths). */
const KEPT_VIEWS = 1024;

function addon(): SockAddon {
  if (cached === undefined) cached = createRequire(import.meta.url)(addonPath) as SockAddon;
  return cached;
}

/** The fd of an accepted net.Socket's handle (TCP or Unix), if it has one. */
function handleFd(sock: Socket): number | undefined {
  const fd = (sock as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

export class NativeSocketLink extends EventEmitter {
  readonly remoteAddress: string | undefined;
  private readonly sock: NativeRspSocket;
  /** The socket's write, bound once (one reply a packet goes through it). */
  private readonly writeOut: (data: Buffer) => boolean;
  /**
   * Where a reply may be framed in place, then sent with writeReply(its length): no Buffer per
   * reply and no typed-array lookups in the addon (stub/connection.ts's Link). Its bytes are
   * the caller's again once writeReply returns (a reply the socket cannot take at once is
   * queued as a copy).
   */
  readonly replyBuffer: Buffer = Buffer.allocUnsafeSlow(REPLY_BUFFER);
  readonly writeReply: (length: number) => boolean;
  private paused = true;
  /** setDataListener's consumer: called in place of a 'data' event. */
  private dataListener: ((chunk: Buffer) => void) | undefined;
  private ended = false;
  private closed = false;

  /**
   * Takes over an accepted socket that has not read yet (a server made with pauseOnConnect):
   * the addon duplicates its fd and the net.Socket is destroyed, so one owner is left.
   */
  constructor(accepted: Socket) {
    super();
    const fd = handleFd(accepted);
    if (fd === undefined) throw new Error('the accepted socket has no fd');
    this.remoteAddress = accepted.remoteAddress;
    // Every read lands in this one buffer: a 'data' chunk is a view of it, valid until the
    // listener returns (stub/connection.ts's framer copies each packet out before that).
    const readBuffer = Buffer.allocUnsafeSlow(READ_BUFFER);
    // A read of a length seen before is handed out as the same view: no typed array per read.
    const views = new Array<Buffer | undefined>(KEPT_VIEWS).fill(undefined);
    const view = (n: number): Buffer => {
      if (n >= KEPT_VIEWS) return readBuffer.subarray(0, n);
      let v = views[n];
      if (v === undefined) {
        v = readBuffer.subarray(0, n);
        views[n] = v;
      }
      return v;
    };
    this.sock = new (addon().RspSocket)(
      fd,
      readBuffer,
      // Called with no callback scope (rsp_socket.cc, Readable): what a scope's close does
      // after it, the ticks and microtasks queued meanwhile run here, before the next read.
      (n) => {
        const listener = this.dataListener;
        if (listener !== undefined) listener(view(n));
        else this.emit('data', view(n));
        runTicks();
      },
      () => this.emit('drain'),
      (code) => this.onEnd(code),
    );
    this.writeOut = this.sock.writeFn();
    this.writeReply = this.sock.writeFromFn(this.replyBuffer);
    // NTRACE_SOCKET_SPIN_US: the busy-poll's bound after a reply in us (0: off; unset: the
    // addon's default).
    const spinUs = process.env.NTRACE_SOCKET_SPIN_US;
    if (spinUs !== undefined && spinUs !== '') this.setSpin(Number(spinUs) * 1000);
    accepted.destroy();
    this.sock.pause();
  }

  /**
   * The bound of the busy-poll after each reply (the client's next request is read without a
   * wake-up from sleep when it comes within it); 0 turns it off. `watchLoad` false: the spin
   * does not stop for a busy machine (tests that must not depend on the load).
   */
  setSpin(boundNs: number, watchLoad = true): void {
    this.sock.setSpin(Number.isFinite(boundNs) && boundNs > 0 ? boundNs : 0, watchLoad);
  }

  spinStats(): SpinStats {
    return this.sock.spinStats();
  }

  /** Reads go to `listener` directly, not as 'data' events (stub/connection.ts's Link). */
  setDataListener(listener: (chunk: Buffer) => void): void {
    this.dataListener = listener;
  }

  private onEnd(code: string | null): void {
    if (this.ended) return;
    this.ended = true;
    if (code !== null) {
      const err = new Error(`read: ${code}`) as NodeJS.ErrnoException;
      err.code = code;
      this.emit('error', err);
    } else this.emit('end');
    this.destroy();
  }

  write(data: Buffer | string): boolean {
    return this.writeOut(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  pause(): this {
    if (!this.paused) {
      this.paused = true;
      this.sock.pause();
    }
    return this;
  }

  resume(): this {
    if (this.paused && !this.ended) {
      this.paused = false;
      this.sock.resume();
    }
    return this;
  }

  isPaused(): boolean {
    return this.paused;
  }

  setNoDelay(): this {
    return this;
  }

  /** Everything written went out synchronously or is queued in the addon: closing is the end. */
  end(): this {
    return this.destroy();
  }

  destroy(): this {
    if (!this.closed) {
      this.closed = true;
      this.ended = true;
      this.sock.close();
      this.emit('close');
    }
    return this;
  }
}
