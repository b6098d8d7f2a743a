// find (qSearch:memory), catch syscall (QCatchSyscalls), a fork child running through the
// parent's breakpoints, and monitor commands.
import { existsSync, readFileSync } from 'node:fs';
import test from 'ava';
import { haveGdb, runGdb, runScenario, serverKinds, startServer } from '../helpers/e2e-harness.js';
import { basicProgram, execProgram, forkProgram } from '../helpers/e2e-programs.js';

// Skipped only where gdb is not installed (.ci/run installs it): nothing to drive the server with.
const e2e = haveGdb ? test : test.skip;

e2e('find searches target memory; catch syscall stops at entry and return', async (t) => {
  const prog = await basicProgram();
  const commands = [
    'break main',
    'continue',
    'find /b &buffer[0], +32, 0x15, 0x16',
    'find /b &buffer[0], +32, 0x77',
    'catch syscall write',
    'continue',
    'p $rdi',
    'continue',
    'p $rax',
    'kill',
  ];
  const runs = await Promise.all(serverKinds().map((k) => runScenario(k, prog, commands)));
  const out = runs[0]!.out;
  t.regex(out, /0xADDR <buffer\+5>\n1 pattern found\.\nPattern not found\./);
  t.regex(out, /Catchpoint 2 \(call to syscall write\), 0xADDR in \S*write/);
  t.regex(out, /\$1 = 1\n/);
  t.regex(out, /Catchpoint 2 \(returned from syscall write\)/);
  t.regex(out, /\$2 = 24\n/);
  for (const other of runs.slice(1)) t.is(out, other.out, `differs from ${other.kind}`);
});

e2e('a forked child runs through the breakpoints it inherited', async (t) => {
  const prog = await forkProgram();
  const runs = await Promise.all(
    serverKinds().map((k) => runScenario(k, prog, ['break shared_work', 'continue', 'continue'])),
  );
  const out = runs[0]!.out;
  t.regex(out, /Breakpoint 1, shared_work \(x=0\)/);
  t.regex(out, /exited with code 01/);
  t.regex(runs[0]!.server.stdout.text, /child exited=1 code=0 signalled=0/);
  // fork-events: gdb took its breakpoints out of the child and detached it.
  t.regex(out, /\[Detaching after fork from child process N\]/);
  for (const other of runs.slice(1)) t.is(out, other.out, `differs from ${other.kind}`);
});

e2e('monitor help and monitor exit', async (t) => {
  const prog = await basicProgram();
  const server = await startServer('ntrace', [prog]);
  const res = await runGdb(prog, server.port, [
    'monitor help',
    'monitor frobnicate',
    'monitor exit',
  ]);
  t.regex(res.stderr, /help -- Print this message/);
  t.regex(res.stderr, /Unknown monitor command "frobnicate"/);
  // Without --once the server would wait for another client; monitor exit ends it.
  t.is(await server.exited, 0);
  // gdb killed the program when it quit; nothing is left behind either way.
  const pid = Number(/pid = (\d+)/.exec(server.stderr.text)![1]);
  t.false(
    existsSync(`/proc/${pid}/status`) &&
      !/State:\s+Z/.test(readFileSync(`/proc/${pid}/status`, 'utf8')),
  );
});

e2e('exec events: gdb follows the new image and its breakpoints hit there', async (t) => {
  const prog = await execProgram();
  const commands = [
    'break before',
    'break main',
    'continue',
    'continue',
    'continue',
    'p argc',
    'continue',
  ];
  const runs = await Promise.all(serverKinds().map((k) => runScenario(k, prog, commands)));
  const out = runs[0]!.out;
  t.regex(out, /Breakpoint 2, main \(argc=1/);
  t.regex(out, /Breakpoint 1, before \(\)/);
  t.regex(out, /process N is executing new program: \S*e2e-exec\n/);
  t.regex(out, /Breakpoint 2, main \(argc=2/);
  t.regex(out, /\$1 = 2\n/);
  t.regex(out, /exited with code 03/);
  for (const other of runs.slice(1)) t.is(out, other.out, `differs from ${other.kind}`);
});
