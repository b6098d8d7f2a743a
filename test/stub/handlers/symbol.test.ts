// qSymbol (stub/handlers/symbol.ts): the exchange by which gdb tells us where glibc describes
// link_map's l_tls_modid. We ask until gdb knows the symbol; its value read, we ask no more.
// What the offset is then used for (qGetTLSAddr) is in tls.test.ts.
import test from 'ava';
import { FakeTarget } from '../../helpers/fake-target.js';
import { connectSession } from '../../helpers/rsp-client.js';

const hex = (s: string) => Buffer.from(s).toString('hex');
const SYM = hex('_thread_db_link_map_l_tls_modid');
const DESC = 0x600000n;

function fakeWithDescriptor(bits: number, count: number, offset: number) {
  const f = new FakeTarget(1000, [1000]);
  const d = Buffer.alloc(12);
  d.writeUInt32LE(bits, 0);
  d.writeUInt32LE(count, 4);
  d.writeUInt32LE(offset, 8);
  f.map(DESC, d);
  return f;
}

test('asked again while gdb does not know it; OK for good once it does', async (t) => {
  const h = await connectSession(fakeWithDescriptor(64, 1, 1152).asTarget());
  const req = (p: string) => h.client.request(p);
  t.is(await req('qSymbol::'), `qSymbol:${SYM}`);
  t.is(await req(`qSymbol::${SYM}`), 'OK', 'unknown to gdb: the exchange ends for now');
  t.is(await req('qSymbol::'), `qSymbol:${SYM}`, 'and starts again at the next one');
  t.is(await req(`qSymbol:${DESC.toString(16)}:${SYM}`), 'OK');
  t.is(await req('qSymbol::'), 'OK', 'known: nothing more to ask');
  await h.close();
});

test('a value for a symbol we did not ask about changes nothing', async (t) => {
  const h = await connectSession(fakeWithDescriptor(64, 1, 1152).asTarget());
  const req = (p: string) => h.client.request(p);
  t.is(await req(`qSymbol:${DESC.toString(16)}:${hex('malloc')}`), 'OK');
  t.is(await req('qSymbol::'), `qSymbol:${SYM}`);
  await h.close();
});
