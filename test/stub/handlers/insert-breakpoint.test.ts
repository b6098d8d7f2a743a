import test from 'ava';
import { OK } from '../../../stub/context.js';
import { insertBreakpoint, removeBreakpoint } from '../../../stub/handlers/insert-breakpoint.js';
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

test('z0 and the Z0 that puts a breakpoint back (a step over it) are answered at once, not later', async (t) => {
  const f = fake();
  const h = await connectSession(f.asTarget());
  t.is(await h.client.request('Z0,401008,1'), 'OK');
  const sw = { type: 'software', addr: 0x401008n, size: 1 } as const;
  const removed = removeBreakpoint(h.session, { kind: 'remove-breakpoint', ...sw });
  t.false(removed instanceof Promise);
  t.deepEqual(removed, OK);
  const back = insertBreakpoint(h.session, {
    kind: 'insert-breakpoint',
    ...sw,
    conditions: [],
  });
  t.false(back instanceof Promise);
  t.deepEqual(back, OK);
  // A new breakpoint still goes to the target first, and an invalid address still fails.
  t.is(await h.client.request('Z0,401010,1'), 'OK');
  t.regex(await h.client.request('Z0,10,1'), /^E/);
  await h.close();
});
