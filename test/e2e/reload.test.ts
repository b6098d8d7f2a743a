// A library unloaded and another loaded at the same address: gdb's breakpoint in the first one
// is left in the server's set (gdb cannot remove it from unmapped code), and its Z0 for a
// function of the second library at that same address must put an int3 into the new code,
// as gdbserver does (gdb.base/unload.exp).
import test from 'ava';
import { compileFixture } from '../helpers/compile.js';
import { haveGdb, runScenario, serverKinds } from '../helpers/e2e-harness.js';

// Skipped only where gdb is not installed (.ci/run installs it): nothing to drive the server with.
const e2e = haveGdb ? test : test.skip;

async function reloadProgram(): Promise<{ prog: string; libs: string[] }> {
  const lib = (name: string, factor: number, output: string) =>
    compileFixture('reload-lib.c', {
      flags: ['-shared', '-fPIC', `-DNAME=${name}`, `-DFACTOR=${factor}`],
      output,
    });
  const libs = [
    await lib('reload_a', 3, 'libreload-a.so'),
    await lib('reload_b', 5, 'libreload-b.so'),
  ];
  const prog = await compileFixture('reload.c', { flags: ['-ldl'] });
  return { prog, libs };
}

e2e('a breakpoint in a library loaded where an unloaded one was is hit', async (t) => {
  const { prog, libs } = await reloadProgram();
  const commands = [
    'set breakpoint pending on',
    'break reload_a',
    'break reload_b',
    'continue',
    'continue',
    'continue',
  ];
  const runs = await Promise.all(
    serverKinds().map((k) => runScenario(k, prog, commands, { args: libs })),
  );
  const out = runs[0]!.out;
  t.regex(out, /Breakpoint 1, reload_a \(x=7\)/);
  t.regex(out, /Breakpoint 2, reload_b \(x=7\)/);
  t.regex(out, /\[Inferior 1 \(process N\) exited normally\]/);
  await runs[0]!.server.stdout.waitFor(/a=21 b=35/);
  for (const other of runs.slice(1)) t.is(out, other.out, `differs from ${other.kind}`);
});
