import test from 'ava';
import { connectSession } from '../../helpers/rsp-client.js';
import { FakeTarget } from '../../helpers/fake-target.js';
import { fake, LLDB_FEATURES, PID, SLOT } from './_fake.js';

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

test('QSaveRegisterState and QRestoreRegisterState with the thread suffix', async (t) => {
  const fake = new FakeTarget(1000, [1000, 1001]);
  const h = await connectSession(fake.asTarget());
  try {
    await h.client.request(LLDB_FEATURES);
    t.is(await h.client.request('QThreadSuffixSupported'), 'OK');
    const rax = (tid: number) => fake.gpr.get(tid)!.readBigUInt64LE(SLOT.rax * 8);
    fake.gpr.get(1001)!.writeBigUInt64LE(0x1111n, SLOT.rax * 8);
    fake.fpr.get(1001)![0] = 0x7f;
    t.is(await h.client.request('QSaveRegisterState;thread:3e9;'), '1');
    t.is(await h.client.request('P0=2222000000000000;thread:3e9;'), 'OK');
    t.is(rax(1001), 0x2222n);
    fake.fpr.get(1001)![0] = 0;
    t.is(await h.client.request('QSaveRegisterState;thread:3e9;'), '2');
    t.is(await h.client.request('QRestoreRegisterState:1;thread:3e9;'), 'OK');
    t.is(rax(1001), 0x1111n);
    t.is(fake.fpr.get(1001)![0], 0x7f);
    // The other thread is untouched, and the cache shows what the thread holds.
    t.is(rax(1000), 0n);
    t.is(await h.client.request('p0;thread:3e9;'), '1111000000000000');
    // A restore consumes its id; an unknown id is an error.
    t.is(await h.client.request('QRestoreRegisterState:1;thread:3e9;'), 'E16');
    t.is(await h.client.request('QRestoreRegisterState:2;thread:3e9;'), 'OK');
    t.is(rax(1001), 0x2222n);
    // Without a suffix: the current thread.
    t.is(await h.client.request('QSaveRegisterState'), '3');
  } finally {
    await h.close();
  }
});
