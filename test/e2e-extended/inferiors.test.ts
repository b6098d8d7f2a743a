// Several processes in one extended-remote session, and process events: attach to a second
// program while the first is stopped, follow a fork to the child, catch an exec and stop in the
// new image's main, catch write(2) with its arguments visible, and debug a dlopen'ed library.
// Each scenario also runs against gdbserver --multi where installed; transcripts must match.
import { spawn } from 'node:child_process';
import test from 'ava';
import { compileFixture } from '../helpers/compile.js';
import { haveGdb, Output, serverKinds } from '../helpers/e2e-harness.js';
import { basicProgram, execProgram, forkProgram, loopProgram } from '../helpers/e2e-programs.js';
import { dlopenProgram, runExtended, useProgram, writeProgram } from './harness.js';

// Skipped only where gdb is not installed (.ci/run installs it): nothing to drive the server with.
const e2e = haveGdb ? test : test.skip;

e2e('attach a second process while the first sits at a breakpoint', async (t) => {
  const prog = await basicProgram();
  const loop = await loopProgram();
  const child = spawn(loop, [], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Output(child.stdout).waitFor(/looping pid=\d+/);
    const commands = [
      ...useProgram(prog),
      'break add',
      'run',
      'add-inferior',
      'inferior 2',
      `attach ${child.pid}`,
      'print spins > 0',
      'info inferiors',
      'detach',
      'inferior 1',
      'print a',
      'continue',
    ];
    // One server at a time: both attach the same process.
    const runs = [];
    for (const k of serverKinds()) runs.push(await runExtended(k, commands));
    const out = runs[0]!.out;
    t.regex(out, /Breakpoint 1, add \(a=3, b=4\)/);
    t.regex(out, /\$1 = 1\n/);
    t.regex(
      out,
      /\n {2}1 +process N +N \(extended-remote\) .*\n\* 2 +process N +N \(extended-remote\)/,
    );
    t.regex(out, /\[Inferior 2 \(process N\) detached\]/);
    t.regex(out, /\$2 = 3\n/);
    t.regex(out, /\[Inferior 1 \(process N\) exited with code 07\]/);
    for (const other of runs.slice(1)) t.is(out, other.out, `differs from ${other.kind}`);
    // Detached, the looping program runs on untraced.
    const status = await import('node:fs').then((fs) =>
      fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'),
    );
    t.regex(status, /TracerPid:\s+0\n/);
  } finally {
    child.kill('SIGKILL');
  }
});

e2e('follow-fork-mode child: catch fork, then the child hits its breakpoint', async (t) => {
  const prog = await forkProgram();
  const commands = [
    ...useProgram(prog),
    'set follow-fork-mode child',
    'catch fork',
    'break shared_work',
    'run',
    'continue',
    'print x',
    'info inferiors',
    'continue',
  ];
  const runs = await Promise.all(serverKinds().map((k) => runExtended(k, commands)));
  const out = runs[0]!.out;
  t.regex(out, /Catchpoint 1 \(forked process N\)/);
  t.regex(out, /\[New inferior 2 \(process N\)\]/);
  t.regex(out, /\[Inferior 1 \(process N\) detached\]/);
  t.regex(out, /Thread N "e2e-fork" hit Breakpoint 2, shared_work \(x=41\)/);
  t.regex(out, /\$1 = 41\n/);
  t.regex(out, /\[Inferior 2 \(process N\) exited normally\]/);
  // The parent, detached, saw its child end normally.
  await runs[0]!.server.stdout.waitFor(/child exited=1 code=0 signalled=0/);
  for (const other of runs.slice(1)) t.is(out, other.out, `differs from ${other.kind}`);
});

