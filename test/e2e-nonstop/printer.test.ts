// gdb in non-stop mode (`set non-stop on`): one thread sits at a breakpoint while another keeps
// printing, seen through the program's output and gdb's `info threads`; `interrupt -a` stops
// the rest, `continue &` resumes one thread, `continue -a &` lets the program finish; ^C
// (vCtrlC) stops the thread running in the foreground; attach reports every thread. Each
// scenario also runs against gdbserver where installed, and the facts gdb reports must match.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import test from 'ava';
import {
  haveGdb,
  Output,
  type ServerKind,
  serverKinds,
  startServer,
} from '../helpers/e2e-harness.js';
import { spinThreadsProgram } from '../helpers/e2e-programs.js';
import { GdbSession, lastTick, parseInfoThreads, printerProgram, threadStates } from './harness.js';

// Skipped only where gdb is not installed (.ci/run installs it): nothing to drive the server with.
const e2e = haveGdb ? test : test.skip;

interface Facts {
  atBreakpoint: string[];
  allStopped: string[];
  oneResumed: string[];
  exit: string;
}

/** `target remote` to `kind` serving the printer fixture, in non-stop mode. */
async function remoteScenario(kind: ServerKind): Promise<Facts> {
  const prog = await printerProgram();
  const server = await startServer(kind, [prog], { before: ['--once'] });
  const gdb = new GdbSession(prog, `target remote 127.0.0.1:${server.port}`, ['set non-stop on']);
  try {
    await gdb.ready();
    await gdb.run('break at_breakpoint');
    await gdb.run('continue -a &', /hit Breakpoint 1, at_breakpoint \(\)/);
    // The stopper sits at its breakpoint; the printer prints three more lines meanwhile.
    const seen = lastTick(server.stdout.text);
    await server.stdout.waitFor(new RegExp(`^tick ${seen + 3}$`, 'm'));
    const atBreakpoint = parseInfoThreads(await gdb.run('info threads'));
    // Running threads have no frames (gdb: "Selected thread is running"): -s skips them.
    const bt = await gdb.run('thread apply all -s bt');
    if (!/#0 +at_breakpoint \(\) at .*ns-printer\.c/.test(bt)) {
      throw new Error(`no backtrace of the stopped thread:\n${bt}`);
    }
    // Every other thread stops, each reported by itself.
    await gdb.run('interrupt -a', /stopped\.[\s\S]*stopped\./);
    const allStopped = parseInfoThreads(await gdb.run('info threads'));
    const bts = await gdb.run('thread apply all bt');
    const frames = [...bts.matchAll(/^#0 /gm)].length;
    if (frames !== 3) throw new Error(`want 3 backtraces, got ${frames}:\n${bts}`);
    // Everything is stopped: the counter holds still, and the last line printed matches it.
    const ticks = Number(/\$1 = (\d+)/.exec(await gdb.run('print ticks'))?.[1]);
    const again = Number(/\$2 = (\d+)/.exec(await gdb.run('print ticks'))?.[1]);
    if (ticks !== again) throw new Error(`ticks moved while stopped: ${ticks} then ${again}`);
    const printed = lastTick(server.stdout.text);
    if (printed !== ticks && printed !== ticks - 1) {
      throw new Error(`printed ${printed} but ticks is ${ticks}`);
    }
    // Only the printer runs again: its output resumes while the others stay stopped.
    const printer = allStopped.find((r) => r.name === 'printer');
    if (!printer) throw new Error('no printer thread');
    await gdb.run(`thread ${printer.id}`);
    await gdb.run('continue &');
    await server.stdout.waitFor(new RegExp(`^tick ${ticks + 2}$`, 'm'));
    const oneResumed = parseInfoThreads(await gdb.run('info threads'));
    // And all of them: the stopper returns, the printer stops looping, main ends.
    const exit = await gdb.run('continue -a &', /\[Inferior 1 \(process \d+\) exited [^\]]*\]/);
    await server.stdout.waitFor(/^done ticks=\d+$/m);
    await gdb.quit();
    return {
      atBreakpoint: threadStates(atBreakpoint),
      allStopped: markStopped(allStopped),
      oneResumed: markStopped(oneResumed),
      exit: /exited [^\]]*/.exec(exit)![0],
    };
  } finally {
    gdb.kill();
    await server.stop();
  }
}

/**
 * Thread states with every stopped thread but the one at the breakpoint shown as `stopped`
 * (where it stopped differs from run to run and between servers).
 */
function markStopped(rows: Parameters<typeof threadStates>[0]): string[] {
  return threadStates(rows).map((s) =>
    s.startsWith('stopper') ? s : s.replace(/: (?!running).*/, ': stopped'),
  );
}

