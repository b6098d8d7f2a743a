// Non-stop scenarios need gdb's event loop: background commands (`continue -a &`) only make
// progress while gdb waits for input, which a -batch run never does. So gdb reads its commands
// from a pipe here, and each step waits for the text that says it is done. Nothing waits on wall
// time; ava's timeout is the only guard against a hang.
import { type ChildProcess, spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { encodePacket } from '../../rsp/encoder.js';
import { Framer } from '../../rsp/framer.js';
import { compileFixture } from '../helpers/compile.js';

/** gdb's prompt at the end of what it printed so far. */
export const PROMPT = /\(gdb\) $/;

/** Accumulated output of a stream; waits for a pattern after a given offset. */
export class Transcript {
  text = '';
  private waiters: { re: RegExp; from: number; resolve: (m: string) => void }[] = [];
  private ended = false;
  private endWaiters: (() => void)[] = [];

  constructor(stream: NodeJS.ReadableStream | null) {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      this.text += chunk;
      this.waiters = this.waiters.filter((w) => {
        const m = this.match(w.re, w.from);
        if (m !== undefined) w.resolve(m);
        return m === undefined;
      });
    });
    stream?.on('end', () => {
      this.ended = true;
      for (const w of this.endWaiters.splice(0)) w();
    });
  }

  /** Text from `from` to the end of the first match of `re` after it. */
  private match(re: RegExp, from: number): string | undefined {
    const rest = this.text.slice(from);
    const m = re.exec(rest);
    return m ? rest.slice(0, m.index + m[0].length) : undefined;
  }

  waitFor(re: RegExp, from = 0): Promise<string> {
    const m = this.match(re, from);
    if (m !== undefined) return Promise.resolve(m);
    return new Promise((resolve, reject) => {
      const fail = () => reject(new Error(`stream ended without ${re}:\n${this.text.slice(from)}`));
      if (this.ended) return fail();
      this.waiters.push({ re, from, resolve });
      this.endWaiters.push(() => {
        if (this.match(re, from) === undefined) fail();
      });
    });
  }
}

/** An interactive gdb: commands go in through stdin one at a time. */
export class GdbSession {
  readonly proc: ChildProcess;
  readonly out: Transcript;
  readonly err: Transcript;
  readonly exited: Promise<number | null>;

  constructor(program: string | undefined, target: string, setup: string[] = []) {
    const args = ['-nx', '-q'];
    // remotetimeout: see spawnGdb in test/helpers/e2e-harness.ts.
    const base = ['set confirm off', 'set pagination off', 'set width 0', 'set remotetimeout 30'];
    for (const c of [...base, ...setup, target]) {
      args.push('-ex', c);
    }
    if (program) args.push(program);
    this.proc = spawn('gdb', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.out = new Transcript(this.proc.stdout);
    this.err = new Transcript(this.proc.stderr);
    this.exited = new Promise((resolve) => this.proc.once('exit', (code) => resolve(code)));
  }

  /** Waits for the first prompt, after the connection. */
  ready(): Promise<string> {
    return this.out.waitFor(PROMPT);
  }

  /**
   * Sends `command` and resolves with what gdb printed from then up to the end of `until`'s
   * first match (by default the next prompt).
   */
  run(command: string, until: RegExp = PROMPT): Promise<string> {
    const from = this.out.text.length;
    this.proc.stdin?.write(`${command}\n`);
    return this.out.waitFor(until, from);
  }

  /** Ends gdb (closing its input is `quit`) and waits for it. */
  async quit(): Promise<number | null> {
    this.proc.stdin?.end();
    return this.exited;
  }

  kill(): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
  }
}

export interface ThreadRow {
  current: boolean;
  id: number;
  name: string;
  /** 'running', or the function the thread is stopped in. */
  where: string;
}

/** Rows of `info threads`: `* 1    Thread 12.12 "name" frame`. */
export function parseInfoThreads(text: string): ThreadRow[] {
  const rows: ThreadRow[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\*| ) +(\d+) +Thread \d+\.\d+ "([^"]*)" (.*)$/.exec(line);
    if (!m) continue;
    const frame = m[4]!.trim();
    const fn = /^(?:0x[0-9a-f]+ in )?([A-Za-z_][\w.@]*) \(/.exec(frame);
    rows.push({
      current: m[1] === '*',
      id: Number(m[2]),
      name: m[3]!,
      where: frame === '(running)' ? 'running' : (fn?.[1] ?? frame),
    });
  }
  return rows;
}

/** Name -> state, sorted by name: what two servers must agree on whatever the thread order. */
export function threadStates(rows: ThreadRow[]): string[] {
  return rows.map((r) => `${r.name}: ${r.where}`).sort();
}

/** The last `tick N` the fixture printed, 0 if none yet. */
export function lastTick(text: string): number {
  const all = [...text.matchAll(/^tick (\d+)$/gm)];
  return all.length > 0 ? Number(all[all.length - 1]![1]) : 0;
}

export function printerProgram(): Promise<string> {
  return compileFixture('ns-printer.c', { flags: ['-pthread'] });
}

export function workerProgram(): Promise<string> {
  return compileFixture('ns-worker.c', { flags: ['-pthread'] });
}

/**
 * A raw RSP client that keeps `%` notifications apart from replies, for checking the
 * notification queue itself (GDB manual, "Notification Packets").
 */
export class NotificationClient {
  private readonly framer = new Framer({ maxPacketSize: 1 << 20 });
  private readonly replies: string[] = [];
  private readonly notes: string[] = [];
  private replyWaiters: ((s: string) => void)[] = [];
  private noteWaiters: ((s: string) => void)[] = [];
  private noAck = false;

  private constructor(private readonly sock: Socket) {
    sock.on('error', () => {});
    sock.on('data', (chunk: Buffer) => {
      for (const ev of this.framer.push(chunk)) {
        if (ev.type === 'packet') {
          if (!this.noAck) sock.write('+');
          const body = ev.body.toString('latin1');
          const w = this.replyWaiters.shift();
          if (w) w(body);
          else this.replies.push(body);
        } else if (ev.type === 'notification') {
          const body = ev.body.toString('latin1');
          const w = this.noteWaiters.shift();
          if (w) w(body);
          else this.notes.push(body);
        }
      }
    });
  }

  static async connect(port: number): Promise<NotificationClient> {
    const sock = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      sock.once('connect', () => resolve());
      sock.once('error', reject);
    });
    const c = new NotificationClient(sock);
    c.noAck = (await c.request('QStartNoAckMode')) === 'OK';
    return c;
  }

  request(body: string): Promise<string> {
    this.sock.write(encodePacket(body));
    const r = this.replies.shift();
    if (r !== undefined) return Promise.resolve(r);
    return new Promise((resolve) => this.replyWaiters.push(resolve));
  }

  /** The next notification body (`Stop:...`). */
  notification(): Promise<string> {
    const n = this.notes.shift();
    if (n !== undefined) return Promise.resolve(n);
    return new Promise((resolve) => this.noteWaiters.push(resolve));
  }

  /** Notifications received and not taken yet. */
  get pendingNotifications(): number {
    return this.notes.length;
  }

  close(): void {
    this.sock.destroy();
  }
}
