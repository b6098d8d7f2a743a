// QTDV, qTV, qTfV/qTsV (stub/handlers/trace-variable.ts): trace state variables.
import test from 'ava';
import { connectSession } from '../../helpers/rsp-client.js';
import { fake } from './_fake.js';

test('trace state variables: defined, uploaded, unknown before a run', async (t) => {
  const h = await connectSession(fake().asTarget());
  const req = (p: string) => h.client.request(p);
  t.is(await req('QTDV:1:ffffffffffffffff:0:7476'), 'OK');
  t.is(await req('qTV:1'), 'U');
  t.is(await req('qTfV'), '1:ffffffffffffffff:0:7476');
  t.is(await req('qTsV'), 'l');
  await h.close();
});
