// The binding itself: loading in a worker thread, backend selection, channel lifecycle.
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import test from 'ava';
import { EngineError, openEngine, RecordChannel } from '../../native/index.js';

test('the addon works inside a worker thread, whose teardown ends its open sessions', async (t) => {
  const url = new URL('../../native/index.js', import.meta.url).href;
  const code = `
    import { parentPort } from 'node:worker_threads';
    const { openEngine } = await import(${JSON.stringify(url)});
    const e = await openEngine({ backend: 'user' });
    const ref = await e.launch({ path: '/bin/true', argv: ['true'], env: [] });
    const exit = await new Promise((resolve) => {
      e.on('event', (ev) => {
        if (ev.type === 'stop') e.resume({ handle: ev.thread.handle, stopId: ev.stopId, mode: 'cont' });
        if (ev.type === 'process-exit') resolve(ev.exit);
      });
    });
    await e.close();
    // Leave a second session open with a stopped debuggee: worker teardown must end it.
    const e2 = await openEngine({ backend: 'user' });
    const left = await e2.launch({ path: '/bin/sleep', argv: ['sleep', '1000'], env: [] });
    parentPort.postMessage({ pid: ref.tgid, exit, backend: e.info.backend, left: left.tgid });
  `;
  const w = new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`));
  const msg = await new Promise<{ exit: unknown; backend: string; left: number }>(
    (resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    },
  );
  t.deepEqual(msg.exit, { code: 0 });
  t.is(msg.backend, 'user');
  t.true(existsSync(`/proc/${msg.left}`));
  const exited = new Promise<number>((resolve) => w.once('exit', resolve));
  await w.terminate();
  t.is(await exited, 1);
  // The env cleanup hook closed the session: the launched sleep was killed and reaped.
  t.false(existsSync(`/proc/${msg.left}`));
});

test("backend 'kernel' without /dev/ntrace fails clearly", async (t) => {
  if (existsSync('/dev/ntrace')) {
    t.pass('device present: nothing to check here');
    return;
  }
  const err = await t.throwsAsync(openEngine({ backend: 'kernel' }));
  t.is((err as Error & { code?: string }).code, 'ENOENT');
});

test("backend 'user' says hello with the ptrace backend's facts", async (t) => {
  const e = await openEngine({ backend: 'user' });
  t.teardown(() => e.close());
  t.is(e.info.backend, 'user');
  t.is(e.info.abi, 1);
  t.is(e.info.hwSlots, 4);
  t.true(e.info.maxRecord >= 4096);
  t.true(e.info.caps.launch);
  t.false(e.info.caps.condBytecode, 'agent expressions are not implemented');
});

test('a closed engine rejects pending and new commands with ESHUTDOWN', async (t) => {
  const e = await openEngine({ backend: 'user' });
  const pending = e.listThreads(12345);
  await e.close();
  const err = await t.throwsAsync(pending.then(() => e.listThreads(1)));
  t.true(err instanceof EngineError);
});

test('RecordChannel.next() rejects once the channel is closed', async (t) => {
  const ch = RecordChannel.user();
  const waiting = ch.next();
  ch.close();
  await t.throwsAsync(waiting);
  t.true(ch.closed);
});
