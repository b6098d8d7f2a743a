// Launch, run to exit, kill, launch failures, and closing the session with a stopped target.
import test from 'ava';
import { EngineError } from '../../native/index.js';
import {
  capTest,
  fixture,
  gpr,
  processGone,
  Session,
  sym,
  symbols,
  isHeld,
  until,
} from './_session.js';

capTest(['launch'], 'launch stops at the entry point, then runs to its exit code', async (t) => {
  const s = await Session.open(t);
  const path = await fixture('forks');
  const { ref, stop, pid } = await s.launch(path, ['exit', '23']);
  t.is(ref.tgid, ref.tid);
  t.true(ref.handle > 0n);
  t.is(stop.reason, 'launch');
  t.is(stop.thread.handle, ref.handle);
  // The kernel provider queues the STOP just before the thread parks itself: held very soon.
  await until(() => isHeld(pid), 'the launched thread to be held');
  t.true(isHeld(pid));
  const regs = await s.engine.getRegs(ref.handle, stop.stopId, 'gpr');
  t.is(regs.length, 216);
  t.is(gpr(regs, 'rip'), stop.pc);
  t.is(gpr(regs, 'rsp'), stop.sp);
  await s.cont(stop);
  const exit = await s.nextExit(pid);
  t.deepEqual(exit.exit, { code: 23 });
});

capTest(
  ['launch'],
  'launch of a missing file fails with ENOENT and the session goes on',
  async (t) => {
    const s = await Session.open(t);
    const err = await t.throwsAsync(
      s.engine.launch({ path: '/nonexistent/prog', argv: ['prog'], env: [] }),
    );
    t.true(err instanceof EngineError);
    t.is((err as EngineError).code, 'ENOENT');
    const notExec = await t.throwsAsync(
      s.engine.launch({ path: '/etc/passwd', argv: ['passwd'], env: [] }),
    );
    t.is((notExec as EngineError).code, 'EACCES');
    const { pid, stop } = await s.launch(await fixture('forks'), ['exit', '4']);
    await s.cont(stop);
    t.deepEqual((await s.nextExit(pid)).exit, { code: 4 });
  },
);

capTest(['launch'], 'launch passes argv, env and cwd', async (t) => {
  const s = await Session.open(t);
  const ref = await s.engine.launch({
    path: '/bin/sh',
    argv: ['sh', '-c', 'test "$(pwd)" = /tmp && test "$FOO" = bar && exit "$1"', 'sh', '31'],
    env: ['FOO=bar'],
    cwd: '/tmp',
  });
  const stop = await s.nextStop((e) => e.thread.tgid === ref.tgid);
  t.is(stop.reason, 'launch');
  await s.engine.setOptions(ref.tgid, { stopSignals: [] });
  await s.cont(stop);
  t.deepEqual((await s.nextExit(ref.tgid)).exit, { code: 31 });
});

capTest(['launch'], 'KILL of a stopped process reports its death by SIGKILL', async (t) => {
  const s = await Session.open(t);
  const { pid } = await s.launch(await fixture('spin'));
  await s.engine.kill(pid);
  const exit = await s.nextExit(pid);
  t.deepEqual(exit.exit, { signal: 9 });
  t.true(processGone(pid));
  const err = await t.throwsAsync(s.engine.kill(pid));
  t.is((err as EngineError).code, 'ESRCH');
});

capTest(
  ['launch', 'swBreak'],
  'closing the session kills a launched process stopped at a breakpoint',
  async (t) => {
    const s = await Session.open(t);
    const path = await fixture('spin');
    const syms = await symbols(path);
    const { pid, stop } = await s.launch(path);
    await s.engine.setBreakpoint({ pid, kind: 'sw', addr: sym(syms, 'tick'), len: 1 });
    await s.cont(stop);
    const hit = await s.nextStop();
    t.is(hit.reason, 'breakpoint');
    await s.close();
    await until(() => processGone(pid), 'the launched process to die');
    t.true(processGone(pid));
  },
);

test('commands after close reject with ESHUTDOWN', async (t) => {
  const s = await Session.open(t);
  await s.close();
  await s.close(); // idempotent
  const err = await t.throwsAsync(s.engine.listThreads(1));
  t.is((err as EngineError).code, 'ESHUTDOWN');
});
