// All-stop over two processes (stub/session.ts, stopOther): the first stop's reply waits until
// the other resumed process has stopped or died, as gdbserver's stop_all_lwps, and never for a
// stop that cannot come: a process not running (its interrupt says so), one whose interrupt
// fails, one left with no resumed thread, one not yet resumed when the stop came.
import test from 'ava';
import type { TargetStop } from '../../stub/target.js';
import { TargetError } from '../../stub/target.js';
import type { FakeTarget } from '../helpers/fake-target.js';
import { fakeProvider } from '../helpers/fake-provider.js';
import { connectSession, type Harness } from '../helpers/rsp-client.js';

const hex = (s: string) => Buffer.from(s).toString('hex');

const A_STOP: TargetStop = {
  kind: 'stopped',
  thread: { pid: 0x7d0, tid: 0x7d0 },
  signal: 5,
  cause: { type: 'signal' },
};

/**
 * Launched process a (0x7d0) and attached process b (0xbb8), both stopped. `bounded()` tells
 * whether a stop reply went out only because the wait for the other's stop gave up (a stop
 * promised and never delivered: the wait itself is broken).
 */
async function twoProcesses(): Promise<{
  h: Harness;
  a: FakeTarget;
  b: FakeTarget;
  bounded: () => boolean;
}> {
  const { p, targets } = fakeProvider();
  const lines: string[] = [];
  const h = await connectSession(undefined, {
    multi: true,
    provider: p,
    log: (line) => lines.push(line),
  });
  await h.client.request('qSupported:multiprocess+;swbreak+');
  await h.client.request('!');
  await h.client.request(`vRun;${hex('/bin/prog')}`);
  await h.client.request('vAttach;bb8');
  return {
    h,
    a: targets.get(0x7d0)!,
    b: targets.get(0xbb8)!,
    bounded: () => lines.some((l) => l.includes('without waiting longer')),
  };
}

const resumes = (f: FakeTarget) => f.calls.filter((c) => c.startsWith('resume')).length;

const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

/** b's own stop on the next vCont;c: the stop reply it gets (news, not swallowed). */
function nextStopOf(
  h: Awaited<ReturnType<typeof twoProcesses>>['h'],
  b: FakeTarget,
): Promise<string> {
  b.script.push({
    kind: 'stopped',
    thread: { pid: 0xbb8, tid: 0xbb8 },
    signal: 5,
    cause: { type: 'signal' },
  });
  return h.client.request('vCont;c');
}

/** f's interrupt() promises a stop (and delivers none by itself); resolves when it is asked. */
function promisesStop(f: FakeTarget): Promise<void> {
  return new Promise<void>((resolve) => {
    f.interrupt = async () => {
      resolve();
      return true;
    };
  });
}

test('the stop reply waits for the other process to stop; its death is then pending and reported without resuming', async (t) => {
  // gdbserver's stop_all_lwps waits for every process before reporting. A vfork child asked to
  // stop for its parent's vforkdone exits a moment later: gdbserver keeps the exit pending and
  // the next vCont reports it with the parent still at the vfork (gdb.base/vfork-follow-parent.exp,
  // schedule-multiple; test/e2e/vfork-parent.test.ts); replying first, we let gdb run the parent
  // on before the exit came.
  const { h, a, b, bounded } = await twoProcesses();
  a.script.push(A_STOP);
  // b takes the request and dies only later.
  const interrupted = promisesStop(b);
  let replied = false;
  const first = h.client.request('vCont;c').then((r) => {
    replied = true;
    return r;
  });
  await interrupted;
  await turns(50);
  t.false(replied, 'a stop reply before the other process stopped');
  b.report({ kind: 'exited', pid: 0xbb8, code: 0 });
  t.regex(await first, /^T05.*thread:p7d0\.7d0;/);
  const before = resumes(a);
  t.is(await h.client.request('vCont;c'), 'W00;process:bb8');
  t.is(resumes(a), before, 'a was resumed');
  t.false(bounded(), 'the reply waited for a stop that never came');
  await h.close();
});

test('the other process says no stop follows (not running): the reply goes, and its next stop is reported', async (t) => {
  // EngineTarget.interrupt() of a process already stopped or gone: waiting for its stop hung
  // the vfork-parent e2e in a fresh-clone CI (77c0e22, backed out in 9f89ab6).
  const { h, a, b, bounded } = await twoProcesses();
  a.script.push(A_STOP);
  b.interrupt = async () => false;
  t.regex(await h.client.request('vCont;c'), /^T05.*thread:p7d0\.7d0;/);
  // b was not asked to stop for anything: its stop of the next resume is news, not swallowed.
  b.interrupt = async () => true;
  t.regex(await nextStopOf(h, b), /^T05.*thread:pbb8\.bb8;/);
  t.false(bounded(), 'the reply waited for a stop that never came');
  await h.close();
});

