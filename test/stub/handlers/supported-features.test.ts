import test from 'ava';
import { PACKET_SIZE } from '../../../stub/capabilities.js';
import { connectSession } from '../../helpers/rsp-client.js';
import { fake, PID } from './_fake.js';

test('qSupported echoes client features we accept and advertises ours', async (t) => {
  const h = await connectSession(fake().asTarget());
  const r = await h.client.request(
    'qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386;vContSupported+',
  );
  const feats = r.split(';');
  t.true(feats.includes(`PacketSize=${PACKET_SIZE.toString(16)}`));
  for (const f of [
    'multiprocess+',
    'swbreak+',
    'hwbreak+',
    'qXfer:features:read+',
    'QPassSignals+',
    'qXfer:libraries-svr4:read+',
    'vContSupported+',
    'QStartNoAckMode+',
  ]) {
    t.true(feats.includes(f), f);
  }
  await h.close();
});

test('without multiprocess from the client, none is advertised and thread ids are bare', async (t) => {
  const h = await connectSession(fake([PID, PID + 1]).asTarget());
  const r = await h.client.request('qSupported:swbreak+');
  t.false(r.includes('multiprocess+'));
  t.is(await h.client.request('qfThreadInfo'), 'm3e8,3e9');
  t.is(await h.client.request('qsThreadInfo'), 'l');
  t.is(await h.client.request('qC'), 'QC3e8');
  await h.close();
});

test('capabilities follow the target groups', async (t) => {
  const h = await connectSession(
    fake().asTarget({ signals: false, processInfo: false, watchpoints: false, breakpoints: false }),
  );
  const r = await h.client.request('qSupported:multiprocess+;swbreak+;hwbreak+');
  t.false(r.includes('QPassSignals'));
  t.false(r.includes('auxv'));
  t.false(r.includes('swbreak+'));
  t.is(await h.client.request('Z0,401000,1'), '');
  t.is(await h.client.request('Z2,401000,4'), '');
  t.is(await h.client.request('QPassSignals:e'), '');
  await h.close();
});

test("qSupported's exec, fork and vfork settings go to the target in one tick, not one round trip each", async (t) => {
  const target = fake().asTarget();
  // Each setting resolves only when released: one awaited before the next is issued leaves
  // the next unissued until then.
  const issued: string[] = [];
  const release: (() => void)[] = [];
  let released = false;
  const setting = (name: string) => () => {
    issued.push(name);
    if (released) return Promise.resolve();
    return new Promise<void>((resolve) => release.push(resolve));
  };
  target.execEvents = { setExecEvents: setting('exec') };
  target.forks = {
    setForkEvents: setting('fork'),
    setVforkEvents: setting('vfork'),
    children: () => [],
    clearChildBreakpoint: async () => {},
    detachChild: async () => {},
  };
  const h = await connectSession(target);
  const answer = h.client.request(
    'qSupported:multiprocess+;swbreak+;fork-events+;vfork-events+;exec-events+',
  );
  for (let i = 0; i < 20 && issued.length < 3; i++) await new Promise((r) => setImmediate(r));
  const before = [...issued].sort();
  released = true;
  for (const r of release) r();
  t.true((await answer).includes('multiprocess+'));
  t.deepEqual(before, ['exec', 'fork', 'vfork'], 'all three issued before any was answered');
  await h.close();
});
