// Warming the packet path before the first client. V8 compiles a function well only after it
// has run for a while: the first few hundred packets of a session used to take 2-4 times as
// long as the later ones. While the server waits for its first connection, a session over an
// in-memory stream and an in-memory process runs the packets gdb sends per breakpoint hit and
// step (framing, parsing, dispatch, handlers, stop replies, encoding: the same code a client
// reaches), in slices that leave the event loop free, and stops as soon as a client connects.
// A few times along the way it also runs what gdb sends once per connection (target
// description, library list, auxv, host I/O reads of 64 KiB, qSymbol): cold, those cost a
// session tens of milliseconds (their byte loops over 64 KiB replies run in the interpreter
// until V8 compiles them). Nothing here touches a real process; host I/O reads our own
// executable. The server starts it right after the listen, while the program launches, so it
// adds nothing to the time before "Listening on port".
import { EventEmitter } from 'node:events';
import { encodePacket } from '../rsp/encoder.js';
import { decodeBody } from '../rsp/framer.js';
import { GPR_SIZE } from './arch/amd64-registers.js';
import type { Link } from './connection.js';
import { Session } from './session.js';
import type { BaseOps, Ptid, ResumeAction, Target, TargetStop } from './target.js';

/** A pid no real process has (above the kernel's PID_MAX_LIMIT). */
const PID = 0x7ffffff0;
const CODE = 0x401000n;
const RIP_OFFSET = 16 * 8;

/**
 * A page with what qXfer:libraries-svr4 walks (stub/handlers/svr4.ts): the program headers
 * (PT_PHDR, PT_DYNAMIC) that the auxv points at, a dynamic section with DT_DEBUG, r_debug and a
 * link_map list of the program and one library.
 */
const DATA = 0x600000n;
const PHDR = 0x40;
const DYNAMIC = 0x200;
const R_DEBUG = 0x300;
const LINK_MAP = 0x400;
const LIB_NAME = 0x500;

function dataPage(): Buffer {
  const page = Buffer.alloc(0x1000);
  const at = (off: number) => DATA + BigInt(off);
  page.writeUInt32LE(6, PHDR); // PT_PHDR
  page.writeBigUInt64LE(at(PHDR), PHDR + 16);
  page.writeUInt32LE(2, PHDR + 56); // PT_DYNAMIC
  page.writeBigUInt64LE(at(DYNAMIC), PHDR + 56 + 16);
  page.writeBigInt64LE(21n, DYNAMIC); // DT_DEBUG (DT_NULL after it)
  page.writeBigUInt64LE(at(R_DEBUG), DYNAMIC + 8);
  page.writeUInt32LE(1, R_DEBUG); // r_version
  page.writeBigUInt64LE(at(LINK_MAP), R_DEBUG + 8); // r_map
  // link_map: l_addr, l_name, l_ld, l_next, l_prev; the program, then one library.
  page.writeBigUInt64LE(at(LINK_MAP + 40), LINK_MAP + 24);
  page.writeBigUInt64LE(at(LIB_NAME), LINK_MAP + 40 + 8);
  page.writeBigUInt64LE(at(LINK_MAP), LINK_MAP + 40 + 32);
  page.write('/lib/warm-up.so\0', LIB_NAME, 'latin1');
  return page;
}

/** AT_PHDR, AT_PHNUM, AT_NULL. */
function auxv(): Buffer {
  const b = Buffer.alloc(48);
  b.writeBigUInt64LE(3n, 0);
  b.writeBigUInt64LE(DATA + BigInt(PHDR), 8);
  b.writeBigUInt64LE(5n, 16);
  b.writeBigUInt64LE(2n, 24);
  return b;
}

/** One process, one thread, a page of code; every resume ends in a step stop at once. */
class WarmProcess implements BaseOps {
  readonly pid = PID;
  readonly attached = false;
  readonly registers = { xstateSize: 0, xcr0: 0n };
  private readonly list: Ptid[] = [{ pid: PID, tid: PID }];
  private readonly gpr = Buffer.alloc(GPR_SIZE);
  private readonly page = Buffer.alloc(0x1000, 0x90);
  private readonly data = dataPage();
  private listener: (stop: TargetStop) => void = () => {};

  constructor() {
    this.gpr.writeBigUInt64LE(CODE, RIP_OFFSET);
  }

