// Warming the packet path before the first client. V8 compiles a function well only after it
// has run for a while: the first few hundred packets of a session used to take 2-4 times as
// long as the later ones. While the server waits for its first connection, a session over an
// in-memory stream and an in-memory process runs the packets gdb sends per breakpoint hit and
// step (framing, parsing, dispatch, handlers, stop replies, encoding: the same code a client
// reaches), in slices that leave the event loop free, and stops as soon as a client connects.
// It starts after "Listening on port", so it adds nothing to the time before that line.
import { Duplex } from 'node:stream';
import { encodePacket } from '../rsp/encoder.js';
import { Framer } from '../rsp/framer.js';
import { GPR_SIZE } from './arch/amd64-registers.js';
import { Session } from './session.js';
import type { BaseOps, Ptid, ResumeAction, Target, TargetStop } from './target.js';

/** A pid no real process has (above the kernel's PID_MAX_LIMIT). */
const PID = 0x7ffffff0;
const CODE = 0x401000n;
const RIP_OFFSET = 16 * 8;

/** One process, one thread, a page of code; every resume ends in a step stop at once. */
class WarmProcess implements BaseOps {
  readonly pid = PID;
  readonly attached = false;
  readonly registers = { xstateSize: 0, xcr0: 0n };
  private readonly list: Ptid[] = [{ pid: PID, tid: PID }];
  private readonly gpr = Buffer.alloc(GPR_SIZE);
  private readonly page = Buffer.alloc(0x1000, 0x90);
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
      return Promise.resolve(this.readMemoryNow(addr, length));
    } catch (err) {
      return Promise.reject(err);
    }
  }
  readMemoryNow(addr: bigint, length: number): Buffer {
    const off = Number(addr - CODE);
    if (off < 0 || off >= this.page.length) throw new Error('EIO');
    return Buffer.from(this.page.subarray(off, off + length));
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
    threadInfo: { threadDetails: () => Promise.resolve({ name: 'warm', core: 0 }) },
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

export interface WarmUp {
  /** Stops at the next slice; resolves once the warm-up session has ended. */
  stop(): Promise<void>;
  /** Packets answered, and the ones answered with an error (none, if the path is whole). */
  readonly done: Promise<{ packets: number; errors: string[] }>;
}

/** Runs `units` rounds of UNIT (fewer if stopped), one round per turn of the event loop. */
export function warmUp(units = 300): WarmUp {
  let stopped = false;
  let waiting: ((reply: string) => void) | undefined;
  const framer = new Framer({ maxPacketSize: 0x20000 });
  const stream = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, cb) {
      for (const ev of framer.push(chunk)) {
        if (ev.type !== 'packet') continue;
        const w = waiting;
        waiting = undefined;
        w?.(ev.body.toString('latin1'));
      }
      cb();
    },
  });
  const session = new Session(stream, warmTarget());
  const request = (body: string) =>
    new Promise<string>((resolve) => {
      waiting = resolve;
      stream.push(encodePacket(body));
    });
  const run = async () => {
    const errors: string[] = [];
    let packets = 0;
    const ask = async (body: string) => {
      const reply = await request(body);
      packets++;
      if (reply.startsWith('E')) errors.push(`${body} -> ${reply}`);
    };
    stream.push(Buffer.from('+'));
    await request('QStartNoAckMode');
    stream.push(Buffer.from('+'));
    for (const p of HELLO) await ask(p);
    for (let u = 0; u < units && !stopped; u++) {
      for (const p of UNIT) await ask(p);
      await new Promise((r) => setImmediate(r));
    }
    stream.push(null);
    stream.destroy();
    await session.ended;
    return { packets, errors };
  };
  const done = run();
  return {
    done,
    stop: async () => {
      stopped = true;
      await done.catch(() => {});
    },
  };
}
