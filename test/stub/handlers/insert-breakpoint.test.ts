import test from 'ava';
import { connectSession } from '../../helpers/rsp-client.js';
import { fake, PID } from './_fake.js';

test('watchpoints: Z2/Z3/Z4 reach the target, stops carry watch/rwatch/awatch', async (t) => {
  const f = fake();
  const h = await connectSession(f.asTarget());
  t.is(await h.client.request('Z2,401008,4'), 'OK');
  t.is(await h.client.request('Z3,401010,8'), 'OK');
  t.is(await h.client.request('Z4,401020,1'), 'OK');
  t.is(await h.client.request('Z2,401001,0'), 'E16');
  t.true(f.watches.has(`write:${0x401008n}:4`));
  f.script.push({
    kind: 'stopped',
    thread: { pid: PID, tid: PID },
    signal: 5,
    cause: { type: 'watch', kind: 'access', addr: 0x401020n },
  });
  const r = await h.client.request('c');
  t.true(r.includes('awatch:401020;'));
  t.is(await h.client.request('z2,401008,4'), 'OK');
  t.false(f.watches.has(`write:${0x401008n}:4`));
  await h.close();
});

test('watchpoints: an unaligned region takes aligned pieces, all or none', async (t) => {
  const f = fake();
  const h = await connectSession(f.asTarget());
  // 0x401001..0x401004: 1 byte, then 2 aligned, then 1 (gdb/nat/x86-dregs.c's split).
  t.is(await h.client.request('Z2,401001,4'), 'OK');
  t.deepEqual(
    [...f.watches],
    [`write:${0x401001n}:1`, `write:${0x401002n}:2`, `write:${0x401004n}:1`],
  );
  // One debug register left: a 2-piece region does not fit and leaves nothing behind.
  t.regex(await h.client.request('Z4,402003,3'), /^E/);
  t.is(f.watches.size, 3);
  t.is(await h.client.request('z2,401001,4'), 'OK');
  t.is(f.watches.size, 0);
  t.regex(await h.client.request('Z2,401000,40'), /^E/); // more than 4 registers' worth
  await h.close();
});
