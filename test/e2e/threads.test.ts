// Named threads: info threads, thread N, and one breakpoint hit by every worker in turn (all-stop:
// the other threads' hits stay pending and are reported on the following continues).
import test from 'ava';
import { haveGdb, runScenario, type ScenarioRun, serverKinds } from '../helpers/e2e-harness.js';
import { threadsProgram } from '../helpers/e2e-programs.js';

// Skipped only where gdb is not installed (.ci/run installs it): nothing to drive the server with.
const e2e = haveGdb ? test : test.skip;

const COMMANDS = [
  'break all_started',
  'continue',
  'info threads',
  'thread 2',
  'p $_thread',
  'break worker_hit',
  'continue',
  'continue',
  'continue',
  'delete',
  'continue',
];

/** What must agree between servers: thread names, which workers hit, and the outcome. */
function summary(run: ScenarioRun) {
  const out = run.out;
  const names = [...out.matchAll(/^[* ] +\d+ +Thread N "([^"]+)"/gm)].map((m) => m[1]);
  const hits = [
    ...out.matchAll(/Thread N "worker-(\d)" hit Breakpoint 2, worker_hit \(id=(\d)\)/g),
  ];
  return {
    names,
    hitIds: hits.map((m) => Number(m[2])).sort(),
    hitsMatchNames: hits.every((m) => m[1] === m[2]),
    switched: /\[Switching to thread 2 \(Thread N\)\]/.test(out),
    exited: /\[Inferior 1 \(process N\) exited normally\]/.test(out),
  };
}

e2e('info threads with names, thread N, a breakpoint hit by several threads', async (t) => {
  const prog = await threadsProgram();
  const runs = await Promise.all(serverKinds().map((k) => runScenario(k, prog, COMMANDS)));
  const ours = summary(runs[0]!);
  t.deepEqual(ours, {
    names: ['e2e-threads', 'worker-1', 'worker-2', 'worker-3'],
    hitIds: [1, 2, 3],
    hitsMatchNames: true,
    switched: true,
    exited: true,
  });
  t.regex(runs[0]!.out, /\$1 = 2/);
  t.regex(runs[0]!.server.stdout.text, /hits=6/);
  for (const other of runs.slice(1))
    t.deepEqual(ours, summary(other), `differs from ${other.kind}`);
});
