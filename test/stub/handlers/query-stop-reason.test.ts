import test from 'ava';
import { connectSession } from '../../helpers/rsp-client.js';
import { fake, PID } from './_fake.js';

test('? reports the initial stop with thread and expedited registers', async (t) => {
  const h = await connectSession(fake().asTarget());
  await h.client.request('qSupported:multiprocess+');
  const r = await h.client.request('?');
  t.regex(r, /^T05/);
  t.true(r.includes(`thread:p${PID.toString(16)}.${PID.toString(16)};`));
  // rip (regnum 16 = 0x10) is expedited little-endian: 0x401000 + tid.
  t.true(
    r.includes(
      `10:${(0x401000n + BigInt(PID)).toString(16).padStart(16, '0').match(/../g)!.reverse().join('')}`,
    ),
  );
  await h.close();
});
