// The thread packets (stub/handlers/set-thread.ts): Hg selects the thread g/p/m read, T says
// whether a thread lives, qC names the current one, qfThreadInfo/qsThreadInfo list them,
// qThreadExtraInfo gives a name, qAttached says whether we started the process.
import test from 'ava';
import { connectSession } from '../../helpers/rsp-client.js';
import { fake, PID } from './_fake.js';

const hex = (s: string) => Buffer.from(s).toString('hex');
const T2 = PID + 1;
/** rip of a fake thread: 0x401000 + tid, little-endian hex. */
const ripOf = (tid: number) =>
  (0x401000n + BigInt(tid)).toString(16).padStart(16, '0').match(/../g)!.reverse().join('');

async function session() {
  const h = await connectSession(fake([PID, T2]).asTarget());
  await h.client.request('qSupported:multiprocess+');
  return { h, req: (p: string) => h.client.request(p) };
}

test('Hg selects the thread registers are read from; -1 and 0 select none again', async (t) => {
  const { h, req } = await session();
  t.is(await req('p10'), ripOf(PID), 'the stopped thread by default');
  t.is(await req(`Hgp${PID.toString(16)}.${T2.toString(16)}`), 'OK');
  t.is(await req('p10'), ripOf(T2));
  t.is(await req('qC'), `QCp${PID.toString(16)}.${T2.toString(16)}`);
  t.is(await req('Hgp0.0'), 'OK');
  t.is(await req('p10'), ripOf(PID));
  t.is(await req(`Hgp${PID.toString(16)}.7`), 'E01', 'no such thread');
  await h.close();
});

test('T: alive or not; the thread list in one part; names; qAttached', async (t) => {
  const { h, req } = await session();
  const p = PID.toString(16);
  t.is(await req(`Tp${p}.${T2.toString(16)}`), 'OK');
  t.is(await req(`Tp${p}.7`), 'E01');
  t.is(await req('qfThreadInfo'), `mp${p}.${p},p${p}.${T2.toString(16)}`);
  t.is(await req('qsThreadInfo'), 'l');
  t.is(await req(`qThreadExtraInfo,p${p}.${T2.toString(16)}`), hex(`fake-${T2}`));
  t.is(await req(`qThreadExtraInfo,p${p}.7`), 'E01');
  t.is(await req(`qAttached:${p}`), '0', 'launched by us');
  t.is(await req('qAttached:7'), 'E03', 'not a process of ours');
  await h.close();
});
