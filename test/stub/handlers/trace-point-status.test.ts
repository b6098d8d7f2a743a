// qTP and qTStatus (stub/handlers/trace-point-status.ts): one tracepoint's hits and bytes, and
// the run's state: not run, running, stopped, with the frames made.
import test from 'ava';
import { connectSession } from '../../helpers/rsp-client.js';
import { define, TP, tracedFake } from './_trace.js';

const ADDR = TP.toString(16);

test('qTP counts the hits and trace bytes of one tracepoint', async (t) => {
  const h = await connectSession(tracedFake().asTarget());
  const req = (p: string) => h.client.request(p);
  await define(req, ['M-1,401020,4']);
  t.is(await req(`qTP:1:${ADDR}`), 'V0:0');
  await req('QTStart');
  await req('vCont;c');
  const m = /^V([0-9a-f]+):([0-9a-f]+)$/.exec(await req(`qTP:1:${ADDR}`));
  t.truthy(m);
  t.is(m![1], '1');
  t.true(Number.parseInt(m![2]!, 16) >= 4, 'at least the 4 bytes collected');
  await h.close();
});

test('qTP of a tracepoint that does not exist is an error', async (t) => {
  const h = await connectSession(tracedFake().asTarget());
  const req = (p: string) => h.client.request(p);
  await define(req, []);
  t.regex(await req(`qTP:2:${ADDR}`), /^E/);
  t.regex(await req('qTP:1:401000'), /^E/, 'right number, wrong address');
  await h.close();
});

test('qTStatus: not run, then running, then stopped by gdb with its frame', async (t) => {
  const h = await connectSession(tracedFake().asTarget());
  const req = (p: string) => h.client.request(p);
  t.regex(await req('qTStatus'), /^T0;tnotrun:0;tframes:0;tcreated:0;/);
  await define(req, ['R1']);
  await req('QTStart');
  t.regex(await req('qTStatus'), /^T1;tnotrun:0;tframes:0;/);
  await req('vCont;c');
  t.regex(await req('qTStatus'), /^T1;tnotrun:0;tframes:1;tcreated:1;/);
  await req('QTStop');
  t.regex(await req('qTStatus'), /^T0;tstop::0;tframes:1;tcreated:1;/);
  await h.close();
});
