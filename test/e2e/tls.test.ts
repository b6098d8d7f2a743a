// Thread-local variables (qGetTLSAddr): each thread's own copy, in a dynamic executable (the
// module's link_map comes with the packet) and a static one (no link_map: module 1).
import test from 'ava';
import { haveGdb, runScenario, type ScenarioRun, serverKinds } from '../helpers/e2e-harness.js';
import { tlsProgram } from '../helpers/e2e-programs.js';

// Skipped only where gdb is not installed (.ci/run installs it): nothing to drive the server with.
const e2e = haveGdb ? test : test.skip;

const COMMANDS = ['break all_set', 'continue', 'thread apply all -q p tls_id', 'continue'];

function values(run: ScenarioRun): number[] {
  return [...run.out.matchAll(/^\$\d+ = (\d+)$/gm)].map((m) => Number(m[1])).sort((a, b) => a - b);
}

for (const linkage of ['dynamic', 'static'] as const) {
  e2e(`each thread's thread-local variable (${linkage})`, async (t) => {
    const prog = await tlsProgram({ static: linkage === 'static' });
    const runs = await Promise.all(serverKinds().map((k) => runScenario(k, prog, COMMANDS)));
    const ours = runs[0]!;
    t.deepEqual(values(ours), [1, 2, 100], ours.gdb.stdout + ours.gdb.stderr);
    t.regex(ours.out, /exited normally/);
    for (const other of runs.slice(1)) t.deepEqual(values(other), values(ours), other.kind);
  });
}
