// Monitor commands gdb's testsuite sends (gdb.server/server-mon.exp), answered in gdbserver's words.
import test from 'ava';
import { monitorCommand, threadDbOnPath } from '../../../stub/handlers/monitor.js';
import { FakeTarget } from '../../helpers/fake-target.js';
import { connectSession } from '../../helpers/rsp-client.js';
import { fake } from './_fake.js';

test('set remote-debug turns the packet log on and off, in gdbserver words', (t) => {
  const calls: boolean[] = [];
  const set = (on: boolean) => calls.push(on);
  t.deepEqual(monitorCommand('set remote-debug 1', set), {
    output: 'Protocol debug output enabled.\n',
  });
  t.deepEqual(monitorCommand('set remote-debug 0', set), {
    output: 'Protocol debug output disabled.\n',
  });
  t.deepEqual(calls, [true, false]);
});

test('set debug-format takes gdbserver options, a list of them, and refuses others', (t) => {
  const set = () => {};
  t.is(
    monitorCommand('set debug-format all', set).output,
    'All extra debug format options enabled.\n',
  );
  t.is(
    monitorCommand('set debug-format none', set).output,
    'All extra debug format options disabled.\n',
  );
  t.is(
    monitorCommand('set debug-format none,timestamp', set).output,
    'All extra debug format options disabled.\nTimestamps will be added to debug output.\n',
  );
  const bad = monitorCommand('set debug-format fancy', set);
  t.true(bad.unknown);
  t.regex(bad.output, /^Unknown debug-format argument: "fancy"\n/);
});

test('set libthread-db-search-path: said as gdbserver; a path without libthread_db refuses qGetTLSAddr', async (t) => {
  // gdb.server/no-thread-db.exp: gdb then says "Remote target failed to process qGetTLSAddr".
  const h = await connectSession(new FakeTarget(1000, [1000]).asTarget());
  const hex = (s: string) => Buffer.from(s).toString('hex');
  const out = await h.client.request(`qRcmd,${hex('set libthread-db-search-path /foo/bar')}`);
  t.is(Buffer.from(out.slice(1), 'hex').toString(), "libthread-db-search-path set to `/foo/bar'\n");
  t.is(await h.client.next(), 'OK');
  t.is(await h.client.request('qGetTLSAddr:3e8,10,0'), 'E01');
  await h.client.request(`qRcmd,${hex('set libthread-db-search-path')}`);
  t.is(await h.client.next(), 'OK');
  t.not(await h.client.request('qGetTLSAddr:3e8,10,0'), 'E01');
  await h.close();
  t.true(threadDbOnPath('$pdir:$sdir'));
  t.false(threadDbOnPath('/foo/bar'));
});

test('qRcmd: monitor help sends output then OK; unknown commands fail', async (t) => {
  const h = await connectSession(fake().asTarget());
  const out = await h.client.request(`qRcmd,${Buffer.from('help').toString('hex')}`);
  t.is(out[0], 'O');
  t.true(Buffer.from(out.slice(1), 'hex').toString().includes('exit'));
  t.is(await h.client.next(), 'OK');
  t.is((await h.client.request(`qRcmd,${Buffer.from('frobnicate').toString('hex')}`))[0], 'O');
  t.is(await h.client.next(), 'E01');
  await h.close();
});
