// The argument-less packets the stub does not serve are refused on purpose: empty with a
// process, E01 without one, as any packet that needs a process; unknown packets stay empty.
import test from 'ava';
import { SessionContext } from '../../../stub/context.js';
import { HANDLERS } from '../../../stub/dispatch.js';
import { shlibInfoAddr } from '../../../stub/handlers/simple.js';
import { FakeTarget } from '../../helpers/fake-target.js';
import { connectSession } from '../../helpers/rsp-client.js';
import { fake } from './_fake.js';

const REFUSED = ['qOffsets', 'QEnableErrorStrings', 'QSetSTDIN:2f6465762f6e756c6c'];

test('qOffsets, QEnableErrorStrings and QSetSTDIN are refused empty with a process', async (t) => {
  const h = await connectSession(fake().asTarget());
  for (const p of REFUSED) t.is(await h.client.request(p), '', p);
  t.is(await h.client.request('qNoSuchThing'), '');
  await h.close();
});

test('without a process they are E01; an unknown packet is still empty', async (t) => {
  const h = await connectSession(undefined, { multi: true });
  for (const p of REFUSED) t.is(await h.client.request(p), 'E01', p);
  t.is(await h.client.request('qNoSuchThing'), '');
  t.is(await h.client.request('g'), 'E01');
  await h.close();
});

test('the dispatch table holds a handler for every kind it names', (t) => {
  for (const [kind, handler] of Object.entries(HANDLERS)) t.is(typeof handler, 'function', kind);
  t.true(Object.keys(HANDLERS).length > 80);
});

test('qShlibInfoAddr: the address of the DT_DEBUG value, found from auxv', async (t) => {
  const fake = new FakeTarget(1000, [1000]);
  const ctx = new SessionContext(fake.asTarget());
  ctx.client.flavour = 'lldb';
  // Program headers at 0x555555554040 (AT_PHDR), two of them: PT_PHDR at vaddr 0x40 (bias
  // 0x555555554000) and PT_DYNAMIC at vaddr 0x3e00; then DT_NEEDED, DT_DEBUG, DT_NULL.
  const phdrs = Buffer.alloc(2 * 56);
  phdrs.writeUInt32LE(6, 0);
  phdrs.writeBigUInt64LE(0x40n, 16);
  phdrs.writeUInt32LE(2, 56);
  phdrs.writeBigUInt64LE(0x3e00n, 56 + 16);
  const dyn = Buffer.alloc(3 * 16);
  dyn.writeBigInt64LE(1n, 0);
  dyn.writeBigInt64LE(21n, 16);
  fake.map(0x555555554040n, phdrs).map(0x555555557e00n, dyn);
  const auxv = Buffer.alloc(3 * 16);
  auxv.writeBigUInt64LE(3n, 0);
  auxv.writeBigUInt64LE(0x555555554040n, 8);
  auxv.writeBigUInt64LE(5n, 16);
  auxv.writeBigUInt64LE(2n, 24);
  const target = { ...ctx.target, processInfo: { ...fake.processInfoOps, auxv: async () => auxv } };
  const withAuxv = new SessionContext(target);
  t.deepEqual(await shlibInfoAddr(withAuxv), { reply: '555555557e18' });
  // No DT_DEBUG (a static program): an error, so LLDB falls back to other means.
  dyn.writeBigInt64LE(0n, 16);
  t.deepEqual(await shlibInfoAddr(withAuxv), { reply: 'E01' });
});
