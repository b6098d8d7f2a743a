// The vRun settings (stub/handlers/environment-set.ts): environment, directory, shell and ASLR
// reach the next launch; QEnvironmentReset goes back to the server's environment; a server that
// cannot start programs answers them empty (unsupported), and QSetSTDIN is not served.
import test from 'ava';
import { fakeProvider as provider } from '../../helpers/fake-provider.js';
import { connectSession } from '../../helpers/rsp-client.js';
import { fake } from './_fake.js';

const hex = (s: string) => Buffer.from(s).toString('hex');

test('each setting reaches the launch; a later one replaces an earlier one', async (t) => {
  const { p, launched } = provider();
  const h = await connectSession(undefined, { multi: true, provider: p });
  const req = (s: string) => h.client.request(s);
  await req('qSupported:multiprocess+');
  await req('!');
  t.is(await req(`QEnvironmentHexEncoded:${hex('A=1')}`), 'OK');
  t.is(await req(`QEnvironmentHexEncoded:${hex('A=2=3')}`), 'OK');
  t.is(await req(`QSetWorkingDir:${hex('/srv')}`), 'OK');
  t.is(await req('QStartupWithShell:1'), 'OK');
  t.is(await req('QDisableRandomization:1'), 'OK');
  t.regex(await req(`vRun;${hex('/bin/prog')}`), /^T05/);
  const first = launched[0]!;
  t.true(first.env!.includes('A=2=3'));
  t.false(first.env!.includes('A=1'));
  t.is(first.cwd, '/srv');
  t.true(first.shell);
  t.true(first.disableAslr);
  // An empty directory is the server's own again.
  t.is(await req('QSetWorkingDir:'), 'OK');
  t.is(await req(`QEnvironmentUnset:${hex('A')}`), 'OK');
  t.regex(await req(`vRun;${hex('/bin/prog')}`), /^T05/);
  t.false(launched[1]!.env!.some((e) => e.startsWith('A=')));
  t.is(launched[1]!.cwd, undefined);
  t.is(await req('QEnvironmentReset'), 'OK');
  t.regex(await req(`vRun;${hex('/bin/prog')}`), /^T05/);
  t.is(launched[2]!.env, undefined, "the server's own environment");
  await h.close();
});

test('without a way to start programs the settings are unsupported; QSetSTDIN never served', async (t) => {
  const h = await connectSession(fake().asTarget());
  const req = (s: string) => h.client.request(s);
  t.is(await req(`QEnvironmentHexEncoded:${hex('A=1')}`), '');
  t.is(await req(`QEnvironmentUnset:${hex('A')}`), '');
  t.is(await req('QEnvironmentReset'), '');
  t.is(await req(`QSetWorkingDir:${hex('/srv')}`), '');
  t.is(await req('QStartupWithShell:0'), '');
  t.is(await req('QDisableRandomization:0'), '');
  t.is(await req(`QSetSTDIN:${hex('/dev/null')}`), '');
  await h.close();
});
