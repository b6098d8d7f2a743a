// QTinit and QTDP (stub/handlers/trace-define.ts), over a fake target: a pass count set with the
// definition ends the run; QTinit needs a process and clears everything.
import test from 'ava';
import { connectSession } from '../../helpers/rsp-client.js';
import { tracedFake } from './_trace.js';

test('a pass count ends the run; QTinit needs a process and clears everything', async (t) => {
  const f = tracedFake();
  const h = await connectSession(f.asTarget());
  const req = (p: string) => h.client.request(p);
  await req('QTinit');
  await req('QTDP:1:401010:E:0:1');
  await req('QTStart');
  t.regex(await req('vCont;c'), /^T0b/);
  t.regex(await req('qTStatus'), /^T0;tpasscount:1;tframes:1;/);
  t.is(await req('qTfP'), 'T1:401010:E:0:1');
  t.is(await req('qTsP'), 'l');
  t.is(await req('QTinit'), 'OK');
  t.is(await req('qTfP'), 'l');
  t.is(await req('QTDP:-5:401010:R1'), 'E01', 'actions for an unknown tracepoint');
  await h.close();
});
