// A gdb-like session before "Listening": the server talks to itself over a loopback socket, on
// the real path (the addon socket, the framer, the dispatch, the handlers, the engine target
// holding the program), so that V8 has compiled what gdb's first packets run before gdb comes.
// A first session used to cost the server 80-90 ms of CPU against gdbserver's 0-20 (bench/
// RESULTS.md, sessions 14-16): lazy compilation and the interpreter, every packet kind cold.
// Warm-ups after "Listening" ran beside gdb's own start on the same CPUs and cost it more than
// they saved; this one runs before the line, paid for by a lighter start (bin/yargs-lean.ts).
//
// It never resumes, and it leaves the program as it found it: reads (registers, memory, the
// thread list, the target description, auxv, the library list, the executable's bytes through
// vFile), breakpoints inserted and removed again (flushed from the target before it hangs up),
// the pass-signal set put back to none, no fork or exec events asked for. Everything else it
// touches belongs to its own session, which ends with its connection, as a client's that
// disconnects.
import { connect, type Socket } from 'node:net';
import { openSession, type ServeOptions } from './serve.js';
import type { Session } from './session.js';
import type { Target } from './target.js';
import { listen } from './transport.js';

/** gdb 13's qSupported, less the fork/vfork/exec events (they would set the target's options). */
const SUPPORTED =
  'qSupported:multiprocess+;swbreak+;hwbreak+;qRelocInsn+;vContSupported+;QThreadEvents+;' +
  'no-resumed+;memory-tagging+;xmlRegisters=i386';

/** gdb's pass set around a step over a breakpoint (QPassSignals), as in bench/packets. */
const PASS = 'QPassSignals:e;10;14;17;1a;1b;1c;21;24;25;2c;4c;97;';

/** Past this the warm-up hangs up, wherever it is (it takes a few tens of ms). */
const WARM_UP_BOUND_MS = 3000;

export interface WarmUpReport {
  /** Packets answered. */
  packets: number;
  /** Replies that were errors (E..): the script asked something this target cannot answer. */
  errors: number;
}

/**
 * The client end: one request at a time, framed here (not with rsp/encoder, whose feedback
 * should be the server's alone). Acks until QStartNoAckMode.
 */
class Client {
  private buf = '';
  private waiter: ((reply: string) => void) | undefined;
  private failed: ((err: Error) => void) | undefined;
  private ack = true;
  packets = 0;
  errors = 0;

  constructor(private readonly sock: Socket) {
    sock.setEncoding('latin1');
    sock.on('data', (chunk: string) => {
      this.buf += chunk;
      this.take();
    });
    const gone = (err?: Error) => this.failed?.(err ?? new Error('warm-up: connection closed'));
    sock.on('error', gone);
    sock.on('close', () => gone());
  }

  private take(): void {
    const start = this.buf.indexOf('$');
    if (start < 0) return;
    const end = this.buf.indexOf('#', start);
    if (end < 0 || this.buf.length < end + 3) return;
    const body = this.buf.slice(start + 1, end);
    this.buf = this.buf.slice(end + 3);
    if (this.ack) this.sock.write('+');
    const w = this.waiter;
    this.waiter = undefined;
    this.failed = undefined;
    this.packets++;
    if (body.length === 3 && body[0] === 'E') this.errors++;
    w?.(body);
  }

  request(body: string): Promise<string> {
    let sum = 0;
    for (let i = 0; i < body.length; i++) sum = (sum + body.charCodeAt(i)) & 0xff;
    return new Promise((resolve, reject) => {
      this.waiter = resolve;
      this.failed = reject;
      this.sock.write(`$${body}#${sum.toString(16).padStart(2, '0')}`, 'latin1');
    });
  }

  noAck(): void {
    this.ack = false;
  }
}

const hex = (text: string): string => Buffer.from(text, 'latin1').toString('hex');

/**
 * Runs the warm-up session against `target` (stopped, as launched or attached) and hangs up.
 * `rounds`: how many times the packets of a breakpoint hit that do not resume are sent.
 */
