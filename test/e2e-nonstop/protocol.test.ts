// Non-stop at the packet level, against the real server: the notification queue (one `%Stop`
// outstanding, the rest through vStopped), vCont;t (signal 0), vCtrlC (SIGINT), `?` listing
// every stopped thread, and QThreadEvents (`create`, `w`). The thread-events sequence also
// runs against gdbserver where installed; the replies must have the same shape.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import test, { type ExecutionContext } from 'ava';
import { compileFixture } from '../helpers/compile.js';
import { type ServerKind, serverKinds, startServer } from '../helpers/e2e-harness.js';
import { NotificationClient, workerProgram } from './harness.js';

const run = promisify(execFile);

/**
 * Takes stop replies the way GDB does: on a notification, vStopped until OK (GDB manual,
 * "Notification Packets"), until at least `want` came. A notification that arrives while one
 * is unacknowledged breaks the protocol and is recorded.
 */
class StopReader {
  overlapping = false;

  constructor(private readonly c: NotificationClient) {}

  async take(want: number): Promise<string[]> {
    const stops: string[] = [];
    while (stops.length < want) {
      const note = await this.c.notification();
      stops.push(note.replace(/^Stop:/, ''));
      for (;;) {
        if (this.c.pendingNotifications > 0) this.overlapping = true;
        const r = await this.c.request('vStopped');
        if (r === 'OK') break;
        stops.push(r);
      }
    }
    return stops;
  }
}

const sig = (stop: string) => stop.slice(0, 3);
const tidOf = (stop: string) => /thread:p[0-9a-f]+\.([0-9a-f]+);/.exec(stop)?.[1];

async function symbol(path: string, name: string): Promise<string> {
  const { stdout } = await run('nm', [path]);
  const m = new RegExp(`^([0-9a-f]+) T ${name}$`, 'm').exec(stdout);
  if (!m) throw new Error(`no ${name} in ${path}`);
  return BigInt(`0x${m[1]}`).toString(16);
}

async function handshake(t: ExecutionContext, c: NotificationClient): Promise<void> {
  const features = await c.request('qSupported:multiprocess+;swbreak+;QThreadEvents+');
  t.regex(features, /QNonStop\+/);
  t.regex(features, /QThreadEvents\+/);
  t.is(await c.request('QNonStop:1'), 'OK');
  // The launch stop, as the `?` reply; nothing else is stopped.
  t.regex(await c.request('?'), /^T05.*thread:p[0-9a-f]+\.[0-9a-f]+;/);
  t.is(await c.request('vStopped'), 'OK');
}

test('non-stop packets: one notification outstanding, vCont;t, vCtrlC, ? per thread', async (t) => {
  const prog = await compileFixture('ns-printer.c', {
    flags: ['-pthread', '-no-pie'],
    output: 'ns-printer-nopie',
  });
  const bp = await symbol(prog, 'at_breakpoint');
  const server = await startServer('ntrace', [prog], { before: ['--once'] });
  const c = await NotificationClient.connect(server.port);
  try {
    await handshake(t, c);
    const reader = new StopReader(c);
    t.regex(await c.request('vCont?'), /^vCont;c;C;s;S;t/);
    t.is(await c.request(`Z0,${bp},1`), 'OK');
    // Resuming answers OK at once; the breakpoint hit comes as a notification.
    t.is(await c.request('vCont;c'), 'OK');
    const [hit] = await reader.take(1);
    t.regex(hit!, /^T05swbreak:;/);
    const stopper = tidOf(hit!);
    // Packets are served while the others run: the printer's counter keeps moving.
    t.not(await c.request(`m${bp},1`), '');
    // vCtrlC stops one running thread with SIGINT, like ^C.
    t.is(await c.request('vCtrlC'), 'OK');
    const [ctrlC] = await reader.take(1);
    t.is(sig(ctrlC!), 'T02');
    t.not(tidOf(ctrlC!), stopper);
    // vCont;t stops the one still running, reported with signal 0.
    t.is(await c.request('vCont;t'), 'OK');
    const [last] = await reader.take(1);
    t.is(sig(last!), 'T00');
    t.not(tidOf(last!), stopper);
    t.not(tidOf(last!), tidOf(ctrlC!));
    // `?` lists every stopped thread: the first as the reply, the rest through vStopped.
    const status = [await c.request('?')];
    for (;;) {
      const r = await c.request('vStopped');
      if (r === 'OK') break;
      status.push(r);
    }
    t.deepEqual(status.map(sig).sort(), ['T00', 'T02', 'T05']);
    t.deepEqual(status.map(tidOf).sort(), [stopper, tidOf(ctrlC!), tidOf(last!)].sort());
    // Everything resumes; the program finishes and the exit is the last notification.
    t.is(await c.request(`z0,${bp},1`), 'OK');
    t.is(await c.request('vCont;c'), 'OK');
    const [exit] = await reader.take(1);
    t.regex(exit!, /^W00;process:[0-9a-f]+$/);
    t.false(reader.overlapping);
    await server.stdout.waitFor(/^done ticks=\d+$/m);
  } finally {
    c.close();
    await server.stop();
  }
});

/** The thread-events sequence; returns the stop replies with ids and registers taken out. */
async function threadEvents(t: ExecutionContext, kind: ServerKind): Promise<string[]> {
  const prog = await workerProgram();
  const server = await startServer(kind, [prog], { before: ['--once'] });
  const c = await NotificationClient.connect(server.port);
  try {
    await handshake(t, c);
    const reader = new StopReader(c);
    t.is(await c.request('QThreadEvents:1'), 'OK');
    t.is(await c.request('vCont;c'), 'OK');
    // The new thread stops before its first instruction; its creator runs on.
    const [created] = await reader.take(1);
    const worker = /thread:(p[0-9a-f]+\.[0-9a-f]+);/.exec(created!)?.[1];
    t.truthy(worker);
    t.is(await c.request(`vCont;c:${worker}`), 'OK');
    const [exited, gone] = await reader.take(2);
    t.false(reader.overlapping);
    await server.stdout.waitFor(/^worker done=1$/m);
    return [created!, exited!, gone!].map((s) =>
      s
        .replace(/[0-9a-f]{2}:[0-9a-f]{16};/g, '')
        .replace(/core:[0-9a-f]+;/, '')
        .replace(/p[0-9a-f]+\.[0-9a-f]+/g, 'pN.N')
        .replace(/process:[0-9a-f]+/, 'process:N')
        // gdbserver writes statuses with %x, we with two digits: both are hex.
        .replace(/^([wW])0*([0-9a-f])/, '$1$2'),
    );
  } finally {
    c.close();
    await server.stop();
  }
}

test('QThreadEvents: create for a new thread, w for its exit, then W', async (t) => {
  const runs: [ServerKind, string[]][] = [];
  for (const kind of serverKinds()) runs.push([kind, await threadEvents(t, kind)]);
  const ours = runs[0]![1];
  t.deepEqual(ours, ['T05create:;thread:pN.N;', 'w0;pN.N', 'W0;process:N']);
  for (const [kind, other] of runs.slice(1)) t.deepEqual(other, ours, `differs from ${kind}`);
});
