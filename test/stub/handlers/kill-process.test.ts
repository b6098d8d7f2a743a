import test from 'ava';
import { connectSession } from '../../helpers/rsp-client.js';
import { fake } from './_fake.js';

test('k kills and ends the session without a reply', async (t) => {
  const f = fake();
  const h = await connectSession(f.asTarget());
  h.client.send('k');
  t.is(await h.session.ended, 'gone');
  t.true(f.killed);
  await h.close();
});
