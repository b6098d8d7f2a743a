// Host I/O from gdb's side: with `set sysroot target:` and `file target:...`, gdb fetches the
// program and every shared library from the server (vFile), then debugs as usual.
import test from 'ava';
import { haveGdb, serverKinds } from '../helpers/e2e-harness.js';
import { basicProgram } from '../helpers/e2e-programs.js';
import { runExtended } from './harness.js';

// Skipped only where gdb is not installed (.ci/run installs it): nothing to drive the server with.
const e2e = haveGdb ? test : test.skip;

e2e('gdb reads the binary and its libraries from the server (sysroot target:)', async (t) => {
  const prog = await basicProgram();
  const commands = [
    'set sysroot target:',
    `set remote exec-file ${prog}`,
    `file target:${prog}`,
    'break e2e_lib_twice',
    'run',
    'bt',
    'info sharedlibrary',
    'continue',
  ];
  const runs = await Promise.all(serverKinds().map((k) => runExtended(k, commands)));
  const raw = runs[0]!.gdb.stdout;
  // Everything came over the wire: the program, the dynamic loader, the test library, libc.
  t.regex(raw, new RegExp(`Reading ${prog} from remote target`));
  t.regex(raw, /Reading \/lib64\/ld-linux-x86-64\.so\.2 from remote target/);
  t.regex(raw, /Reading .*\/libe2e\.so from remote target/);
  t.regex(raw, /Reading .*\/libc\.so\.6 from remote target/);
  const out = runs[0]!.out;
  t.regex(out, /Breakpoint 1, e2e_lib_twice \(x=7\) at .*e2e-lib\.c/);
  t.regex(out, /#1 {2}0xADDR in main \(\) at .*e2e-basic\.c/);
  t.regex(raw, /Yes\s+target:.*\/libe2e\.so\n/);
  t.regex(out, /exited with code 07\]/);
  for (const other of runs.slice(1)) t.is(out, other.out, `differs from ${other.kind}`);
});
