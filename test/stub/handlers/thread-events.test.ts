// QThreadEvents (stub/handlers/thread-events.ts): on and off reach every process's target; a
// target that cannot report thread creation and exit answers it empty (unsupported).
import test from 'ava';
import { connectSession } from '../../helpers/rsp-client.js';
import { fake } from './_fake.js';

test('on and off reach the target', async (t) => {
  const calls: boolean[] = [];
  const target = {
    ...fake().asTarget(),
    threadEvents: { setThreadEvents: async (on: boolean) => void calls.push(on) },
  };
  const h = await connectSession(target);
  t.is(await h.client.request('QThreadEvents:1'), 'OK');
  t.is(await h.client.request('QThreadEvents:0'), 'OK');
  t.deepEqual(calls, [true, false]);
  await h.close();
});

test('a target without thread events: empty reply', async (t) => {
  const h = await connectSession(fake().asTarget());
  t.is(await h.client.request('QThreadEvents:1'), '');
  await h.close();
});
