import test from 'ava';
import { connectSession } from '../../helpers/rsp-client.js';
import { fake, PID } from './_fake.js';

type Fake = ReturnType<typeof fake>;
type Connected = Awaited<ReturnType<typeof connectSession>>;

/** One vCont;s of the main thread whose step ends (SIGTRAP); resolves to the stop reply. */
function stepOnce(h: Connected, f: Fake): Promise<string> {
  f.script.push({
    kind: 'stopped',
    thread: { pid: PID, tid: PID },
    signal: 5,
    cause: { type: 'step' },
  });
  return h.client.request(`vCont;s:p${PID.toString(16)}.${PID.toString(16)}`);
}

test('continue, breakpoint stop with swbreak, and the lazy z0/Z0 around a step', async (t) => {
  const f = fake();
  const h = await connectSession(f.asTarget());
  await h.client.request('qSupported:multiprocess+;swbreak+;hwbreak+');
  t.is(await h.client.request('Z0,401010,1'), 'OK');
  t.true(f.swBreaks.has(0x401010n));
  f.script.push({
    kind: 'stopped',
    thread: { pid: PID, tid: PID },
    signal: 5,
    cause: { type: 'sw-break' },
  });
  const stop = await h.client.request('vCont;c');
  t.regex(stop, /^T05/);
  t.true(stop.includes('swbreak:;'));
  t.deepEqual(f.lastResume, [{ mode: 'continue', signal: 0 }]);
  // Step over the breakpoint at the thread's pc: z0, vCont;s, Z0 reach the target as nothing.
  const pc = 0x401000n + BigInt(PID);
  t.is(await h.client.request(`Z0,${pc.toString(16)},1`), 'OK');
  const before = f.calls.filter((c) => c.startsWith('setSw') || c.startsWith('clearSw')).length;
  t.is(await h.client.request(`z0,${pc.toString(16)},1`), 'OK');
  t.regex(await stepOnce(h, f), /^T05/);
  t.is(await h.client.request(`Z0,${pc.toString(16)},1`), 'OK');
  const after = f.calls.filter((c) => c.startsWith('setSw') || c.startsWith('clearSw')).length;
  t.is(after, before);
  // A removal that is not undone is flushed at the next resume.
  t.is(await h.client.request('z0,401010,1'), 'OK');
  f.script.push({ kind: 'exited', pid: PID, code: 7 });
  t.is(await h.client.request('c'), `W07;process:${PID.toString(16)}`);
  t.false(f.swBreaks.has(0x401010n));
  await h.close();
});

test('a breakpoint removed at the end of a step (no hit there) reaches the target before the next step', async (t) => {
  const f = fake();
  const h = await connectSession(f.asTarget());
  await h.client.request('qSupported:multiprocess+;swbreak+;hwbreak+');
  const pc = 0x401000n + BigInt(PID);
  t.is(await h.client.request(`Z0,${pc.toString(16)},1`), 'OK');
  // A step ends at the breakpoint's address (gdb.threads/step-over-lands-on-breakpoint.exp):
  // no hit, so the engine will not step over it; gdb steps over it with z0, vCont;s, Z0, and
  // the int3 must be out of the way for that step.
  t.regex(await stepOnce(h, f), /^T05/);
  t.is(await h.client.request(`z0,${pc.toString(16)},1`), 'OK');
  t.regex(await stepOnce(h, f), /^T05/);
  t.true(f.calls.includes(`clearSw ${pc.toString(16)}`), f.calls.join(' '));
  await h.close();
});

test('signals: C delivers the host signal, S steps with one, QPassSignals maps numbers', async (t) => {
  const f = fake();
  const h = await connectSession(f.asTarget());
  f.script.push({
    kind: 'stopped',
    thread: { pid: PID, tid: PID },
    signal: 11,
    cause: { type: 'signal' },
  });
  t.regex(await h.client.request('C1e'), /^T0b/); // GDB 30 = SIGUSR1 (host 10); SIGSEGV reported as 11
  t.is(f.lastResume[0]!.signal, 10);
  // 0e SIGALRM (14), 14 SIGCHLD (gdb 20 -> host 17), 1c SIGWINCH (28)
  t.is(await h.client.request('QPassSignals:e;14;1c'), 'OK');
  t.deepEqual(f.passSignals, [14, 17, 28]);
  t.is(await h.client.request('QProgramSignals:e'), 'OK');
  await h.close();
});

test('vCont with per-thread actions and range stepping', async (t) => {
  const f = fake([PID, PID + 1]);
  const h = await connectSession(f.asTarget());
  await h.client.request('qSupported:multiprocess+');
  t.is(await h.client.request('vCont?'), 'vCont;c;C;s;S;r');
  f.script.push({
    kind: 'stopped',
    thread: { pid: PID, tid: PID + 1 },
    signal: 5,
    cause: { type: 'step' },
  });
  const r = await h.client.request(
    `vCont;r401000,401010:p${PID.toString(16)}.${(PID + 1).toString(16)};c`,
  );
  t.true(r.includes(`thread:p3e8.3e9;`));
  t.deepEqual(f.lastResume, [
    {
      thread: { pid: PID, tid: PID + 1 },
      mode: 'range',
      signal: 0,
      range: { start: 0x401000n, end: 0x401010n },
    },
    { mode: 'continue', signal: 0 },
  ]);
  // The stopping thread becomes the current one.
  t.is(await h.client.request('qC'), 'QCp3e8.3e9');
  t.is(await h.client.request('Hgp3e8.3e8'), 'OK');
  t.is(await h.client.request('Hgp3e8.999'), 'E01');
  t.is(await h.client.request('Tp3e8.3e9'), 'OK');
  t.is(await h.client.request('Tp3e8.5'), 'E01');
  t.is(
    await h.client.request('qThreadExtraInfo,p3e8.3e9'),
    Buffer.from('fake-1001').toString('hex'),
  );
  t.is(await h.client.request('qThreadExtraInfo,p3e8.5'), 'E01');
  await h.close();
});
