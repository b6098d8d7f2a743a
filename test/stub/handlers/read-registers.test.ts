import test from 'ava';
import { connectSession } from '../../helpers/rsp-client.js';
import { fake, PID } from './_fake.js';

test('registers: g covers the whole layout, p and P one register', async (t) => {
  const f = fake();
  const h = await connectSession(f.asTarget());
  const g = await h.client.request('g');
  t.is(g.length, 60 * 0 + 2 * (16 * 8 + 8 + 4 + 6 * 4 + 8 * 10 + 8 * 4 + 16 * 16 + 4 + 8 + 16));
  t.is(
    await h.client.request('p10'),
    (0x401000n + BigInt(PID)).toString(16).padStart(16, '0').match(/../g)!.reverse().join(''),
  );
  t.is(await h.client.request('P0=efcdab8967452301'), 'OK');
  t.is(f.gpr.get(PID)!.readBigUInt64LE(10 * 8), 0x0123456789abcdefn);
  t.is(await h.client.request('p0'), 'efcdab8967452301');
  t.is(await h.client.request('p999'), 'E16');
  t.is(await h.client.request('P0=12'), 'E16');
  await h.close();
});
