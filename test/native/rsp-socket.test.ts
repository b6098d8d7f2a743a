import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createConnection, createServer, type Socket } from 'node:net';
import test from 'ava';
import { NativeSocketLink } from '../../native/rsp-socket.js';

const here = dirname(fileURLToPath(import.meta.url));

/** A loopback pair: the server side taken over by the addon, the client side Node's. */
async function pair(): Promise<{ link: NativeSocketLink; client: Socket; close: () => void }> {
  const server = createServer({ pauseOnConnect: true });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const addr = server.address();
  if (typeof addr !== 'object' || !addr) throw new Error('no address');
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const client = createConnection(addr.port, '127.0.0.1');
  await once(client, 'connect');
  const [sock] = await accepted;
  const link = new NativeSocketLink(sock);
  return {
    link,
    client,
    close: () => {
      link.destroy();
      client.destroy();
      server.close();
    },
  };
}

function collect(sock: Socket): () => Buffer {
  const parts: Buffer[] = [];
  sock.on('data', (d: Buffer) => parts.push(d));
  return () => Buffer.concat(parts);
}

test('bytes both ways through the addon, the net.Socket it came from closed', async (t) => {
  const { link, client, close } = await pair();
  const got = collect(client);
  const chunks: Buffer[] = [];
  link.on('data', (c: Buffer) => {
    chunks.push(Buffer.from(c)); // a chunk is valid while its listener runs
    if (Buffer.concat(chunks).toString() === '$qSupported#37') link.write(Buffer.from('+$OK#9a'));
  });
  link.resume();
  client.write('$qSupported#37');
  while (got().length < 7) await once(client, 'data');
  t.is(got().toString(), '+$OK#9a');
  t.is(link.remoteAddress, '127.0.0.1');
  close();
});

test('every read lands in the one read buffer: no Buffer or backing store of its own', async (t) => {
  const { link, client, close } = await pair();
  const seen: { text: string; buffer: ArrayBufferLike; offset: number }[] = [];
  link.on('data', (c: Buffer) => {
    seen.push({ text: c.toString('latin1'), buffer: c.buffer, offset: c.byteOffset });
    if (seen.length === 1) client.write('$second#00');
  });
  link.resume();
  client.write('$first#00');
  while (seen.length < 2) await once(link, 'data');
  t.deepEqual(
    seen.map((s) => s.text),
    ['$first#00', '$second#00'],
  );
  t.is(seen[0]!.buffer, seen[1]!.buffer);
  t.is(seen[0]!.offset, seen[1]!.offset);
  close();
});

test('reads of a length seen before are handed out as the same view: no typed array per read', async (t) => {
  const { link, client, close } = await pair();
  const seen: Buffer[] = [];
  const texts: string[] = [];
  link.on('data', (c: Buffer) => {
    seen.push(c);
    texts.push(c.toString('latin1'));
    if (seen.length === 1) client.write('$QPass#22');
    else if (seen.length === 2) client.write('$' + 'm'.repeat(2000) + '#00');
    else if (seen.length === 3) client.write('$' + 'n'.repeat(2000) + '#00');
  });
  link.resume();
  client.write('$qPass#42');
  while (texts.join('').length < 9 + 9 + 2 * 2004) await once(link, 'data');
  t.deepEqual(texts.slice(0, 2), ['$qPass#42', '$QPass#22']);
  t.is(texts.slice(2).join(''), `$${'m'.repeat(2000)}#00$${'n'.repeat(2000)}#00`);
  t.is(seen[0], seen[1]);
  close();
});

test.serial(
  'writes go through a write bound to the socket once: no object unwrap per reply',
  async (t) => {
    // The addon module rsp-socket.ts loaded (the same require cache), its class made to count.
    const sockAddon = createRequire(import.meta.url)(
      resolve(dirname(fileURLToPath(import.meta.url)), '../../../build/Release/ntrace_sock.node'),
    ) as {
      RspSocket: new (...args: unknown[]) => { write(b: Buffer): boolean; writeFn(): unknown };
    };
    const Plain = sockAddon.RspSocket;
    const calls = { write: 0, writeFn: 0 };
    sockAddon.RspSocket = class extends Plain {
      override write(b: Buffer): boolean {
        calls.write++;
        return super.write(b);
      }
      override writeFn(): unknown {
        calls.writeFn++;
        return super.writeFn();
      }
    };
    try {
      const { link, client, close } = await pair();
      const got = collect(client);
      for (const r of ['$OK#9a', '$E01#a6', '$OK#9a']) t.true(link.write(Buffer.from(r)));
      while (got().length < 19) await once(client, 'data');
      t.is(got().toString(), '$OK#9a$E01#a6$OK#9a');
      t.deepEqual(calls, { write: 0, writeFn: 1 });
      close();
    } finally {
      sockAddon.RspSocket = Plain;
    }
  },
);

