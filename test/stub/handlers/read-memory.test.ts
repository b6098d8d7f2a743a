import test from 'ava';
import { connectSession } from '../../helpers/rsp-client.js';
import { fake } from './_fake.js';

test('memory: reads, partial reads, unmapped reads, writes', async (t) => {
  const f = fake();
  const h = await connectSession(f.asTarget());
  t.is(await h.client.request('m401000,4'), '00010203');
  t.is(await h.client.request('m401ffe,8'), 'feff');
  t.is(await h.client.request('m0,8'), 'E05');
  t.is(await h.client.request('M401000,2:aabb'), 'OK');
  t.is(await h.client.request('m401000,2'), 'aabb');
  t.is(
    await h.client.request(Buffer.concat([Buffer.from('X401002,2:'), Buffer.from([0x23, 0x7d])])),
    'OK',
  );
  t.is(await h.client.request('m401002,2'), '237d');
  t.is(await h.client.request('M10,1:00'), 'E05');
  await h.close();
});