test('the other process cannot be asked to stop (interrupt fails): the reply goes', async (t) => {
  const { h, a, b, bounded } = await twoProcesses();
  a.script.push(A_STOP);
  b.interrupt = async () => {
    throw new TargetError('engine gone', 5);
  };
  t.regex(await h.client.request('vCont;c'), /^T05.*thread:p7d0\.7d0;/);
  t.false(bounded(), 'the reply waited for a stop that never came');
  await h.close();
});

test('the other process is left with no resumed thread instead of stopping: the reply goes', async (t) => {
  // Its resumed threads exited meanwhile: the target reports no-resumed, never a stop.
  const { h, a, b, bounded } = await twoProcesses();
  a.script.push(A_STOP);
  b.interrupt = async () => {
    setImmediate(() => b.report({ kind: 'no-resumed' }));
    return true;
  };
  t.regex(await h.client.request('vCont;c'), /^T05.*thread:p7d0\.7d0;/);
  t.false(bounded(), 'the reply waited for a stop that never came');
  await h.close();
});

test('a stop that comes while the other process still syncs its breakpoints: it is not resumed, the reply does not wait for it', async (t) => {
  // resumeProcesses resumes one process after the other, each after its breakpoint sync. The
  // first one's stop found the second not running yet (nothing to wait for); resumed after
  // that, it ran on with nobody to stop it, and a reply waiting for it waited forever.
  const { h, a, b, bounded } = await twoProcesses();
  t.is(await h.client.request('Hgpbb8.bb8'), 'OK');
  t.is(await h.client.request('Z0,401000,1'), 'OK');
  t.is(await h.client.request('z0,401000,1'), 'OK'); // taken out of b with the next resume
  let open!: () => void;
  b.breakpointGate = new Promise((r) => {
    open = r;
  });
  // The sync ends as soon as b is asked to stop: before the stop reply can be sent.
  const interrupt = b.interrupt.bind(b);
  b.interrupt = async () => {
    open();
    return interrupt();
  };
  a.script.push(A_STOP);
  const before = resumes(b);
  t.regex(await h.client.request('vCont;c'), /^T05.*thread:p7d0\.7d0;/);
  await turns(10);
  t.is(resumes(b), before, 'b resumed after the stop was reported');
  // Nothing of b's is swallowed later either.
  t.regex(await nextStopOf(h, b), /^T05.*thread:pbb8\.bb8;/);
  t.false(bounded(), 'the reply waited for a stop that never came');
  await h.close();
});

test('gdb leaving while the reply waits for the other process ends the session', async (t) => {
  const { h, a, b } = await twoProcesses();
  a.script.push(A_STOP);
  const interrupted = promisesStop(b);
  h.client.send('vCont;c');
  await interrupted;
  await h.close();
  t.is(await h.session.ended, 'disconnected');
});

test('the other process fails to resume after the stop asked it to stop: the reply goes', async (t) => {
  // Its resume was in flight when the first stop came (so it was asked, and promised a stop);
  // then nothing of it ran, and no stop comes.
  const { h, a, b, bounded } = await twoProcesses();
  a.script.push(A_STOP);
  const interrupted = promisesStop(b);
  b.resume = async () => {
    await interrupted;
    throw new TargetError('no thread could run', 5);
  };
  t.regex(await h.client.request('vCont;c'), /^T05.*thread:p7d0\.7d0;/);
  t.false(bounded(), 'the reply waited for a stop that never came');
  await h.close();
});

test("the other process's own event met while it is stopped for the reply is kept: the next vCont reports it and runs nothing else", async (t) => {
  // gdbserver's stop_all_lwps keeps such an event pending (status_pending_p) and its resume
  // reports it without resuming any thread (any_pending); swallowed, gdb never saw b's hit
  // and b was stepped over its breakpoint on the next resume.
  const { h, a, b, bounded } = await twoProcesses();
  a.script.push(A_STOP);
  b.raced = {
    kind: 'stopped',
    thread: { pid: 0xbb8, tid: 0xbb8 },
    signal: 5,
    cause: { type: 'sw-break' },
  };
  t.regex(await h.client.request('vCont;c'), /^T05.*thread:p7d0\.7d0;/);
  t.true(b.calls.includes('interrupt hold'), 'b asked to keep what it meets');
  const before = resumes(a);
  t.regex(await h.client.request('vCont;c'), /^T05swbreak:;.*thread:pbb8\.bb8;/);
  t.is(resumes(a), before, 'a ran beside the kept event');
  // Then both run again.
  a.script.push(A_STOP);
  t.regex(await h.client.request('vCont;c'), /^T05.*thread:p7d0\.7d0;/);
  t.is(resumes(a), before + 1);
  t.false(bounded(), 'the reply waited for a stop that never came');
  await h.close();
});
