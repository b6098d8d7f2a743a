// The two ways a handler declines (stub/handlers/handler.ts): a packet about the process while
// there is none (extended-remote before vRun) is E01; a packet parsed but not served is the
// empty reply with a process and E01 without one, as gdbserver.
import test from 'ava';
import { fakeProvider as provider } from '../../helpers/fake-provider.js';
import { connectSession } from '../../helpers/rsp-client.js';
import { fake } from './_fake.js';

const hex = (s: string) => Buffer.from(s).toString('hex');

test('no process yet: process packets and unserved packets are E01', async (t) => {
  const { p } = provider();
  const h = await connectSession(undefined, { multi: true, provider: p });
  await h.client.request('qSupported:multiprocess+');
  t.is(await h.client.request('!'), 'OK');
  t.is(await h.client.request('g'), 'E01');
  t.is(await h.client.request('m401000,4'), 'E01');
  t.is(await h.client.request(`QSetSTDIN:${hex('/dev/null')}`), 'E01');
  await h.close();
});

test('with a process: an unserved packet is the empty reply', async (t) => {
  const h = await connectSession(fake().asTarget());
  t.is(await h.client.request(`QSetSTDIN:${hex('/dev/null')}`), '');
  t.is(await h.client.request('m401000,4'), '00010203');
  await h.close();
});
