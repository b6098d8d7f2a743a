// Extended-remote over a scripted provider: vRun with the launch settings GDB sent, vAttach of a
// second process, multiprocess thread ids, Hg selecting a process, D;pid and vKill;pid on one
// process while the other stays.
import test from 'ava';
import { fakeProvider as provider } from '../helpers/fake-provider.js';
import { connectSession } from '../helpers/rsp-client.js';

const hex = (s: string) => Buffer.from(s).toString('hex');

test('vRun carries arguments, environment, directory and shell; a bare vRun repeats it', async (t) => {
  const { p, launched } = provider();
  const h = await connectSession(undefined, { multi: true, provider: p });
  const features = await h.client.request('qSupported:multiprocess+');
  for (const f of ['QEnvironmentHexEncoded+', 'QSetWorkingDir+', 'QStartupWithShell+'])
    t.true(features.includes(f), f);
  t.is(await h.client.request('!'), 'OK');
  // Announced in qSupported: with no process it is an error, never "unsupported".
  t.is(await h.client.request('qXfer:auxv:read::0,100'), 'E01');
  t.is(await h.client.request(`QEnvironmentHexEncoded:${hex('GREETING=hello there')}`), 'OK');
  t.is(await h.client.request(`QEnvironmentUnset:${hex('PATH')}`), 'OK');
  t.is(await h.client.request(`QSetWorkingDir:${hex('/tmp')}`), 'OK');
  t.is(await h.client.request('QStartupWithShell:0'), 'OK');
  t.is(await h.client.request('QDisableRandomization:0'), 'OK');
  const stop = await h.client.request(`vRun;${hex('/bin/prog')};${hex('a b')};${hex("c'd")}`);
  t.regex(stop, /^T05.*thread:p7d0\.7d0;/);
  const req = launched[0]!;
  t.deepEqual(req.argv, ['/bin/prog', 'a b', "c'd"]);
  t.is(req.cwd, '/tmp');
  t.false(req.shell);
  t.false(req.disableAslr);
  t.true(req.env!.includes('GREETING=hello there'));
  t.false(req.env!.some((e) => e.startsWith('PATH=')));
  t.is(await h.client.request('vKill;7d0'), 'OK');
  t.regex(await h.client.request('vRun;'), /^T05.*thread:p7d1\.7d1;/);
  t.deepEqual(launched[1]!.argv, ['/bin/prog', 'a b', "c'd"]);
  t.is(await h.client.request('QEnvironmentReset'), 'OK');
  t.regex(await h.client.request(`vRun;${hex('/bin/other')}`), /^T05/);
  t.is(launched[2]!.env, undefined);
  await h.close();
});

test('two processes: thread ids, Hg selects, D;pid and vKill;pid leave the other', async (t) => {
  const { p, targets } = provider();
  const h = await connectSession(undefined, { multi: true, provider: p });
  await h.client.request('qSupported:multiprocess+');
  t.is(await h.client.request('!'), 'OK');
  t.regex(await h.client.request(`vRun;${hex('/bin/prog')}`), /thread:p7d0\.7d0;/);
  t.regex(await h.client.request('vAttach;bb8'), /thread:pbb8\.bb8;/);
  t.is(await h.client.request('qfThreadInfo'), 'mp7d0.7d0,pbb8.bb8,pbb8.bb9');
  t.is(await h.client.request('qAttached:7d0'), '0');
  t.is(await h.client.request('qAttached:bb8'), '1');
  t.is(await h.client.request('qAttached:999'), 'E03');
  // Memory follows the process Hg names.
  t.is(await h.client.request('Hgpbb8.bb9'), 'OK');
  t.is(await h.client.request('m401000,2'), 'b809');
  t.is(await h.client.request('qC'), 'QCpbb8.bb9');
  t.is(await h.client.request('Hgp7d0.7d0'), 'OK');
  t.is(await h.client.request('m401000,2'), 'd001');
  t.is(await h.client.request('Tpbb8.bb9'), 'OK');
  t.is(await h.client.request('D;bb8'), 'OK');
  t.true(targets.get(0xbb8)!.detached);
  t.false(targets.get(0x7d0)!.detached);
  t.is(await h.client.request('qfThreadInfo'), 'mp7d0.7d0');
  t.is(await h.client.request('vKill;bb8'), 'E03');
  t.is(await h.client.request('vKill;7d0'), 'OK');
  t.true(targets.get(0x7d0)!.killed);
  t.is(await h.client.request('qfThreadInfo'), 'l');
  await h.close();
  t.is(await h.session.ended, 'disconnected');
});

test('with no process, gdb gets no target description (it may still set any architecture)', async (t) => {
  // gdb.base/catch-syscall.exp on the extended board: `set architecture i386` before `run`.
  const h = await connectSession(undefined, { multi: true });
  // gdb 13's own qSupported.
  await h.client.request(
    'qSupported:multiprocess+;swbreak+;hwbreak+;qRelocInsn+;fork-events+;vfork-events+;' +
      'exec-events+;vContSupported+;QThreadEvents+;no-resumed+;memory-tagging+;xmlRegisters=i386',
  );
  t.is(await h.client.request('qXfer:features:read:target.xml:0,fff'), 'E01');
  await h.close();
});

test('all-stop, two processes: a death racing the first one stop reply waits for the next resume', async (t) => {
  // gdb.base/vfork-follow-parent.exp, schedule-multiple: the parent's vforkdone is reported,
  // the child is asked to stop and exits before that reply is out. Reported then too, gdb got
  // two stop replies for one vCont and every later reply was one behind ("Unknown remote qXfer
  // reply: OK").
  const { p, targets } = provider();
  const h = await connectSession(undefined, { multi: true, provider: p });
  await h.client.request('qSupported:multiprocess+');
  t.is(await h.client.request('!'), 'OK');
  t.regex(await h.client.request(`vRun;${hex('/bin/prog')}`), /thread:p7d0\.7d0;/);
  t.regex(await h.client.request('vAttach;bb8'), /thread:pbb8\.bb8;/);
  const a = targets.get(0x7d0)!;
  const b = targets.get(0xbb8)!;
  a.script.push({
    kind: 'stopped',
    thread: { pid: 0x7d0, tid: 0x7d0 },
    signal: 5,
    cause: { type: 'signal' },
  });
  // Asked to stop for a's stop, b dies at once: before a's reply is sent.
  b.interrupt = async () => {
    b.report({ kind: 'exited', pid: 0xbb8, code: 0 });
    return true;
  };
  t.regex(await h.client.request('vCont;c'), /^T05.*thread:p7d0\.7d0;/);
  // The next reply answers the next packet: no second stop reply came for that vCont.
  t.is(await h.client.request('qC'), 'QCp7d0.7d0');
  // The death is the stop of the next resume.
  t.is(await h.client.request('vCont;c'), 'W00;process:bb8');
  await h.close();
});