test("with a data listener set, reads go to it directly: no 'data' event", async (t) => {
  const { link, client, close } = await pair();
  const names: (string | symbol)[] = [];
  const emit = link.emit.bind(link);
  link.emit = (name: string | symbol, ...args: unknown[]) => {
    names.push(name);
    return emit(name, ...args);
  };
  const got = new Promise<string>((r) => link.setDataListener((c) => r(c.toString('latin1'))));
  link.resume();
  client.write('$qC#b4');
  t.is(await got, '$qC#b4');
  t.false(names.includes('data'));
  close();
});

// Two links in a process of their own, each with a request written by a client there in one
// synchronous step, so that the next poll finds both readable and calls both listeners in one
// turn of the loop (in this test process other callbacks would run the queues anyway).
const SCOPE_CHILD = `
import { createConnection, createServer } from 'node:net';
import { NativeSocketLink } from ${JSON.stringify(resolve(here, '../../native/rsp-socket.js'))};
const order = [];
const links = [];
const clients = [];
const server = createServer({ pauseOnConnect: true }, (sock) => {
  const link = new NativeSocketLink(sock);
  const name = links.length === 0 ? 'a' : 'b';
  links.push(link);
  link.setDataListener(() => {
    const scoped = executionAsyncResource()?.constructor?.name === 'RspSocket';
    order.push(name + ' listener' + (scoped ? ' in a callback scope' : ''));
    process.nextTick(() => order.push(name + ' tick'));
    void Promise.resolve().then(() => order.push(name + ' microtask'));
    if (order.length === 1) return;
    setImmediate(() => {
      process.stdout.write(JSON.stringify(order) + '\\n');
      for (const l of links) l.destroy();
      for (const c of clients) c.destroy();
      server.close();
    });
  });
  link.resume();
  if (links.length === 2) for (const c of clients) c.write('$qC#b4');
});
import { executionAsyncResource } from 'node:async_hooks';
server.listen(0, '127.0.0.1', () => {
  for (let i = 0; i < 2; i++) clients.push(createConnection(server.address().port, '127.0.0.1'));
});
`;