e2e('non-stop: a thread at a breakpoint while another keeps printing', async (t) => {
  const runs: [ServerKind, Facts][] = [];
  for (const kind of serverKinds()) runs.push([kind, await remoteScenario(kind)]);
  const ours = runs[0]![1];
  t.deepEqual(ours.atBreakpoint, [
    'ns-printer: running',
    'printer: running',
    'stopper: at_breakpoint',
  ]);
  t.deepEqual(ours.allStopped, [
    'ns-printer: stopped',
    'printer: stopped',
    'stopper: at_breakpoint',
  ]);
  t.deepEqual(ours.oneResumed, [
    'ns-printer: stopped',
    'printer: running',
    'stopper: at_breakpoint',
  ]);
  t.is(ours.exit, 'exited normally');
  for (const [kind, facts] of runs.slice(1)) t.deepEqual(facts, ours, `differs from ${kind}`);
});

/** `target extended-remote` to a `--multi` `kind`: run, stop one thread, run it again twice. */
async function extendedScenario(kind: ServerKind): Promise<Facts> {
  const prog = await printerProgram();
  const server = await startServer(kind, [], { before: ['--multi', '--once'] });
  const gdb = new GdbSession(undefined, `target extended-remote 127.0.0.1:${server.port}`, [
    'set non-stop on',
  ]);
  try {
    await gdb.ready();
    await gdb.run(`set remote exec-file ${prog}`);
    await gdb.run(`file ${prog}`);
    await gdb.run('break at_breakpoint');
    // Foreground `run` returns at the breakpoint; the printer runs on.
    await gdb.run('run', /hit Breakpoint 1, at_breakpoint \(\)[\s\S]*\(gdb\) $/);
    const seen = lastTick(server.stdout.text);
    await server.stdout.waitFor(new RegExp(`^tick ${seen + 3}$`, 'm'));
    const atBreakpoint = parseInfoThreads(await gdb.run('info threads'));
    // `interrupt` stops the selected thread only: select the printer first.
    const printer = atBreakpoint.find((r) => r.name === 'printer');
    if (!printer) throw new Error('no printer thread');
    await gdb.run(`thread ${printer.id}`);
    await gdb.run('interrupt', /Thread \d+ "printer" stopped\./);
    const stopped = parseInfoThreads(await gdb.run('info threads'));
    const ticks = Number(/\$1 = (\d+)/.exec(await gdb.run('print ticks'))?.[1]);
    await gdb.run('continue &');
    await server.stdout.waitFor(new RegExp(`^tick ${ticks + 2}$`, 'm'));
    const oneResumed = parseInfoThreads(await gdb.run('info threads'));
    const exit = await gdb.run('continue -a &', /\[Inferior 1 \(process \d+\) exited [^\]]*\]/);
    await server.stdout.waitFor(/^done ticks=\d+$/m);
    await gdb.quit();
    return {
      atBreakpoint: threadStates(atBreakpoint),
      allStopped: markStopped(stopped),
      oneResumed: markStopped(oneResumed),
      exit: /exited [^\]]*/.exec(exit)![0],
    };
  } finally {
    gdb.kill();
    await server.stop();
  }
}

e2e('non-stop over extended-remote: run, interrupt one thread, continue it alone', async (t) => {
  const runs: [ServerKind, Facts][] = [];
  for (const kind of serverKinds()) runs.push([kind, await extendedScenario(kind)]);
  const ours = runs[0]![1];
  t.deepEqual(ours.atBreakpoint, [
    'ns-printer: running',
    'printer: running',
    'stopper: at_breakpoint',
  ]);
  // Only the printer was interrupted; main stays running in pthread_join.
  t.deepEqual(ours.allStopped, [
    'ns-printer: running',
    'printer: stopped',
    'stopper: at_breakpoint',
  ]);
  t.deepEqual(ours.oneResumed, [
    'ns-printer: running',
    'printer: running',
    'stopper: at_breakpoint',
  ]);
  t.is(ours.exit, 'exited normally');
  for (const [kind, facts] of runs.slice(1)) t.deepEqual(facts, ours, `differs from ${kind}`);
});

e2e('non-stop ^C during a foreground continue stops the running thread (vCtrlC)', async (t) => {
  const prog = await printerProgram();
  const server = await startServer('ntrace', [prog], { before: ['--once'] });
  const gdb = new GdbSession(prog, `target remote 127.0.0.1:${server.port}`, ['set non-stop on']);
  try {
    await gdb.ready();
    await gdb.run('break at_breakpoint');
    await gdb.run('continue -a &', /hit Breakpoint 1, at_breakpoint \(\)/);
    await gdb.run('interrupt -a', /stopped\.[\s\S]*stopped\./);
    // Only the printer runs, in the foreground, until ^C.
    const printer = parseInfoThreads(await gdb.run('info threads')).find(
      (r) => r.name === 'printer',
    )!;
    await gdb.run(`thread ${printer.id}`);
    const interrupted = gdb.run('continue', /received signal SIGINT[\s\S]*\(gdb\) $/);
    const seen = lastTick(server.stdout.text);
    await server.stdout.waitFor(new RegExp(`^tick ${seen + 2}$`, 'm'));
    gdb.proc.kill('SIGINT');
    t.regex(await interrupted, /Thread \d+ "printer" received signal SIGINT, Interrupt\./);
    const after = threadStates(parseInfoThreads(await gdb.run('info threads')));
    t.false(after.some((s) => s.endsWith(': running')));
    t.true(after.includes('stopper: at_breakpoint'));
    // gdb keeps the SIGINT (handle SIGINT nopass): the program ends normally.
    await gdb.run('delete');
    await gdb.run('continue -a &', /\[Inferior 1 \(process \d+\) exited normally\]/);
    await gdb.quit();
  } finally {
    gdb.kill();
    await server.stop();
  }
});

