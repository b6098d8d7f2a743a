// Monitor commands gdb's testsuite sends (gdb.server/server-mon.exp), answered in gdbserver's words.
import test from 'ava';
import { monitorCommand } from '../../stub/handlers/monitor.js';

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