e2e('catch exec, then a breakpoint in the new image main', async (t) => {
  const prog = await execProgram();
  const commands = [
    ...useProgram(prog),
    'catch exec',
    'run',
    'break main',
    'continue',
    'print argc',
    'print argv[1]',
    'continue',
  ];
  const runs = await Promise.all(serverKinds().map((k) => runExtended(k, commands)));
  const out = runs[0]!.out;
  t.regex(out, /process N is executing new program: .*e2e-exec/);
  t.regex(out, /Catchpoint 1 \(exec'd .*e2e-exec\)/);
  t.regex(out, /Breakpoint 2, main \(argc=2, argv=0xADDR\)/);
  t.regex(out, /\$1 = 2\n\$2 = 0xADDR "again"\n/);
  t.regex(out, /\[Inferior 1 \(process N\) exited with code 03\]/);
  for (const other of runs.slice(1)) t.is(out, other.out, `differs from ${other.kind}`);
});

e2e('catch syscall write: entry with its arguments, then the return value', async (t) => {
  const prog = await writeProgram();
  const commands = [
    ...useProgram(prog),
    'break main',
    'run',
    'catch syscall write',
    'continue',
    'print $rdi',
    'x/s $rsi',
    'print $rdx',
    'continue',
    'print $rax',
    'continue',
  ];
  const runs = await Promise.all(serverKinds().map((k) => runExtended(k, commands)));
  const out = runs[0]!.out;
  t.regex(out, /Catchpoint 2 \(call to syscall write\)/);
  t.regex(out, /\$1 = 1\n0xADDR( <message>)?:\s+"ext-write says hello\\n"\n\$2 = 21\n/);
  t.regex(out, /Catchpoint 2 \(returned from syscall write\)/);
  t.regex(out, /\$3 = 21\n/);
  t.regex(out, /\[Inferior 1 \(process N\) exited normally\]/);
  for (const other of runs.slice(1)) t.is(out, other.out, `differs from ${other.kind}`);
});

e2e('a dlopened library: pending breakpoint hits, the library list follows dlclose', async (t) => {
  const { prog, plugin } = await dlopenProgram();
  const commands = [
    ...useProgram(prog),
    'set breakpoint pending on',
    'break ext_plugin_triple',
    'break after_dlclose',
    `run ${plugin}`,
    'next',
    'print r',
    'info sharedlibrary libext-plugin',
    'continue',
    'info sharedlibrary libext-plugin',
    'continue',
  ];
  const runs = await Promise.all(serverKinds().map((k) => runExtended(k, commands)));
  const out = runs[0]!.out;
  t.regex(out, /Breakpoint 1, ext_plugin_triple \(x=14\) at .*ext-plugin\.c/);
  t.regex(out, /\$1 = 42\n/);
  // Loaded: listed with its symbols; after dlclose: gone from the list.
  t.regex(out, /0xADDR\s+0xADDR\s+Yes\s+.*libext-plugin\.so\n/);
  t.regex(out, /Breakpoint 2, after_dlclose \(\)/);
  t.regex(out, /No shared libraries matched\./);
  t.regex(out, /exited normally\]/);
  await runs[0]!.server.stdout.waitFor(/triple=42/);
  for (const other of runs.slice(1)) t.is(out, other.out, `differs from ${other.kind}`);
});

e2e(
  'catch vfork: the parent stops, the child is let go, vforkdone resumes breakpoints',
  async (t) => {
    const prog = await compileFixture('ext-vfork.c');
    const commands = [
      ...useProgram(prog),
      'catch vfork',
      'break after_vfork',
      'run',
      'continue',
      'print x',
      'continue',
    ];
    const runs = await Promise.all(serverKinds().map((k) => runExtended(k, commands)));
    const out = runs[0]!.out;
    t.regex(out, /Catchpoint 1 \(vforked process N\)/);
    t.regex(out, /\[Detaching after vfork from child process N\]/);
    // The breakpoint in the parent's (once shared) memory hits after the child exec'd.
    t.regex(out, /Breakpoint 2, after_vfork \(x=1\)/);
    t.regex(out, /\$1 = 1\n/);
    t.regex(out, /\[Inferior 1 \(process N\) exited with code 02\]/);
    await runs[0]!.server.stdout.waitFor(/vfork child code=0/);
    for (const other of runs.slice(1)) t.is(out, other.out, `differs from ${other.kind}`);
  },
);