  threads(): Ptid[] {
    return this.list;
  }
  readRegisters(_t: Ptid, set: string): Promise<Buffer> {
    return Promise.resolve(set === 'gpr' ? Buffer.from(this.gpr) : Buffer.alloc(512));
  }
  writeRegisters(): Promise<void> {
    return Promise.resolve();
  }
  readMemory(addr: bigint, length: number): Promise<Buffer> {
    try {
      return Promise.resolve(this.bytes(addr, length));
    } catch (err) {
      return Promise.reject(err);
    }
  }
  private bytes(addr: bigint, length: number): Buffer {
    const inData = addr >= DATA;
    const page = inData ? this.data : this.page;
    const off = Number(addr - (inData ? DATA : CODE));
    if (off < 0 || off >= page.length) throw new Error('EIO');
    return Buffer.from(page.subarray(off, off + length));
  }
  readMemoryInto(addr: number | bigint, length: number, into: Buffer): number {
    const data = this.bytes(BigInt(addr), length);
    return data.copy(into, 0, 0, Math.min(length, into.length));
  }
  writeMemory(_addr: bigint, data: Buffer): Promise<number> {
    return Promise.resolve(data.length);
  }
  resume(actions: ResumeAction[]): Promise<void> {
    const step = actions.some((a) => a.mode !== 'continue');
    const stop: TargetStop = {
      kind: 'stopped',
      thread: this.list[0]!,
      signal: 5,
      cause: step ? { type: 'step' } : { type: 'sw-break' },
      gpr: Buffer.from(this.gpr),
    };
    setImmediate(() => this.listener(stop));
    return Promise.resolve();
  }
  interrupt(): Promise<boolean> {
    return Promise.resolve(false);
  }
  onStop(listener: (stop: TargetStop) => void): void {
    this.listener = listener;
  }
  kill(): Promise<void> {
    return Promise.resolve();
  }
  detach(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

function warmTarget(): Target {
  const base = new WarmProcess();
  const done = () => Promise.resolve();
  return {
    base,
    breakpoints: { setSwBreakpoint: done, clearSwBreakpoint: done },
    signals: {
      setPassSignals: () => undefined,
      readSiginfo: () => Promise.resolve(Buffer.alloc(128)),
    },
    // Both, like the engine's: qXfer:threads takes the synchronous one sessions use.
    threadInfo: {
      threadDetails: () => Promise.resolve({ name: 'warm', core: 0 }),
      threadDetailsNow: () => ({ name: 'warm', core: 0 }),
    },
    processInfo: {
      auxv: () => Promise.resolve(auxv()),
      execFile: () => Promise.resolve(process.execPath),
    },
  };
}

const THREAD = `p${PID.toString(16)}.${PID.toString(16)}`;
const ADDR = CODE.toString(16);

/** What gdb sends around one breakpoint hit and one stepi (the bench's loops among them). */
const UNIT = [
  'QPassSignals:e;10;14;17;1a;1b;1c;21;24;25;2c;4c;97;',
  `z0,${ADDR},1`,
  `vCont;s:${THREAD}`,
  `Z0,${ADDR},1`,
  'QPassSignals:',
  'vCont;c',
  'qXfer:threads:read::0,1000',
  `m${ADDR},40`,
  'g',
  'p10',
];

const HELLO = [
  'qSupported:multiprocess+;swbreak+;hwbreak+;qRelocInsn+;fork-events+;vfork-events+;exec-events+;vContSupported+;QThreadEvents+;no-resumed+',
  'vMustReplyEmpty',
  'Hgp0.0',
  '?',
  'qC',
  'qAttached',
];

/**
 * What gdb sends once per connection after the handshake, in its order: run a few times among
 * the rounds. Host I/O reads two 64 KiB blocks of our own executable (binary replies, escaped).
 */
export function connectPackets(): string[] {
  const exe = Buffer.from(process.execPath).toString('hex');
  const pid = PID.toString(16);
  return [
    'QProgramSignals:0;1;3;4;6;7;8;9;a;b;c;d;e;f;10;11;12;13;14;15;16;17;18;19;1a;1b;1c;1d;1e;1f;',
    'qXfer:features:read:target.xml:0,1000',
    'qXfer:features:read:target.xml:1000,1000',
    'QNonStop:0',
    'qTStatus',
    'qTfV',
    'qXfer:threads:read::0,1000',
    `qXfer:exec-file:read:${pid}:0,1000`,
    // In our own filesystem view by pid: paths resolve under /proc/PID/root, as for gdb's.
    `vFile:setfs:${process.pid.toString(16)}`,
    `vFile:open:${exe},0,0`,
    'vFile:pread:3,10000,0',
    'vFile:pread:3,10000,10000',
    'vFile:fstat:3',
    'vFile:close:3',
    'vFile:setfs:0',
    'qOffsets',
    'qXfer:auxv:read::0,1000',
    'qXfer:libraries-svr4:read::0,1000',
    'qSymbol::',
    // gdb does not know the symbol asked for (libthread_db's): the lookup ends.
    'qSymbol::5f7468726561645f64625f6c696e6b5f6d61705f6c5f746c735f6d6f646964',
    'qTfP',
  ];
}

/**
 * The rounds after which connectPackets() run (once each). Not before the fifth: a client that
 * connects at once (a benchmark's; the warm-up has only the launch's few ms then) finds the
 * per-hit path further along, while gdb, which connects a few hundred ms after "Listening",
 * still finds the connect packets run well before it comes.
 */
export const CONNECT_AT = [5, 15, 40];

/** Packets per round. */
export const ROUND = UNIT.length;

export interface WarmUpResult {
  packets: number;
  errors: string[];
  /** The replies to the first run of connectPackets(), in order (latin1), for tests. */
  connectReplies: string[];
}

export interface WarmUp {
  /** Stops after the packet in flight; resolves once the warm-up session has ended. */
  stop(): Promise<void>;
  /** Packets answered, and the ones answered with an error (none, if the path is whole). */
  readonly done: Promise<WarmUpResult>;
  /** Packets sent so far, the one in flight included. */
  sent(): number;
}

/**
 * The client's end, as light as it can be: an emitter like the addon's socket
 * (native/rsp-socket.ts), so the warm-up's CPU goes to the server's path and not to stream
 * machinery or to parsing the replies again. The session writes each reply whole, in one write.
 */
export class WarmLink extends EventEmitter implements Link {
  /** Called with each reply's raw body (between `$` and `#`). */
  onReply: (raw: Buffer) => void = () => {};
  private paused = true;

  write(data: Buffer): boolean {
    // Acks (`+`, before no-ack mode) carry no reply.
    if (data[0] === 0x24) this.onReply(data.subarray(1, data.length - 3));
    return true;
  }
  pause(): this {
    this.paused = true;
    return this;
  }
  resume(): this {
    this.paused = false;
    return this;
  }
  isPaused(): boolean {
    return this.paused;
  }
  end(): this {
    return this;
  }
  destroy(): this {
    return this;
  }
}

/** What a warm-up's rounds use: one packet sent and its reply awaited; whether it was stopped. */
export interface WarmDriver {
  /** Sends `body` and waits for the reply's raw body; an error reply is noted in the result. */
  ask(body: string): Promise<Buffer>;
  stopped(): boolean;
  readonly session: Session;
}

/** A reply as text (escapes and run lengths undone); only errors and the tests need it. */
function text(raw: Buffer): string {
  const d = decodeBody(raw, 0x20000);
  return d.ok ? Buffer.from(d.body).toString('latin1') : '';
}

/**
 * A warm-up session on `target` over a WarmLink: the no-ack handshake, the `hello` packets, then
 * `rounds` (which returns the connect replies the tests read, if any); at the end the session is
 * ended and `release` runs. `stop()` lets the packet in flight finish and sends no more.
 */
export function startWarmUp(
  target: Target,
  hello: readonly string[],
  rounds: (w: WarmDriver) => Promise<string[]>,
  release?: () => void,
): WarmUp {
  let stopped = false;
  let sent = 0;
  let waiting: ((raw: Buffer) => void) | undefined;
  const link = new WarmLink();
  link.onReply = (raw) => {
    const w = waiting;
    waiting = undefined;
    w?.(raw);
  };
  const session = new Session(link, target);
  const request = (body: string) =>
    new Promise<Buffer>((resolve) => {
      waiting = resolve;
      link.emit('data', encodePacket(body));
    });
  const run = async (): Promise<WarmUpResult> => {
    const errors: string[] = [];
    let packets = 0;
    let connectReplies: string[] = [];
    const ask = async (body: string) => {
      sent++;
      const raw = await request(body);
      packets++;
      // E<nn>, or F-1,<errno> for host I/O.
      const failed = raw[0] === 0x45 || (raw[0] === 0x46 && raw[1] === 0x2d);
      if (failed) errors.push(`${body} -> ${text(raw)}`);
      return raw;
    };
    try {
      link.emit('data', Buffer.from('+'));
      await request('QStartNoAckMode');
      link.emit('data', Buffer.from('+'));
      // A client that connects meanwhile waits for no more than the warm-up packet in flight.
      for (const p of hello) if (!stopped) await ask(p);
      connectReplies = await rounds({ ask, stopped: () => stopped, session });
    } catch (err) {
      errors.push(String(err));
    } finally {
      link.emit('end');
      await session.ended;
      release?.();
    }
    return { packets, errors, connectReplies };
  };
  const done = run();
  return {
    done,
    sent: () => sent,
    stop: async () => {
      stopped = true;
      await done.catch(() => {});
    },
  };
}

/**
 * Runs `units` rounds of UNIT (fewer if stopped), one round per turn of the event loop. 60
 * rounds: a replayed gdb session (154 packets, connecting after the warm-up ended) spent as
 * little CPU in its packets after 50 rounds as after 300 (45-76 against 68-83 ms, load 10-17;
 * 92-104 with none), and 300 rounds cost about 400 ms of CPU, which under load slowed gdb's own
 * start, before its first packet, by more than the warm-up saved (bench/RESULTS.md, session 11).
 */
export function warmUp(units = 60): WarmUp {
  return startWarmUp(warmTarget(), HELLO, async ({ ask, stopped }) => {
    const connectReplies: string[] = [];
    const connect = connectPackets();
    for (let u = 0; u < units && !stopped(); u++) {
      for (const p of UNIT) if (!stopped()) await ask(p);
      if (CONNECT_AT.includes(u)) {
        await new Promise((r) => setImmediate(r));
        const first = u === CONNECT_AT[0];
        for (const p of connect) {
          if (stopped()) break;
          const raw = await ask(p);
          if (first) connectReplies.push(text(raw));
        }
      }
      await new Promise((r) => setImmediate(r));
    }
    return connectReplies;
  });
}
