// detach-on-fork off and a vfork: gdb holds the parent until the child is done with the shared
// memory. With schedule-multiple both run: the child's exit is reported though the parent's
// vforkdone came first and stopped it (all-stop), as gdbserver reports a pending exit at the
// next resume (gdb.base/vfork-follow-parent.exp).
import test from 'ava';
import { compileFixture } from '../helpers/compile.js';
import { haveGdb, runScenario, serverKinds } from '../helpers/e2e-harness.js';

// Skipped only where gdb is not installed (.ci/run installs it): nothing to drive the server with.
const e2e = haveGdb ? test : test.skip;

e2e('schedule-multiple after a held vfork: the child exits, then the parent goes on', async (t) => {
  const prog = await compileFixture('vfork-parent.c');
  const commands = [
    'set detach-on-fork off',
    'break main',
    'continue',
    'break break_parent',
    'continue',
    'set schedule-multiple on',
    'continue',
    'inferior 1',
    'print unblock_parent = 1',
    'continue',
    'kill',
  ];
  const runs = await Promise.all(serverKinds().map((k) => runScenario(k, prog, commands)));
  const out = runs[0]!.out;
  t.regex(out, /\[Inferior 2 \(process N\) exited normally\]/);
  t.regex(out, /hit Breakpoint 2, break_parent \(\)/);
  for (const other of runs.slice(1)) t.is(out, other.out, `differs from ${other.kind}`);
});
