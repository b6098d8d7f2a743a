// QNonStop, vStopped and vCtrlC (stub/handlers/non-stop.ts) at the edges: non-stop needs a
// target that can run threads apart; vStopped and vCtrlC mean nothing in all-stop.
import test from 'ava';
import type { Target } from '../../../stub/target.js';
import { connectSession } from '../../helpers/rsp-client.js';
import { fake } from './_fake.js';

test('QNonStop:1 is refused by an all-stop-only target; :0 is fine', async (t) => {
  const h = await connectSession(fake().asTarget());
  t.is(await h.client.request('QNonStop:1'), 'E01');
  t.is(await h.client.request('QNonStop:0'), 'OK');
  await h.close();
});

test('in all-stop, vStopped and vCtrlC are not served', async (t) => {
  const h = await connectSession(fake().asTarget());
  t.is(await h.client.request('vStopped'), '');
  t.is(await h.client.request('vCtrlC'), '');
  await h.close();
});

test('QNonStop reaches a target that can, both ways', async (t) => {
  const calls: boolean[] = [];
  const target: Target = {
    ...fake().asTarget(),
    nonStop: {
      setNonStop: async (on: boolean) => void calls.push(on),
      stopThreads: async () => {},
      isRunning: () => false,
    },
  };
  const h = await connectSession(target);
  t.is(await h.client.request('QNonStop:1'), 'OK');
  t.is(await h.client.request('QNonStop:0'), 'OK');
  t.deepEqual(calls, [true, false]);
  await h.close();
});
