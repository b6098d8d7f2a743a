// qTBuffer (stub/handlers/trace-buffer.ts): the trace buffer's bytes for tsave, in pieces, `l`
// at its end, an error past it.
import test from 'ava';
import { connectSession } from '../../helpers/rsp-client.js';
import { define, tracedFake } from './_trace.js';

test('an empty buffer ends at once', async (t) => {
  const h = await connectSession(tracedFake().asTarget());
  t.is(await h.client.request('qTBuffer:0,100'), 'l');
  await h.close();
});

test('the bytes read in pieces are the bytes read at once, then l, then an error', async (t) => {
  const h = await connectSession(tracedFake().asTarget());
  const req = (p: string) => h.client.request(p);
  await define(req, ['M-1,401020,4']);
  await req('QTStart');
  await req('vCont;c');
  await req('QTStop');
  const st = await req('qTStatus');
  const size = Number.parseInt(/;tsize:([0-9a-f]+);/.exec(st)![1]!, 16);
  const free = Number.parseInt(/;tfree:([0-9a-f]+);/.exec(st)![1]!, 16);
  const used = size - free;
  t.true(used > 4, 'one frame with its 4 bytes of memory');
  const whole = await req(`qTBuffer:0,${used.toString(16)}`);
  t.is(whole.length, used * 2);
  // The frame starts with its tracepoint's number (2 bytes, little-endian).
  t.is(whole.slice(0, 4), '0100');
  t.true(whole.includes('20212223'), 'the memory collected');
  let pieces = '';
  for (let off = 0; off < used; off += 5) pieces += await req(`qTBuffer:${off.toString(16)},5`);
  t.is(pieces, whole);
  t.is(await req(`qTBuffer:${used.toString(16)},10`), 'l');
  t.regex(await req(`qTBuffer:${(used + 1).toString(16)},10`), /^E/);
  await h.close();
});