export async function warmUp(
  target: Target,
  opts: Omit<ServeOptions, 'listener' | 'target' | 'once'>,
  rounds: number,
): Promise<WarmUpReport> {
  const listener = await listen({ kind: 'tcp', host: '127.0.0.1', port: 0 });
  const sock = connect({ port: listener.port!, host: '127.0.0.1', noDelay: true });
  let session: Session | undefined;
  // A bound, not a timing: a warm-up that hangs must not keep the server from listening.
  const bound = setTimeout(() => sock.destroy(new Error('warm-up: no reply')), WARM_UP_BOUND_MS);
  try {
    const link = await listener.accept();
    if (!link) throw new Error('warm-up: no connection');
    session = openSession(link, [target], { ...opts, once: false });
    const c = new Client(sock);
    await script(c, target.base.pid, rounds);
    return { packets: c.packets, errors: c.errors };
  } finally {
    clearTimeout(bound);
    // What the script changed in the target, undone whether or not it got to the end: gdb's
    // removals wait for the next resume (stub/breakpoints.ts) and there is none here.
    for (const ctx of session?.procs.values() ?? []) {
      await ctx.swBreakpoints?.clearAll();
      await ctx.target.signals?.setPassSignals([]);
    }
    sock.destroy();
    if (session) await session.ended;
    listener.close();
  }
}

/** gdb's packets up to its first resume, then `rounds` times those of a hit that do not resume. */
async function script(c: Client, pid: number, rounds: number): Promise<void> {
  await c.request(SUPPORTED);
  await c.request('vMustReplyEmpty');
  await c.request('QStartNoAckMode');
  c.noAck();
  await c.request('Hgp0.0');
  for (let at = 0; ; at += 0x1000) {
    const r = await c.request(`qXfer:features:read:target.xml:${at.toString(16)},1000`);
    if (r[0] !== 'm') break;
  }
  await c.request('qTStatus');
  await c.request('?');
  await c.request('qXfer:threads:read::0,1000');
  await c.request(`qAttached:${pid.toString(16)}`);
  const exe = await c.request(`qXfer:exec-file:read:${pid.toString(16)}:0,1000`);
  await c.request('vFile:setfs:0');
  await c.request(`vFile:open:${hex('just probing')},0,1c0`);
  await c.request(`vFile:setfs:${pid.toString(16)}`);
  const open = await c.request(`vFile:open:${hex(exe.slice(1))},0,0`);
  const fd = open.startsWith('F') && !open.startsWith('F-1') ? open.slice(1) : undefined;
  if (fd !== undefined) {
    for (const off of ['0', '1000']) await c.request(`vFile:pread:${fd},10000,${off}`);
    await c.request(`vFile:fstat:${fd}`);
    await c.request(`vFile:close:${fd}`);
  }
  await c.request('Hc-1');
  await c.request('qOffsets');
  await c.request('qXfer:auxv:read::0,1000');
  await c.request('qXfer:libraries-svr4:read::0,1000');
  await c.request('qSymbol::');
  await c.request('qTfP');
  await c.request('vCont?');
  // The pc of the thread gdb would see first: breakpoints go there and one byte on.
  const pcReply = await c.request('p10');
  const pc = pcReply.length === 16 ? Buffer.from(pcReply, 'hex').readBigUInt64LE(0) : undefined;
  if (pc !== undefined && rounds > 0) {
    const a = pc.toString(16);
    const b = (pc + 1n).toString(16);
    await c.request(`Z0,${a},1`);
    await c.request(`Z0,${b},1`);
    for (let i = 0; i < rounds; i++) {
      // gdb's packets of a hit, the resumes left out (bench/packets, "gdb's hit").
      await c.request('qXfer:threads:read::0,1000');
      await c.request(`z0,${a},1`);
      await c.request(`z0,${b},1`);
      await c.request(`Z0,${b},1`);
      await c.request('QPassSignals:');
      await c.request(`Z0,${a},1`);
      await c.request(PASS);
      await c.request(`m${a},40`);
      await c.request('g');
    }
    await c.request(`z0,${a},1`);
    await c.request(`z0,${b},1`);
  }
  await c.request('QPassSignals:');
}
