// A minimal RSP client built only from the codec, talking to a real gdbserver over stdio
// (`gdbserver - prog`), so no ports are involved. Used to check the codec against the reference
// implementation's framing, escaping and run-length encoding.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { encodePacket, type FrameEvent, Framer } from '../../../rsp/index.js';

export class GdbserverPeer {
  readonly child: ChildProcessWithoutNullStreams;
  readonly raw: Buffer[] = [];
  private readonly framer = new Framer({ maxPacketSize: 1 << 20 });
  private readonly queue: FrameEvent[] = [];
  private waiter: (() => void) | undefined;
  private exited = false;
  stderr = '';

  constructor(program: string) {
    this.child = spawn('gdbserver', ['-', program], { stdio: 'pipe' });
    this.child.stdout.on('data', (chunk: Buffer) => {
      this.raw.push(chunk);
      this.queue.push(...this.framer.push(chunk));
      this.waiter?.();
    });
    this.child.stderr.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    this.child.on('exit', () => {
      this.exited = true;
      this.waiter?.();
    });
  }

  private async next(): Promise<FrameEvent> {
    while (this.queue.length === 0) {
      if (this.exited) throw new Error(`gdbserver exited: ${this.stderr}`);
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
      this.waiter = undefined;
    }
    return this.queue.shift()!;
  }

  /** Sends a packet, expects `+` then one reply packet, acks it and returns its body. */
  async request(body: Buffer | string): Promise<Buffer> {
    this.child.stdin.write(encodePacket(body));
    const ack = await this.next();
    if (ack.type !== 'ack') throw new Error(`expected +, got ${JSON.stringify(ack)}`);
    const reply = await this.next();
    if (reply.type !== 'packet') throw new Error(`expected a packet, got ${JSON.stringify(reply)}`);
    this.child.stdin.write('+');
    return reply.body;
  }

  /** Kills the inferior with `k`, closes the connection and waits for gdbserver to exit. */
  async close(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin.write(encodePacket('k'));
    this.child.stdin.end();
    // A safety net only: gdbserver exits by itself once `k` is handled and stdin is closed.
    const guard = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(guard);
  }
}
