// All-stop over two processes (detach-on-fork off, schedule-multiple on), both hitting one
// breakpoint in a loop. When one's hit is reported the other is stopped; if it hit the
// breakpoint meanwhile, that hit is kept and reported by the next continue without running
// anything, as gdbserver keeps it (linux-low.cc, stop_all_lwps and status_pending_p).
// Swallowed, gdb never saw it and the process was stepped over the breakpoint: a gap in n.
import test from 'ava';
import { compileFixture } from '../helpers/compile.js';
import { haveGdb, runScenario, serverKinds } from '../helpers/e2e-harness.js';

// Skipped only where gdb is not installed (.ci/run installs it): nothing to drive the server with.
const e2e = haveGdb ? test : test.skip;

const CONTINUES = 40;

e2e('two processes hitting one breakpoint: every hit of each is reported, in order', async (t) => {
  const prog = await compileFixture('fork-hits.c');
  const commands = [
    'set detach-on-fork off',
    'set schedule-multiple on',
    'break hit',
    ...Array.from({ length: CONTINUES }, () => 'continue'),
    'kill inferiors 1 2',
  ];
  for (const kind of serverKinds()) {
    const run = await runScenario(kind, prog, commands);
    const seen = new Map<number, number[]>([
      [1, []],
      [2, []],
    ]);
    for (const m of run.out.matchAll(/Breakpoint 1(?:\.\d+)?, hit \(who=(\d), n=(\d+)\)/g)) {
      seen.get(Number(m[1]))?.push(Number(m[2]));
    }
    t.is(seen.get(1)!.length + seen.get(2)!.length, CONTINUES, `${kind}: one hit per continue`);
    for (const [who, ns] of seen) {
      t.deepEqual(
        ns,
        ns.map((_, i) => i + 1),
        `${kind}: process ${who}'s hits with a gap (one never reported)`,
      );
    }
  }
});
