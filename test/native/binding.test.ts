// The binding itself: loading in a worker thread, backend selection, channel lifecycle.
import { execFile } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import test from 'ava';
import { EngineError, openEngine, RecordChannel } from '../../native/index.js';
import { compileFixture } from '../helpers/compile.js';

const run = promisify(execFile);

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
  t.true(e.info.caps.condBytecode, 'conditions and commands are evaluated in the engine');
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

test('process.exit() with a session open still detaches an attached process cleanly', async (t) => {
  const path = await compileFixture('spin.c', { flags: ['-no-pie'], output: 'spin-exit' });
  const { stdout: nm } = await run('nm', [path]);
  const tickLine = nm.split('\n').find((l) => l.endsWith(' T tick'));
  const tick = BigInt(`0x${tickLine!.split(' ')[0]}`);
  const { stdout } = await run('/bin/sh', ['-c', `'${path}' </dev/null >/dev/null 2>&1 & echo $!`]);
  const pid = Number(stdout.trim());
  t.teardown(() => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  });
  const url = new URL('../../native/index.js', import.meta.url).href;
  const script = `
    const { openEngine } = await import(${JSON.stringify(url)});
    const e = await openEngine({ backend: 'user' });
    await e.attach(${pid});
    await e.setBreakpoint({ pid: ${pid}, kind: 'sw', addr: ${tick}n, len: 1 });
    process.exit(0);
  `;
  await run(process.execPath, ['--input-type=module', '-e', script]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  t.regex(status, /TracerPid:\s+0\n/);
  const fd = openSync(`/proc/${pid}/mem`, 'r');
  const b = Buffer.alloc(1);
  readSync(fd, b, 0, 1, Number(tick));
  closeSync(fd);
  t.not(b[0], 0xcc, 'the breakpoint was taken out before the tracer went away');
  t.regex(status, /State:\s+[RS]/);
});
