// The argument-less packets the stub does not serve are refused on purpose: empty with a
// process, E01 without one, as any packet that needs a process; unknown packets stay empty.
import test from 'ava';
import { HANDLERS } from '../../../stub/dispatch.js';
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
