import { connect } from 'node:net';
import test from 'ava';
import { serve } from '../../stub/serve.js';
import { listen } from '../../stub/transport.js';
import { FakeTarget } from '../helpers/fake-target.js';
import { RspClient } from '../helpers/rsp-client.js';

async function client(port: number): Promise<RspClient> {
  const sock = connect(port, '127.0.0.1');
  await new Promise<void>((resolve) => sock.once('connect', () => resolve()));
  return new RspClient(sock);
}

test('with --once, a vanished client gets a launched debuggee killed, and the server ends', async (t) => {
  const f = new FakeTarget(1000, [1000], false);
  const listener = await listen({ kind: 'tcp', host: '127.0.0.1', port: 0 });
  t.true(listener.port! > 0);
  const s = serve({ listener, target: f.asTarget(), multi: false, once: true });
  const c = await client(listener.port!);
  t.is(await c.request('qC'), 'QC3e8');
  c.close();
  await s.done;
  t.true(f.killed);
  t.false(f.detached);
});

test('without --once, a vanished client leaves the debuggee to the next one (gdb reconnects)', async (t) => {
  // gdb.server/reconnect-ctrl-c.exp: `disconnect`, then `target remote` to the same server.
  const f = new FakeTarget(1000, [1000], false);
  const listener = await listen({ kind: 'tcp', host: '127.0.0.1', port: 0 });
  const s = serve({ listener, target: f.asTarget(), multi: false, once: false });
  const first = await client(listener.port!);
  t.is(await first.request('qC'), 'QC3e8');
  first.close();
  const second = await client(listener.port!);
  t.is(await second.request('qC'), 'QC3e8');
  t.false(f.killed);
  s.stop();
  await s.done;
  t.true(f.killed);
});

test('with --once, a vanished client gets an attached debuggee detached', async (t) => {
  const f = new FakeTarget(1000, [1000], true);
  const listener = await listen({ kind: 'tcp', host: '127.0.0.1', port: 0 });
  const s = serve({ listener, target: f.asTarget(), multi: false, once: true });
  const c = await client(listener.port!);
  t.is(await c.request('qAttached'), '1');
  c.close();
  await s.done;
  t.true(f.detached);
  t.false(f.killed);
});

test('stop() (SIGINT/SIGTERM) mid-session cleans up too', async (t) => {
  const f = new FakeTarget(1000, [1000], false);
  const listener = await listen({ kind: 'tcp', host: '127.0.0.1', port: 0 });
  const s = serve({ listener, target: f.asTarget(), multi: false, once: false });
  const c = await client(listener.port!);
  t.is(await c.request('qC'), 'QC3e8');
  s.stop();
  await s.done;
  await c.closed;
  t.true(f.killed);
});

test('with --multi the server keeps the debuggee across clients; --once ends after one', async (t) => {
  const f = new FakeTarget(1000, [1000], false);
  const listener = await listen({ kind: 'tcp', host: '127.0.0.1', port: 0 });
  const s = serve({ listener, target: f.asTarget(), multi: true, once: false });
  const c1 = await client(listener.port!);
  t.is(await c1.request('qC'), 'QC3e8');
  c1.close();
  const c2 = await client(listener.port!);
  t.is(await c2.request('qC'), 'QC3e8');
  t.false(f.killed);
  s.stop();
  await s.done;
  t.true(f.killed);
});

test('a port in use is refused with EADDRINUSE', async (t) => {
  const a = await listen({ kind: 'tcp', host: '127.0.0.1', port: 0 });
  const err = await t.throwsAsync(listen({ kind: 'tcp', host: '127.0.0.1', port: a.port! }));
  t.is((err as NodeJS.ErrnoException).code, 'EADDRINUSE');
  a.close();
});

test('a Unix socket COMM serves a session', async (t) => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'ntrace-sock-'));
  try {
    const path = join(dir, 'gdb.sock');
    const f = new FakeTarget(1000, [1000], false);
    const listener = await listen({ kind: 'unix', path });
    t.is(listener.port, undefined);
    const s = serve({ listener, target: f.asTarget(), multi: false, once: true });
    const sock = connect(path);
    await new Promise<void>((resolve) => sock.once('connect', () => resolve()));
    const c = new RspClient(sock);
    t.is(await c.request('qC'), 'QC3e8');
    c.close();
    await s.done;
    t.true(f.killed);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// gdbserver exits as soon as it has answered `monitor exit` (server.cc, handle_monitor_command
// and process_serial_event), killing what it launched; gdb's testsuite waits for that EOF.
const MONITOR_EXIT = `qRcmd,${Buffer.from('exit').toString('hex')}`;

test('monitor exit ends the server at once, with the client still connected: launched debuggee killed', async (t) => {
  t.timeout(30_000, 'the server did not exit after monitor exit');
  const f = new FakeTarget(1000, [1000], false);
  const listener = await listen({ kind: 'tcp', host: '127.0.0.1', port: 0 });
  const s = serve({ listener, target: f.asTarget(), multi: false, once: false });
  const c = await client(listener.port!);
  t.is(await c.request(MONITOR_EXIT), 'OK');
  await s.done;
  await c.closed;
  t.true(f.killed);
});

test('monitor exit with --multi ends the server too, detaching an attached debuggee', async (t) => {
  t.timeout(30_000, 'the server did not exit after monitor exit');
  const f = new FakeTarget(1000, [1000], true);
  const listener = await listen({ kind: 'tcp', host: '127.0.0.1', port: 0 });
  const s = serve({ listener, target: f.asTarget(), multi: true, once: false });
  const c = await client(listener.port!);
  t.is(await c.request('!'), 'OK');
  t.is(await c.request(MONITOR_EXIT), 'OK');
  await s.done;
  await c.closed;
  t.true(f.detached);
  t.false(f.killed);
});

for (const path of ['native', 'net'] as const) {
  test(`${path} socket: garbage gets its error and the next packet is served; a reset ends the session`, async (t) => {
    const f = new FakeTarget(1000, [1000], false);
    const listener = await listen({ kind: 'tcp', host: '127.0.0.1', port: 0 }, path);
    const s = serve({ listener, target: f.asTarget(), multi: false, once: true });
    const c = await client(listener.port!);
    // Bytes outside any packet are skipped; a bad checksum is refused with `-`.
    c.raw(Buffer.from([0x00, 0xff, 0x7a, 0x7a]));
    c.raw('$qC#00');
    t.is(await c.request('qC'), 'QC3e8');
    t.true(c.acks.includes('-'));
    // A body that is not a packet of ours gets the empty reply, and serving goes on.
    t.is(await c.request('qNoSuchPacket'), '');
    t.is(await c.request('qC'), 'QC3e8');
    c.sock.resetAndDestroy();
    await s.done;
    t.true(f.killed);
  });
}
