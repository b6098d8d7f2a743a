import test from 'ava';
import { connectSession } from '../../helpers/rsp-client.js';
import { fake } from './_fake.js';

test('D detaches and ends the session', async (t) => {
  const f = fake();
  const h = await connectSession(f.asTarget());
  t.is(await h.client.request('Z0,401010,1'), 'OK');
  t.is(await h.client.request('D'), 'OK');
  t.is(await h.session.ended, 'detached');
  t.true(f.detached);
  t.is(f.swBreaks.size, 0);
  await h.close();
});
