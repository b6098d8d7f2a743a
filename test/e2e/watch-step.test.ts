// stepi, until, and hardware watchpoints (watch, rwatch, awatch).
import test from 'ava';
import { haveGdb, runScenario, serverKinds } from '../helpers/e2e-harness.js';
import { basicProgram } from '../helpers/e2e-programs.js';
import { hardwareDebugWorks, NO_HW_DEBUG } from '../helpers/hw-debug.js';

// Skipped only where gdb is not installed (.ci/run installs it): nothing to drive the server with.
const e2e = haveGdb ? test : test.skip;
// The watchpoint test is also skipped on a machine whose debug registers never trigger
// (gdbserver's watchpoints and native gdb's fail there too): it would compare the VM.
const hwDebug = await hardwareDebugWorks();

e2e('stepi and until', async (t) => {
  const prog = await basicProgram();
  const commands = [
    'break main',
    'continue',
    'stepi',
    'x/i $pc',
    'stepi',
    'info line *$pc',
    'next 4',
    'until',
    'until',
    'until',
    'p sink',
    'kill',
  ];
  const runs = await Promise.all(serverKinds().map((k) => runScenario(k, prog, commands)));
  const out = runs[0]!.out;
  t.regex(out, /Breakpoint 1, main \(\)/);
  t.regex(out, /=> 0xADDR <main\+\d+>:\tmov /);
  t.regex(out, /0xADDR\t32\t {2}int y = add\(x, 4\);/);
  t.regex(
    out,
    /36\t {4}sink \+= i;\n35\t {2}for \(int i = 0; i < 3; i\+\+\)\n37\t {2}touch\(\);\n38\t/,
  );
  t.regex(out, /\$1 = 43/);
  for (const other of runs.slice(1)) t.is(out, other.out, `differs from ${other.kind}`);
});

const hwTitle = 'hardware watchpoints: watch, rwatch, awatch';
// Skipped where the debug registers never trigger (this VM); the title says so.
(hwDebug ? e2e : test.skip)(
  hwDebug ? hwTitle : `${hwTitle} [skipped: ${NO_HW_DEBUG}]`,
  async (t) => {
    const prog = await basicProgram();
    const commands = [
      'break touch',
      'continue',
      'watch watched',
      'continue',
      'rwatch watched',
      'continue',
      'continue',
      'delete',
      'awatch sink',
      'continue',
      'continue',
      'info watchpoints',
    ];
    const runs = await Promise.all(serverKinds().map((k) => runScenario(k, prog, commands)));
    const out = runs[0]!.out;
    t.regex(out, /Hardware watchpoint 2: watched\nOld value = 0\nNew value = 42\n/);
    t.regex(out, /Hardware read watchpoint 3: watched\nValue = 42\n/);
    t.regex(out, /Hardware watchpoint 2: watched\nOld value = 42\nNew value = 43\n/);
    t.regex(
      out,
      /Hardware access \(read\/write\) watchpoint 4: sink\nValue = 43\n0xADDR in main \(\)/,
    );
    t.regex(out, /\[Inferior 1 \(process N\) exited with code 07\]/);
    for (const other of runs.slice(1)) t.is(out, other.out, `differs from ${other.kind}`);
  },
);
