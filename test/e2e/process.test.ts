// Process lifetime: kill, detach, attach (--attach), a client that vanishes, exit by signal.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import test from 'ava';
import {
  spawnGdb,
  haveGdb,
  normalize,
  Output,
  runGdb,
  runScenario,
  serverKinds,
  startServer,
} from '../helpers/e2e-harness.js';
import { basicProgram, loopProgram, signalsProgram } from '../helpers/e2e-programs.js';

// Skipped only where gdb is not installed (.ci/run installs it): nothing to drive the server with.
const e2e = haveGdb ? test : test.skip;

/** /proc/pid/status fields, or undefined once the process is gone (or a zombie). */
function procStatus(pid: number): Record<string, string> | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const fields = Object.fromEntries(
      text.split('\n').map((l) => l.split(/:\s*/, 2) as [string, string]),
    );
    return fields.State?.startsWith('Z') ? undefined : fields;
  } catch {
    return undefined;
  }
}

function debuggeePid(serverStderr: string): number {
  return Number(/pid = (\d+)/.exec(serverStderr)![1]);
}

e2e('kill ends the debuggee', async (t) => {
  const prog = await basicProgram();
  const runs = await Promise.all(
    serverKinds().map((k) =>
      runScenario(k, prog, ['break add', 'continue', 'kill', 'info threads']),
    ),
  );
  const out = runs[0]!.out;
  t.regex(out, /Breakpoint 1, add \(a=3, b=4\)/);
  t.regex(out, /\[Inferior 1 \(process N\) killed\]/);
  t.is(procStatus(debuggeePid(runs[0]!.server.stderr.text)), undefined);
  t.notRegex(runs[0]!.server.stdout.text, /y=7/);
  for (const other of runs.slice(1)) t.is(out, other.out, `differs from ${other.kind}`);
});

e2e('detach lets a launched program run to its end', async (t) => {
  const prog = await basicProgram();
  const runs = await Promise.all(
    serverKinds().map((k) => runScenario(k, prog, ['break add', 'continue', 'detach'])),
  );
  const out = runs[0]!.out;
  t.regex(out, /\[Inferior 1 \(process N\) detached\]/);
  await runs[0]!.server.stdout.waitFor(/y=7 d=17\.5 z=14 sink=43/);
  for (const other of runs.slice(1)) t.is(out, other.out, `differs from ${other.kind}`);
});

e2e('--attach to a running process, then detach leaves it running untraced', async (t) => {
  const prog = await loopProgram();
  for (const kind of serverKinds()) {
    const child = spawn(prog, [], { stdio: ['ignore', 'pipe', 'inherit'] });
    const childOut = new Output(child.stdout);
    await childOut.waitFor(/looping pid=\d+/);
    const pid = child.pid!;
    try {
      const server = await startServer(kind, [String(pid)], { before: ['--once', '--attach'] });
      const res = await runGdb(prog, server.port, ['bt', 'p spins > 0', 'detach']);
      await server.stop();
      const out = normalize(res.stdout);
      t.regex(out, /#\d {2}(0xADDR in )?spin \(\) at .*e2e-loop\.c/, kind);
      t.regex(out, /main \(\) at .*e2e-loop\.c/, kind);
      t.regex(out, /\$1 = 1/, kind);
      t.regex(out, /\[Inferior 1 \(process N\) detached\]/, kind);
      const st = procStatus(pid);
      t.is(st?.TracerPid, '0', kind);
      t.regex(st?.State ?? '', /^[RS]/, kind);
    } finally {
      child.kill('SIGKILL');
    }
  }
});

e2e('a client vanishing while an attached program runs leaves it running untraced', async (t) => {
  const prog = await loopProgram();
  const child = spawn(prog, [], { stdio: ['ignore', 'pipe', 'inherit'] });
  const childOut = new Output(child.stdout);
  await childOut.waitFor(/looping pid=\d+/);
  const pid = child.pid!;
  try {
    const server = await startServer('ntrace', [String(pid)], {
      before: ['--once', '--attach', '--debug'],
    });
    const gdb = spawnGdb(prog, `target remote 127.0.0.1:${server.port}`, ['continue']);
    // Once the resume reached the server, the client dies without a word.
    await server.stderr.waitFor(/getpkt \("vCont;c/);
    gdb.proc.kill('SIGKILL');
    await gdb.done;
    t.is(await server.exited, 0);
    // Node may emit 'exit' before the last stderr bytes are read: wait for the line, not the text so far.
    await server.stderr.waitFor(new RegExp(`Detached from process ${pid}`));
    const st = procStatus(pid);
    t.is(st?.TracerPid, '0');
    t.regex(st?.State ?? '', /^[RS]/);
  } finally {
    child.kill('SIGKILL');
  }
});

e2e('attaching to a missing or untraceable pid fails with the reason', async (t) => {
  const missing = await t.throwsAsync(
    startServer('ntrace', ['999999999'], { before: ['--attach'] }),
  );
  t.regex(missing.message, /Cannot attach to process 999999999: No such process/);
  // pid 1 cannot be traced from here (init, or another tracer's): EPERM with the reason.
  const init = await t.throwsAsync(startServer('ntrace', ['1'], { before: ['--attach'] }));
  t.regex(init.message, /Cannot attach to process 1: .*\((EPERM|EACCES|EBUSY)\)/);
});

e2e('a client that vanishes gets its launched debuggee killed, none left stopped', async (t) => {
  const prog = await loopProgram();
  // With --once (as gdb's testsuite starts it); without, the server waits for gdb to reconnect.
  const server = await startServer('ntrace', [prog], { before: ['--once'] });
  const pid = debuggeePid(server.stderr.text);
  t.truthy(procStatus(pid));
  const gdb = spawnGdb(prog, `target remote 127.0.0.1:${server.port}`, [
    'break spin',
    'continue',
    'shell kill -9 $PPID',
  ]);
  await gdb.done;
  t.is(await server.exited, 0);
  t.is(procStatus(pid), undefined);
  // Node may emit 'exit' before the last stderr bytes are read (CI saw exactly that).
  await server.stderr.waitFor(new RegExp(`Killed process ${pid}`));
});

e2e('a program killed by a signal is reported as terminated', async (t) => {
  const prog = await signalsProgram();
  const commands = [
    'handle SIGUSR1 nostop noprint pass',
    'handle SIGSEGV nostop noprint pass',
    'continue',
  ];
  const runs = await Promise.all(serverKinds().map((k) => runScenario(k, prog, commands)));
  const out = runs[0]!.out;
  t.regex(out, /Program terminated with signal SIGSEGV, Segmentation fault\./);
  for (const other of runs.slice(1)) t.is(out, other.out, `differs from ${other.kind}`);
});

e2e(
  'SIGTERM or SIGINT to the server kills a launched program, before or during a session',
  async (t) => {
    const prog = await loopProgram();
    const idle = await startServer('ntrace', [prog]);
    const pid1 = debuggeePid(idle.stderr.text);
    idle.proc.kill('SIGTERM');
    t.is(await idle.exited, 0);
    t.is(procStatus(pid1), undefined);

    const busy = await startServer('ntrace', [prog], { before: ['--debug'] });
    const pid2 = debuggeePid(busy.stderr.text);
    const gdb = spawnGdb(prog, `target remote 127.0.0.1:${busy.port}`, ['continue']);
    await busy.stderr.waitFor(/getpkt \("vCont;c/);
    busy.proc.kill('SIGINT');
    t.is(await busy.exited, 0);
    await gdb.done;
    t.is(procStatus(pid2), undefined);
  },
);
