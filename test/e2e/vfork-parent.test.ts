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
  for (let other of runs.slice(1)) {
    // gdbserver itself sometimes loses the parent here ("#0  <unavailable> in ?? ()", and
    // Breakpoint 2 is never hit: 3 of 20 runs in session 9, and one fresh-clone CI), while ours
    // prints what gdbserver prints in its other runs: that side is run again, up to 3 times.
    for (let i = 0; i < 3 && other.out !== out && other.out.includes('<unavailable>'); i++)
      other = await runScenario(other.kind, prog, commands);
    t.is(out, other.out, `differs from ${other.kind}`);
  }
});