/** Attach in non-stop to a program already running; returns the thread states seen. */
async function attachScenario(kind: ServerKind): Promise<string[][]> {
  const prog = await spinThreadsProgram();
  const child = spawn(prog, [], { stdio: ['ignore', 'pipe', 'inherit'] });
  // A spinning program must not outlive a failed or timed-out run.
  const reap = () => child.kill('SIGKILL');
  process.once('exit', reap);
  const server = await startServer(kind, [], { before: ['--multi', '--once'] });
  const gdb = new GdbSession(prog, `target extended-remote 127.0.0.1:${server.port}`, [
    'set non-stop on',
  ]);
  try {
    await new Output(child.stdout).waitFor(/looping/);
    await gdb.ready();
    // vAttach answers OK; each thread's stop follows as a notification.
    // The first thread's frame comes with the attach; the other two report after the prompt.
    await gdb.run(`attach ${child.pid}`, /stopped\.[\s\S]*stopped\./);
    const attached = threadStates(parseInfoThreads(await gdb.run('info threads')));
    await gdb.run('continue -a &');
    const running = threadStates(parseInfoThreads(await gdb.run('info threads')));
    await gdb.run('interrupt -a', /stopped\.[\s\S]*stopped\.[\s\S]*stopped\./);
    const interrupted = threadStates(parseInfoThreads(await gdb.run('info threads')));
    await gdb.run('detach', /\[Inferior 1 \(process \d+\) detached\]/);
    await gdb.quit();
    // Detached, it runs on untraced.
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    if (!/TracerPid:\s+0\n/.test(status)) throw new Error(`still traced:\n${status}`);
    const stopped = (s: string[]) => s.map((x) => x.replace(/: (?!running).*/, ': stopped'));
    return [stopped(attached), running, stopped(interrupted)];
  } finally {
    gdb.kill();
    reap();
    process.off('exit', reap);
    await server.stop();
  }
}

e2e('non-stop attach: every thread reported stopped, then run, interrupt, detach', async (t) => {
  const runs: [ServerKind, string[][]][] = [];
  for (const kind of serverKinds()) runs.push([kind, await attachScenario(kind)]);
  const ours = runs[0]![1];
  const all = (state: string) => Array(3).fill(`e2e-spin-thread: ${state}`);
  t.deepEqual(ours, [all('stopped'), all('running'), all('stopped')]);
  for (const [kind, facts] of runs.slice(1)) t.deepEqual(facts, ours, `differs from ${kind}`);
});

/**
 * `--attach` before gdb connects in non-stop: the attached thread is reported stopped and the
 * others run, as with gdbserver (gdb 13 asserts in remote.c's wait on a second initial stop;
 * gdb.server/attach-flag.exp). Returns the thread states seen after connecting and after
 * `interrupt -a`.
 */
async function attachFlagScenario(kind: ServerKind): Promise<string[][]> {
  const prog = await spinThreadsProgram();
  const child = spawn(prog, [], { stdio: ['ignore', 'pipe', 'inherit'] });
  const reap = () => child.kill('SIGKILL');
  process.once('exit', reap);
  try {
    await new Output(child.stdout).waitFor(/looping/);
    const server = await startServer(kind, [String(child.pid)], { before: ['--once', '--attach'] });
    const gdb = new GdbSession(prog, `target remote 127.0.0.1:${server.port}`, ['set non-stop on']);
    try {
      await gdb.ready();
      const connected = threadStates(parseInfoThreads(await gdb.run('info threads')));
      await gdb.run('interrupt -a', /stopped\.[\s\S]*stopped\./);
      const interrupted = threadStates(parseInfoThreads(await gdb.run('info threads')));
      await gdb.run('detach', /Detaching from program/);
      await gdb.quit();
      const stopped = (s: string[]) =>
        s.map((x) => x.replace(/: (?!running).*/, ': stopped')).sort();
      return [stopped(connected), stopped(interrupted)];
    } finally {
      gdb.kill();
      await server.stop();
    }
  } finally {
    reap();
    process.off('exit', reap);
  }
}

e2e(
  'non-stop connect to a --attach server: the attached thread stopped, the rest running',
  async (t) => {
    const runs: [ServerKind, string[][]][] = [];
    for (const kind of serverKinds()) runs.push([kind, await attachFlagScenario(kind)]);
    const ours = runs[0]![1];
    const name = 'e2e-spin-thread';
    t.deepEqual(ours, [
      [`${name}: running`, `${name}: running`, `${name}: stopped`],
      Array(3).fill(`${name}: stopped`),
    ]);
    for (const [kind, facts] of runs.slice(1)) t.deepEqual(facts, ours, `differs from ${kind}`);
  },
);
