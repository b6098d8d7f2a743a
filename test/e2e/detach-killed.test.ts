// A process killed from outside (SIGKILL) while stopped under gdb: `detach` still succeeds, as
// with gdbserver ("[Inferior 1 (process N) detached]"), instead of "Can't detach process.".
import test from 'ava';
import { haveGdb, runScenario, serverKinds } from '../helpers/e2e-harness.js';
import { loneExitProgram } from '../helpers/e2e-programs.js';

// Skipped only where gdb is not installed (.ci/run installs it): nothing to drive the server with.
const e2e = haveGdb ? test : test.skip;

const COMMANDS = [
  'set breakpoint always-inserted on',
  'break worker_started',
  'continue',
  'python import os; os.kill(gdb.selected_inferior().pid, 9)',
  // Time for the server to see the death before the detach, as gdb's own
  // process-dies-while-detaching.exp gives it ("sleep 2"); no result depends on the duration.
  'shell sleep 1',
  'detach',
];

e2e('detach from a process killed from outside while stopped', async (t) => {
  const prog = await loneExitProgram();
  const runs = await Promise.all(serverKinds().map((k) => runScenario(k, prog, COMMANDS)));
  for (const run of runs) {
    t.regex(run.out, /hit Breakpoint 1, worker_started/, run.kind);
    t.regex(run.out, /\[Inferior 1 \(process N\) detached\]/, run.kind);
    t.notRegex(run.gdb.stderr, /Can't detach/, run.kind);
  }
});