test('a read runs in no callback scope, and what its listener queued runs before the next callback', async (t) => {
  const child = spawn(process.execPath, ['--input-type=module', '-e', SCOPE_CHILD], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const order = JSON.parse((await lines.next()).value as string) as string[];
  await once(child, 'exit');
  // Whichever link is read first, its ticks and then its microtasks run before the other's
  // listener, as after any callback Node scopes; and the listener's async resource is not the
  // addon's socket object, which a callback scope per read would make it.
  const [first, second] = order[0]!.startsWith('a') ? ['a', 'b'] : ['b', 'a'];
  t.deepEqual(order, [
    `${first} listener`,
    `${first} tick`,
    `${first} microtask`,
    `${second} listener`,
    `${second} tick`,
    `${second} microtask`,
  ]);
});

test('a paused link reads nothing until resumed', async (t) => {
  const { link, client, close } = await pair();
  const chunks: Buffer[] = [];
  link.on('data', (c: Buffer) => chunks.push(Buffer.from(c)));
  t.true(link.isPaused());
  client.write('+');
  await new Promise((r) => setTimeout(r, 50));
  t.is(chunks.length, 0);
  const data = once(link, 'data');
  link.resume();
  await data;
  t.is(Buffer.concat(chunks).toString(), '+');
  close();
});

test('the peer closing is end then close', async (t) => {
  const { link, client, close } = await pair();
  const events: string[] = [];
  link.on('end', () => events.push('end'));
  link.on('error', () => events.push('error'));
  const closed = once(link, 'close');
  link.resume();
  client.end();
  await closed;
  t.deepEqual(events, ['end']);
  close();
});

test('the peer resetting is an error ECONNRESET then close', async (t) => {
  const { link, client, close } = await pair();
  let code: string | undefined;
  link.on('error', (err: NodeJS.ErrnoException) => {
    code = err.code;
  });
  const closed = new Promise((resolve) => link.on('close', resolve));
  link.resume();
  client.resetAndDestroy();
  await closed;
  t.is(code, 'ECONNRESET');
  close();
});

test('a write the socket cannot take at once is queued, in order, then drain', async (t) => {
  const { link, client, close } = await pair();
  client.pause();
  const big = Buffer.alloc(8 << 20);
  for (let i = 0; i < big.length; i++) big[i] = i % 251;
  t.false(link.write(big));
  t.false(link.write(Buffer.from('tail')));
  const drained = once(link, 'drain');
  const got = collect(client);
  client.resume();
  await drained;
  while (got().length < big.length + 4) await once(client, 'data');
  const all = got();
  t.true(all.subarray(0, big.length).equals(big));
  t.is(all.subarray(big.length).toString(), 'tail');
  close();
});

test('writeReply(n) sends the first n bytes of the reply buffer; a queued one is a copy', async (t) => {
  const { link, client, close } = await pair();
  const got = collect(client);
  link.replyBuffer.write('$OK#9a-not-this', 'latin1');
  t.true(link.writeReply(6));
  while (got().length < 6) await once(client, 'data');
  t.is(got().toString('latin1'), '$OK#9a');
  t.throws(() => link.writeReply(link.replyBuffer.length + 1), { instanceOf: RangeError });
  // A socket that cannot take it at once: the bytes queued are the reply's, whatever the
  // buffer holds afterwards.
  client.pause();
  const big = Buffer.alloc(8 << 20, 0x61);
  t.false(link.write(big));
  link.replyBuffer.write('$m1#9e', 'latin1');
  t.false(link.writeReply(6));
  link.replyBuffer.fill(0x3f);
  const drained = once(link, 'drain');
  client.resume();
  await drained;
  while (got().length < 12 + big.length) await once(client, 'data');
  t.is(
    got()
      .subarray(6 + big.length)
      .toString('latin1'),
    '$m1#9e',
  );
  close();
});

test('after destroy, writes are dropped and the peer sees the end', async (t) => {
  const { link, client, close } = await pair();
  const ended = once(client, 'end');
  client.resume();
  link.destroy();
  t.true(link.write(Buffer.from('late')));
  await ended;
  t.pass();
  close();
});

/** Answers each packet the client sends with `$OK#9a`, and the client sends `count` packets. */
async function pingPong(link: NativeSocketLink, client: Socket, count: number): Promise<void> {
  let sent = 1;
  let answered = 0;
  const done = new Promise<void>((resolve) => {
    client.on('data', () => {
      answered++;
      if (sent < count) {
        sent++;
        client.write('$p#70');
      } else if (answered === count) resolve();
    });
  });
  link.setDataListener(() => link.write(Buffer.from('$OK#9a')));
  link.resume();
  client.write('$p#70');
  await done;
}

// The bound is a minute: the client's packets come within it however loaded the machine. The
// spin's load checks are off: another process may take this CPU at any yield.
const MINUTE_NS = 60e9;

test('after a reply the loop polls for the next request instead of sleeping, once the client has been quick', async (t) => {
  const { link, client, close } = await pair();
  link.setSpin(MINUTE_NS, false);
  await pingPong(link, client, 5);
  // The first reply has no gap measured before it; each later one spins, and the client's next
  // packet arrives during that spin.
  t.deepEqual(link.spinStats(), { spins: 4, caught: 3, timedOut: 0, yielded: 0, spinning: true });
  close();
});

test('a spin that catches nothing ends at its bound, and the next reply does not spin', async (t) => {
  const { link, client, close } = await pair();
  link.setSpin(MINUTE_NS, false);
  await pingPong(link, client, 2);
  t.deepEqual(link.spinStats(), { spins: 1, caught: 0, timedOut: 0, yielded: 0, spinning: true });
  // The client sends nothing now: the spin under way ends at the new bound.
  link.setSpin(1, false);
  while (link.spinStats().timedOut === 0) await new Promise((r) => setImmediate(r));
  // Over: the loop sleeps again while the client is idle.
  t.deepEqual(link.spinStats(), { spins: 1, caught: 0, timedOut: 1, yielded: 0, spinning: false });
  link.setSpin(MINUTE_NS, false);
  client.removeAllListeners('data');
  await pingPong(link, client, 3);
  // Backed off for the first reply, then spinning again: the third packet is caught (and the
  // last reply spins for a packet that will not come).
  t.deepEqual(link.spinStats(), { spins: 3, caught: 1, timedOut: 1, yielded: 0, spinning: true });
  close();
});

test('with the spin off nothing spins, and a spin under way ends with the link', async (t) => {
  const { link, client, close } = await pair();
  link.setSpin(0);
  await pingPong(link, client, 4);
  t.deepEqual(link.spinStats(), { spins: 0, caught: 0, timedOut: 0, yielded: 0, spinning: false });
  link.setSpin(MINUTE_NS, false);
  client.removeAllListeners('data');
  await pingPong(link, client, 3);
  t.true(link.spinStats().spinning);
  link.destroy();
  t.false(link.spinStats().spinning);
  close();
});
