// QTro (stub/handlers/trace-readonly.ts): ranges gdb says never change may be read from the live
// program while a trace frame is selected; other uncollected memory may not.
import test from 'ava';
import { connectSession } from '../../helpers/rsp-client.js';
import { define, tracedFake } from './_trace.js';

async function inFrame(ranges: string) {
  const h = await connectSession(tracedFake().asTarget());
  const req = (p: string) => h.client.request(p);
  await define(req, ['M-1,401020,4']);
  const r = await req(ranges);
  if (r !== 'OK') throw new Error(`${ranges} -> ${r}`);
  await req('QTStart');
  await req('vCont;c');
  await req('QTStop');
  if ((await req('QTFrame:0')) !== 'F0T1') throw new Error('no frame');
  return { h, req };
}

test('a read-only range is read live in a trace frame, end inclusive', async (t) => {
  const { h, req } = await inFrame('QTro:401030,401037:401100,4010ff');
  t.is(await req('m401030,4'), '30313233');
  t.is(await req('m401034,4'), '34353637', 'up to the range end, inclusive');
  t.is(await req('m401036,4'), 'E01', 'past the range end');
  t.is(await req('m401040,4'), 'E01', 'outside every range');
  t.is(await req('m401020,4'), '20212223', 'collected memory still comes from the frame');
  await h.close();
});

test('a bare QTro clears the ranges', async (t) => {
  const h = await connectSession(tracedFake().asTarget());
  const req = (p: string) => h.client.request(p);
  await define(req, ['M-1,401020,4']);
  t.is(await req('QTro:401030,401037'), 'OK');
  t.is(await req('QTro'), 'OK');
  await req('QTStart');
  await req('vCont;c');
  await req('QTStop');
  t.is(await req('QTFrame:0'), 'F0T1');
  t.is(await req('m401030,4'), 'E01');
  await h.close();
});
