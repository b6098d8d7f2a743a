// QTBuffer:size and QTBuffer:circular (stub/handlers/trace-buffer-config.ts), seen through
// qTStatus; the size cannot change during a run.
import test from 'ava';
import { connectSession } from '../../helpers/rsp-client.js';
import { define, tracedFake } from './_trace.js';

test('size and circular show in qTStatus; size -1 is the default again', async (t) => {
  const h = await connectSession(tracedFake().asTarget());
  const req = (p: string) => h.client.request(p);
  const tsize = async () => /;tsize:([0-9a-f]+);/.exec(await req('qTStatus'))![1];
  const dflt = await tsize();
  t.is(await req('QTBuffer:size:1000'), 'OK');
  t.is(await tsize(), '1000');
  t.regex(await req('qTStatus'), /;tfree:1000;/, 'all of it free');
  t.is(await req('QTBuffer:size:-1'), 'OK');
  t.is(await tsize(), dflt);
  t.regex(await req('qTStatus'), /;circular:0;/);
  t.is(await req('QTBuffer:circular:1'), 'OK');
  t.regex(await req('qTStatus'), /;circular:1;/);
  t.is(await req('QTBuffer:circular:0'), 'OK');
  t.regex(await req('qTStatus'), /;circular:0;/);
  await h.close();
});

test('the size cannot change while a run goes on', async (t) => {
  const h = await connectSession(tracedFake().asTarget());
  const req = (p: string) => h.client.request(p);
  await define(req, ['R1']);
  await req('QTStart');
  const before = await req('qTStatus');
  t.regex(await req('QTBuffer:size:1000'), /^E/);
  t.is(/;tsize:[0-9a-f]+;/.exec(await req('qTStatus'))![0], /;tsize:[0-9a-f]+;/.exec(before)![0]);
  t.is(await req('QTBuffer:circular:1'), 'OK', 'circular may');
  await req('QTStop');
  t.is(await req('QTBuffer:size:1000'), 'OK');
  await h.close();
});

test('malformed settings are refused', async (t) => {
  const h = await connectSession(tracedFake().asTarget());
  const req = (p: string) => h.client.request(p);
  t.regex(await req('QTBuffer:size:zz'), /^E/);
  t.regex(await req('QTBuffer:colour:1'), /^E/);
  await h.close();
});
