// Process events that keep more than one inferior: `set detach-on-fork off` (parent and child
// both under control) and `set follow-exec-mode new` (the new image becomes inferior 2). Each
// scenario also runs against gdbserver --multi where installed; transcripts must match.
import test from 'ava';
import { haveGdb, serverKinds } from '../helpers/e2e-harness.js';
import { execProgram, forkProgram } from '../helpers/e2e-programs.js';
import { runExtended, useProgram } from './harness.js';

// Skipped only where gdb is not installed (.ci/run installs it): nothing to drive the server with.
const e2e = haveGdb ? test : test.skip;

e2e('detach-on-fork off: parent and child both stay under control', async (t) => {
  const prog = await forkProgram();
  const commands = [
    ...useProgram(prog),
    'set detach-on-fork off',
    // The parent waits for its child: both must run for either to get anywhere.
    'set schedule-multiple on',
    'break shared_work',
    'run',
    'info inferiors',
    'print x',
    'print $_inferior',
    // The child goes its own way; the parent, stopped meanwhile, runs to its end.
    'detach inferiors 2',
    'inferior 1',
    'delete',
    'continue',
    'info inferiors',
  ];
  const runs = [];
  for (const k of serverKinds()) runs.push(await runExtended(k, commands));
  const out = runs[0]!.out;
  t.regex(out, /\[New inferior 2 \(process N\)\]/);
  t.regex(out, /Thread N "e2e-fork" hit Breakpoint 1\.2, shared_work \(x=41\)/);
  // Both processes listed while the child sits at its breakpoint.
  t.regex(
    out,
    /\n {2}1 +process N +N \(extended-remote\) .*e2e-fork *\n\* 2 +process N +N \(extended-remote\) .*e2e-fork/,
  );
  t.regex(out, /\$1 = 41\n\$2 = 2\n/);
  t.regex(out, /\[Inferior 2 \(process N\) detached\]/);
  t.regex(out, /\[Inferior 1 \(process N\) exited with code 01\]/);
  t.regex(out, /\n\* 1 +<null> +N \(extended-remote\)/);
  await runs[0]!.server.stdout.waitFor(/child exited=1 code=0 signalled=0/);
  // Where the parent was when the child stopped (fork return or wait4) is a matter of timing.
  const stable = (s: string) =>
    s
      .split('\n')
      .filter((l) => !/^(#0 |\d+\t|\[Switching to thread )/.test(l))
      .join('\n');
  for (const other of runs.slice(1)) {
    t.is(stable(out), stable(other.out), `differs from ${other.kind}`);
  }
});

e2e('follow-exec-mode new: the new image runs as inferior 2', async (t) => {
  const prog = await execProgram();
  const commands = [
    ...useProgram(prog),
    'set follow-exec-mode new',
    'break before',
    'run',
    'info inferiors',
    'break main',
    'continue',
    'info inferiors',
    'print argc',
    'print argv[1]',
    'continue',
  ];
  const runs = [];
  for (const k of serverKinds()) runs.push(await runExtended(k, commands));
  const out = runs[0]!.out;
  t.regex(out, /Breakpoint 1, before \(\)/);
  t.regex(out, /process N is executing new program: .*e2e-exec\n\[New inferior 2\]/);
  t.regex(out, /Thread N "e2e-exec" hit Breakpoint 2\.2, main \(argc=2, argv=0xADDR\)/);
  // Inferior 1 keeps the old image and no process; inferior 2 has the process.
  t.regex(
    out,
    /\n {2}1 +<null> +N \(extended-remote\) .*e2e-exec *\n\* 2 +process N +N \(extended-remote\) .*e2e-exec/,
  );
  t.regex(out, /\$1 = 2\n\$2 = 0xADDR "again"\n/);
  t.regex(out, /\[Inferior 2 \(process N\) exited with code 03\]/);
  await runs[0]!.server.stdout.waitFor(/second image/);
  for (const other of runs.slice(1)) t.is(out, other.out, `differs from ${other.kind}`);
});
