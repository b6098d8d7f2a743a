// QTFrame (stub/handlers/trace-frame.ts), over a fake target: a selected trace frame answers
// memory and register reads and traceframe-info; without a register block only the pc.
import test from 'ava';
import { connectSession } from '../../helpers/rsp-client.js';
import { define, tracedFake } from './_trace.js';

test('a selected trace frame answers m, g and traceframe-info; -1 goes back to live', async (t) => {
  const f = tracedFake();
  const h = await connectSession(f.asTarget());
  const req = (p: string) => h.client.request(p);
  await define(req, ['R1', 'M-1,401020,4']);
  await req('QTStart');
  await req('vCont;c');
  await req('QTStop');
  t.is(await req('QTFrame:0'), 'F0T1');
  t.is(await req('m401020,4'), '20212223');
  t.is(await req('m401022,4'), '2223', 'what the block holds from there');
  t.is(await req('m401030,4'), 'E01', 'not collected');
  const g = await req('g');
  t.is(g.slice(16 * 16, 16 * 16 + 16), '1010400000000000', 'rip is the tracepoint address');
  t.regex(
    await req('qXfer:traceframe-info:read::0,fff'),
    /^l<traceframe-info>\n<memory start="0x401020" length="0x4"\/>\n<\/traceframe-info>\n$/,
  );
  t.is(await req('M401020,1:00'), 'E01', 'a trace frame cannot be written');
  t.is(await req('QTFrame:1'), 'F-1');
  t.is(await req('QTFrame:ffffffff'), 'OK');
  t.is(await req('m401030,4'), '30313233', 'live again');
  await h.close();
});

test('without a register block only the pc is available', async (t) => {
  const f = tracedFake();
  const h = await connectSession(f.asTarget());
  const req = (p: string) => h.client.request(p);
  await define(req, ['M-1,401020,1']);
  await req('QTStart');
  await req('vCont;c');
  t.is(await req('QTFrame:tdp:1'), 'F0T1');
  const g = await req('g');
  t.is(g.slice(0, 16), 'xxxxxxxxxxxxxxxx');
  t.is(g.slice(16 * 16, 16 * 16 + 16), '1010400000000000');
  t.is(await req('p10'), '1010400000000000');
  t.is(await req('p0'), 'xxxxxxxxxxxxxxxx');
  await h.close();
});
