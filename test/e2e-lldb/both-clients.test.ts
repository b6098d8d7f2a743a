// GDB and LLDB against the same ntrace-gdbserver build, one session after the other: what the
// server does for one flavour (LLDB's stop keys, host signal numbers, the kill reply, format="hex"
// in target.xml) must not change what the other sees.
import test from 'ava';
import { haveGdb, runGdb, startServer } from '../helpers/e2e-harness.js';
import { haveLldb, runLldb, sectionOf, startServer as startLldbTarget } from './harness.js';
import { basicProgram } from './scenarios.js';

// Skipped only where gdb or lldb-16 is not installed (.ci/run installs it): nothing to drive the server with.
const run = haveGdb && haveLldb ? test.serial : test.skip;

run('gdb, then lldb, then gdb again against the same build', async (t) => {
  const prog = await basicProgram();
  const gdbSession = async () => {
    const server = await startServer('ntrace', [prog], { before: ['--once'] });
    try {
      return await runGdb(prog, server.port, [
        'break touch',
        'continue',
        // rip keeps its code_ptr type for GDB: the value comes with <symbol+offset>.
        'info registers rip',
        'print message',
        'kill',
      ]);
    } finally {
      await server.stop();
    }
  };
  const checkGdb = (out: string) => {
    t.regex(out, /Breakpoint 1, touch \(\) at .*lldb-basic\.c:22/);
    t.regex(out, /^rip\s+0x[0-9a-f]+\s+0x[0-9a-f]+ <touch\+\d+>$/m);
    t.regex(out, /\$1 = "hello lldb\\000\\000\\000\\000\\000"/);
    t.notRegex(out, /warning|error/i);
  };
  checkGdb((await gdbSession()).stdout);

  const server = await startLldbTarget('ntrace', { launch: [prog] });
  try {
    const r = await runLldb(prog, server.port, [
      'breakpoint set -n touch',
      'continue',
      'register read rip',
      'process kill',
    ]);
    t.regex(sectionOf(r, 'continue'), /stop reason = breakpoint 1\.1/);
    t.regex(sectionOf(r, 'register read rip'), /^rip = 0xADDR {2}lldb-basic`touch \+ \d+/);
    t.regex(sectionOf(r, 'process kill'), /exited with status = 9 \(0x00000009\) killed/);
  } finally {
    await server.stop();
  }

  checkGdb((await gdbSession()).stdout);
});
