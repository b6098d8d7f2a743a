// A plain gdb session: breakpoints in main and in a shared library, stepping, finish,
// registers (including SSE/AVX), memory reads and writes, register writes, exit code.
import test from 'ava';
import { basicProgram } from '../helpers/e2e-programs.js';
import { haveGdb, runScenario, serverKinds } from '../helpers/e2e-harness.js';

// Skipped only where gdb is not installed (.ci/run installs it): nothing to drive the server with.
const e2e = haveGdb ? test : test.skip;

const COMMANDS = [
  'break main',
  'break e2e_lib_twice',
  'continue',
  'next',
  'step',
  'bt',
  'finish',
  'next',
  'next',
  'info registers rip',
  'p $xmm0.v2_double[0]',
  'p $ymm0.v4_double[0]',
  'x/32xb buffer',
  'set var buffer[1] = 0x99',
  'p/x buffer[1]',
  'p $rbx = 0x1234',
  'p/x $rbx',
  'continue',
  'bt',
  'info sharedlibrary',
  'continue',
];

e2e('break, step, finish, registers, memory, shared library, exit code', async (t) => {
  const prog = await basicProgram();
  const runs = await Promise.all(serverKinds().map((k) => runScenario(k, prog, COMMANDS)));
  const ours = runs[0]!;
  const out = ours.out;
  t.regex(out, /Breakpoint 1, main \(\) at .*e2e-basic\.c:\d+/);
  t.regex(out, /add \(a=3, b=4\) at .*e2e-basic\.c:\d+/);
  t.regex(out, /#0 {2}add \(a=3, b=4\)[^\n]*\n#1 {2}0xADDR in main \(\)/);
  t.regex(out, /Value returned is \$1 = 7/);
  t.regex(out, /rip +0xADDR +0xADDR <main\+\d+>/);
  t.regex(out, /\$2 = 17\.5/);
  t.regex(out, /\$3 = 17\.5/);
  t.regex(out, /<buffer>:\t0x10\t0x11\t0x12\t0x13\t0x14\t0x15\t0x16\t0x17/);
  t.regex(out, /<buffer\+24>:\t0x28\t0x29\t0x2a\t0x2b\t0x2c\t0x2d\t0x2e\t0x2f/);
  t.regex(out, /\$4 = 0x99/);
  t.regex(out, /\$6 = 0x1234/);
  t.regex(out, /Breakpoint 2, e2e_lib_twice \(x=7\) at .*e2e-lib\.c:\d+/);
  t.regex(out, /#1 {2}0xADDR in main \(\) at .*e2e-basic\.c/);
  // qXfer:libraries-svr4 listed the libraries with their load addresses.
  t.regex(out, /0xADDR {2}0xADDR {2}Yes {9}\S*\/libe2e\.so\n/);
  t.regex(out, /Yes {9}\S*libc\.so\.6\n/);
  t.regex(out, /\[Inferior 1 \(process N\) exited with code 07\]/);
  t.regex(ours.server.stdout.text, /y=7 d=17\.5 z=14 sink=43/);
  for (const other of runs.slice(1)) t.is(out, other.out, `differs from ${other.kind}`);
});
