// The command line: stdio transport, --wrapper, --multi (extended-remote), errors and exit codes.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import test from 'ava';
import {
  haveGdb,
  normalize,
  ntraceBin,
  Output,
  runGdb,
  serverKinds,
  spawnGdb,
  startServer,
} from '../helpers/e2e-harness.js';
import { basicProgram, loopProgram } from '../helpers/e2e-programs.js';

// Skipped only where gdb is not installed (.ci/run installs it): nothing to drive the server with.
const e2e = haveGdb ? test : test.skip;

function runCli(args: string[]): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const p = spawn(process.execPath, [ntraceBin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out = new Output(p.stdout);
  const err = new Output(p.stderr);
  return new Promise((resolve) => {
    p.once('close', (code) => resolve({ code, stderr: err.text, stdout: out.text }));
  });
}

e2e('stdio transport: target remote | ntrace-gdbserver - prog', async (t) => {
  const prog = await basicProgram();
  const cmds = ['break add', 'continue', 'bt', 'continue'];
  const ours = await spawnGdb(
    prog,
    `target remote | ${process.execPath} ${ntraceBin} - ${prog}`,
    cmds,
  ).done;
  const out = normalize(ours.stdout);
  t.regex(out, /Breakpoint 1, add \(a=3, b=4\)/);
  t.regex(out, /#1 {2}0xADDR in main \(\)/);
  t.regex(out, /\[Inferior 1 \(process N\) exited with code 07\]/);
  // The program's stdout went to stderr, not into the protocol stream.
  t.regex(ours.stderr, /y=7 d=17\.5 z=14 sink=43/);
  if (serverKinds().includes('gdbserver')) {
    const theirs = await spawnGdb(prog, `target remote | gdbserver - ${prog}`, cmds).done;
    t.is(out, normalize(theirs.stdout));
  }
});

e2e(
  'a bare program name in the working directory starts without ./ (gdbserver makes it absolute)',
  async (t) => {
    const prog = await basicProgram();
    const [dir, name] = [dirname(prog), basename(prog)];
    const cmds = ['break add', 'continue', 'kill'];
    const via = (server: string) => `target remote | cd ${dir} && exec ${server} - ${name}`;
    const ours = await spawnGdb(prog, via(`${process.execPath} ${ntraceBin}`), cmds).done;
    const out = normalize(ours.stdout);
    t.regex(out, /Breakpoint 1, add \(a=3, b=4\)/, ours.stderr);
    t.notRegex(ours.stderr, /not found/);
    if (serverKinds().includes('gdbserver')) {
      const theirs = await spawnGdb(prog, via('gdbserver'), cmds).done;
      t.is(out, normalize(theirs.stdout));
    }
  },
);

e2e('the server keeps serving when the reader of its stderr goes away', async (t) => {
  const prog = await basicProgram();
  // --debug writes a line per packet to stderr: every one fails with EPIPE once it is closed.
  const server = await startServer('ntrace', [prog], { before: ['--once', '--debug'] });
  server.proc.stderr!.destroy();
  const res = await runGdb(prog, server.port, ['break add', 'continue', 'continue']);
  const out = normalize(res.stdout);
  t.regex(out, /Breakpoint 1, add \(a=3, b=4\)/, res.stderr);
  t.regex(out, /\[Inferior 1 \(process N\) exited with code 07\]/);
  t.is(await server.exited, 0, '--once: the server ends with its client');
});

e2e('--wrapper runs the program through a wrapper that execs it', async (t) => {
  const prog = await basicProgram();
  const server = await startServer('ntrace', [prog], {
    before: ['--once', '--wrapper', 'env', 'E2E_VAR=hello', '--'],
  });
  const res = await runGdb(prog, server.port, [
    'break add',
    'continue',
    'p (char*)getenv("E2E_VAR")',
    'kill',
  ]);
  await server.stop();
  const out = normalize(res.stdout);
  t.regex(out, /Breakpoint 1, add \(a=3, b=4\)/);
  t.regex(out, /\$1 = 0xADDR "hello"/);
  t.regex(server.stderr.text, /Process \S+ created; pid = \d+/);
});

e2e('--multi: extended-remote runs a program with run, and stays up after it exits', async (t) => {
  const prog = await basicProgram();
  const server = await startServer('ntrace', [], { before: ['--multi'] });
  const gdb = spawnGdb(prog, `target extended-remote 127.0.0.1:${server.port}`, [
    `set remote exec-file ${prog}`,
    'break add',
    'run',
    'bt 1',
    'continue',
    'run',
    'kill',
    'monitor exit',
  ]);
  const res = await gdb.done;
  const out = normalize(res.stdout);
  t.is(out.match(/Breakpoint 1, add \(a=3, b=4\)/g)?.length, 2);
  t.regex(out, /\[Inferior 1 \(process N\) exited with code 07\]/);
  t.is(await server.exited, 0);
});

test('errors: missing program, port in use, no COMM, bad COMM; --version', async (t) => {
  // As gdbserver: the program starts through the shell, which says what is wrong.
  const missing = await runCli([':0', '/nonexistent/prog']);
  t.is(missing.code, 1);
  t.regex(
    missing.stderr,
    /exec: \/nonexistent\/prog: not found\nDuring startup program exited with code 127\.\nExiting\n$/,
  );
  const noShell = await runCli(['--no-startup-with-shell', ':0', '/nonexistent/prog']);
  t.is(noShell.code, 1);
  t.regex(noShell.stderr, /Cannot exec \/nonexistent\/prog: No such file or directory/);
  // gdb.server/non-existing-program.exp: `stdio` is gdbserver's name for `-`.
  const stdio = await runCli(['stdio', 'non-existing-program']);
  t.is(stdio.code, 1);
  t.regex(
    stdio.stderr,
    /^stdin\/stdout redirected\n.*exec: non-existing-program: not found\nDuring startup program exited with code 127\.\nExiting\n$/,
  );
  // gdb.server/server-connect.exp: two colons make an IPv6-style host, `tcp8:123`, which does
  // not resolve; gdbserver says so before starting anything.
  const unresolved = await runCli(['tcp8:123:0', await basicProgram()]);
  t.is(unresolved.code, 1);
  t.is(unresolved.stderr, 'tcp8:123:0: cannot resolve name: Name or service not known\nExiting\n');
  const blocker = await startServer('ntrace', [await basicProgram()], { before: ['--once'] });
  const inUse = await runCli([`127.0.0.1:${blocker.port}`, await basicProgram()]);
  await blocker.stop();
  t.is(inUse.code, 1);
  t.regex(inUse.stderr, /Can't bind address: Address already in use\./);
  const none = await runCli([]);
  t.is(none.code, 1);
  t.regex(none.stderr, /no COMM given/);
  const bad = await runCli(['nonsense', '/bin/true']);
  t.is(bad.code, 1);
  t.regex(bad.stderr, /bad COMM "nonsense"/);
  if (!existsSync('/dev/ntrace')) {
    const kernel = await runCli(['--backend', 'kernel', ':0', await basicProgram()]);
    t.is(kernel.code, 1);
    t.regex(kernel.stderr, /cannot open the ntrace engine: .*\/dev\/ntrace/);
  }
  const version = await runCli(['--version']);
  t.is(version.code, 0);
  t.regex(version.stdout, /^\d+\.\d+\.\d+/);
});

test('--help lists every option; a --backend that is not one of its choices is refused', async (t) => {
  const help = await runCli(['--help']);
  t.is(help.code, 0);
  t.regex(help.stdout, /^Usage:\tntrace-gdbserver \[OPTIONS\] COMM PROG/);
  for (const o of ['attach', 'multi', 'once', 'backend', 'debug', 'remote-debug', 'wrapper'])
    t.regex(help.stdout, new RegExp(`\\n  --${o} `));
  t.regex(help.stdout, /--no-disable-randomization/);
  t.regex(help.stdout, /--no-startup-with-shell/);
  const bad = await runCli(['--backend', 'both', ':0', '/bin/true']);
  t.is(bad.code, 1);
  t.regex(bad.stderr, /Argument: backend, Given: "both", Choices: "auto", "kernel", "user"/);
});

e2e(
  '--attach may follow COMM, as gdbserver still takes it (gdb.server/attach-flag.exp)',
  async (t) => {
    const prog = await loopProgram();
    for (const kind of serverKinds()) {
      const child = spawn(prog, [], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Output(child.stdout).waitFor(/looping pid=\d+/);
      try {
        const server = await startServer(kind, ['--attach', String(child.pid)], {
          before: ['--once'],
        });
        const res = await runGdb(prog, server.port, ['p spins > 0', 'detach']);
        await server.stop();
        t.regex(res.stdout, /\$1 = 1/, kind);
      } finally {
        child.kill('SIGKILL');
      }
    }
  },
);
