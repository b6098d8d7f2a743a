// A minimal RSP client over a real socket, for driving a Session in tests: sends packets (or raw
// bytes), acks replies, and hands back reply bodies in order.
import { createServer, type Server, type Socket, connect } from 'node:net';
import { encodePacket } from '../../rsp/encoder.js';
import { Framer } from '../../rsp/framer.js';
import { Session, type SessionOptions } from '../../stub/session.js';
import type { Target } from '../../stub/target.js';

export class RspClient {
  readonly acks: string[] = [];
  private readonly replies: string[] = [];
  private waiters: ((body: string) => void)[] = [];
  private readonly framer = new Framer({ maxPacketSize: 1 << 20 });
  noAck = false;
  closed: Promise<void>;

  constructor(readonly sock: Socket) {
    this.closed = new Promise((resolve) => sock.once('close', () => resolve()));
    sock.on('error', () => {});
    sock.on('data', (chunk: Buffer) => {
      for (const ev of this.framer.push(chunk)) {
        if (ev.type === 'ack') this.acks.push('+');
        else if (ev.type === 'nak') this.acks.push('-');
        else if (ev.type === 'packet') {
          if (!this.noAck) sock.write('+');
          const body = ev.body.toString('latin1');
          const w = this.waiters.shift();
          if (w) w(body);
          else this.replies.push(body);
        }
      }
    });
  }

  raw(bytes: Buffer | string): void {
    this.sock.write(bytes);
  }

  send(body: string | Buffer): void {
    this.sock.write(encodePacket(body));
  }

  next(): Promise<string> {
    const r = this.replies.shift();
    if (r !== undefined) return Promise.resolve(r);
    return new Promise((resolve, reject) => {
      this.waiters.push(resolve);
      this.closed.then(() => reject(new Error('connection closed before a reply')));
    });
  }

  async request(body: string | Buffer): Promise<string> {
    this.send(body);
    return this.next();
  }

  close(): void {
    this.sock.destroy();
  }
}

export interface Harness {
  client: RspClient;
  session: Session;
  server: Server;
  close(): Promise<void>;
}

/** Serves one Session for `target` on a loopback port 0 and connects a client to it. */
export async function connectSession(
  target: Target | undefined,
  opts: SessionOptions = {},
): Promise<Harness> {
  let session!: Session;
  const server = createServer({ noDelay: true }, (sock) => {
    session = new Session(sock, target, opts);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const sock = connect(port, '127.0.0.1');
  await new Promise<void>((resolve) => sock.once('connect', () => resolve()));
  // The session exists once the server saw the connection.
  while (!session) await new Promise((r) => setImmediate(r));
  const client = new RspClient(sock);
  return {
    client,
    session,
    server,
    async close() {
      client.close();
      await session.ended;
      await new Promise((r) => server.close(r));
    },
  };
}
