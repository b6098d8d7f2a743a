// Ctrl-C: gdb is interrupted (SIGINT, as a terminal would send) while the program spins; gdb
// sends 0x03 and every thread stops. No timers: we wait for the program to say it is looping.
import { readFileSync } from 'node:fs';
import test from 'ava';
import { haveGdb, normalize, serverKinds, spawnGdb, startServer } from '../helpers/e2e-harness.js';
import { loopProgram, spinThreadsProgram } from '../helpers/e2e-programs.js';

// Skipped only where gdb is not installed (.ci/run installs it): nothing to drive the server with.
const e2e = haveGdb ? test : test.skip;

/** CPU time the thread has run, in ns (/proc/PID/schedstat), or undefined once it is gone. */
function ranNs(pid: number): number | undefined {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);
  } catch {
    return undefined;
  }
}

/**
 * Until the program has run 20 ms of CPU since it announced itself: what was left of printf
 * then takes microseconds, so it spins by now, whatever the machine's load did to the wall
 * time. Polled every millisecond, at most a few thousand times (then it goes on: the
 * comparison will say).
 */
async function spinning(pid: number): Promise<void> {
  const start = ranNs(pid);
  if (start === undefined) return;
  for (let i = 0; i < 5000; i++) {
    const now = ranNs(pid);
    if (now === undefined || now - start >= 20e6) return;
    await new Promise((r) => setTimeout(r, 1));
  }
}

async function interruptRun(
  kind: 'ntrace' | 'gdbserver',
  prog: string,
  commands = ['continue', 'bt', 'p spins > 0', 'kill'],
) {
  const server = await startServer(kind, [prog], { before: ['--once'] });
  try {
    const gdb = spawnGdb(prog, `target remote 127.0.0.1:${server.port}`, commands);
    // The program only runs once gdb has resumed it, so gdb is now waiting for a stop.
    const m = await server.stdout.waitFor(/looping(?: pid=(\d+))?\n/);
    // Interrupted inside printf, the stop and backtrace would differ from run to run (and from
    // server to server): wait until it spins.
    if (m[1] !== undefined) await spinning(Number(m[1]));
    gdb.proc.kill('SIGINT');
    const res = await gdb.done;
    await server.exited;
    return { out: normalize(res.stdout), server };
  } finally {
    await server.stop();
  }
}

e2e('Ctrl-C stops a busy loop', async (t) => {
  const prog = await loopProgram();
  const runs = [];
  for (const k of serverKinds()) runs.push(await interruptRun(k, prog));
  const out = runs[0]!.out;
  t.regex(out, /Program received signal SIGINT, Interrupt\./);
  t.regex(out, /#0 {2}(0xADDR in )?spin \(\) at .*e2e-loop\.c:\d+\n#1 {2}0xADDR in main \(\)/);
  t.regex(out, /\$1 = 1/);
  t.regex(out, /\[Inferior 1 \(process N\) killed\]/);
  for (const other of runs.slice(1))
    t.is(out.replace(/^0xADDR in /gm, ''), other.out.replace(/^0xADDR in /gm, ''));
});

e2e('Ctrl-C stops every thread of a multi-threaded program', async (t) => {
  const prog = await spinThreadsProgram();
  const runs = [];
  for (const k of serverKinds()) {
    runs.push(
      await interruptRun(k, prog, ['continue', 'info threads', 'thread apply all p 1', 'kill']),
    );
  }
  const out = runs[0]!.out;
  t.regex(out, /received signal SIGINT, Interrupt\./);
  // All three threads are listed with a frame: none is "(running)".
  t.is(out.match(/^[* ] +\d+ +Thread N /gm)?.length, 3);
  t.notRegex(out, /\(running\)/);
  t.is(out.match(/^\$\d+ = 1$/gm)?.length, 3);
  for (const other of runs.slice(1)) {
    t.is(other.out.match(/^[* ] +\d+ +Thread N /gm)?.length, 3);
  }
});

e2e('after Ctrl-C, $_siginfo is the SIGINT, as gdbserver gives it', async (t) => {
  const prog = await loopProgram();
  const runs = [];
  for (const k of serverKinds()) {
    runs.push(
      await interruptRun(k, prog, [
        'continue',
        'p $_siginfo.si_signo',
        'p $_siginfo.si_code',
        'p $_siginfo._sifields._kill.si_uid',
        'kill',
      ]),
    );
  }
  const out = runs[0]!.out;
  t.regex(out, /Program received signal SIGINT, Interrupt\./);
  t.notRegex(out, /Unable to read siginfo/);
  t.regex(out, new RegExp(`\\$1 = 2\\n\\$2 = 0\\n\\$3 = ${process.getuid?.() ?? 0}\\n`));
  // Where the interrupt lands (in spin, or still in printf's write) depends on timing with
  // either server: compare what follows the stop.
  const after = (s: string) => s.slice(s.indexOf('$1 = '));
  for (const other of runs.slice(1)) {
    t.regex(other.out, /Program received signal SIGINT, Interrupt\./);
    t.is(after(out), after(other.out));
  }
});
