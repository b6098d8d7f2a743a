// The LLDB sessions from the issue "LLDB works as well as with lldb-server", each one short lldb
// run. A scenario lists its commands, the sections whose normalised output must be the same on
// every server, and what the output must say (checked on every server).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { compileFixture } from '../helpers/compile.js';
import {
  type LldbResult,
  type LldbServerKind,
  runLldb,
  type ServerTarget,
  sectionOf,
  ownProgram,
  startServer,
  track,
} from './harness.js';

export const haveAvx = await readFile('/proc/cpuinfo', 'utf8').then(
  (t) => /^flags\s*:.*\bavx\b/m.test(t),
  () => false,
);

export const basicProgram = () =>
  compileFixture('lldb-basic.c', { flags: haveAvx ? ['-mavx'] : [] });
export const threadsProgram = () => compileFixture('lldb-threads.c', { flags: ['-pthread'] });
export const spinProgram = () => compileFixture('lldb-spin.c');

export interface Scenario {
  name: string;
  program: () => Promise<string>;
  /**
   * Attach to a running copy of the program instead of launching it. The program must write a
   * byte to stdout once main runs when LLDB_SPIN_READY is set (as lldb-spin.c does).
   */
  attach?: boolean;
  /**
   * The server starts with no process and LLDB launches or attaches through it (`process
   * launch`, `process attach --pid {pid}`; {pid} is the copy started for `attach`).
   */
  emptyServer?: boolean;
  /** Log LLDB's packets (`log enable gdb-remote packets`) into ScenarioResult.packets. */
  logPackets?: boolean;
  /** Needs debug registers that trigger (test/helpers/hw-debug.ts): skipped where they do not. */
  needsHardwareDebug?: boolean;
  commands: string[];
  /** [command, occurrence] sections that must read the same on every server. */
  compare: [string, number][];
  check(t: ExecutionContext, r: ScenarioResult): void | Promise<void>;
}

export interface ScenarioResult extends LldbResult {
  kind: LldbServerKind;
  /** The debuggee's pid as lldb reported it. */
  pid: number | undefined;
  /** LLDB's packet log, for scenarios with logPackets. */
  packets: string;
}

const PID = '{pid}';

/**
 * `sent` went out and its reply matched `answer`, as lldb logs packets (`send packet: $...#cs`,
 * then `read packet: $...#cs`; binary replies are logged as hex).
 */
function exchanged(log: string, sent: RegExp, answer: RegExp): boolean {
  const lines = log.split('\n');
  for (const [i, line] of lines.entries()) {
    const m = /send packet: \$(.*)#[0-9a-f]{2}$/.exec(line);
    if (!m || !sent.test(m[1]!)) continue;
    const next = lines.slice(i + 1).find((l) => /read packet: \$/.test(l));
    const r = next && /read packet: \$(.*)#[0-9a-f]{2}$/.exec(next);
    if (r && answer.test(r[1]!)) return true;
  }
  return false;
}

const KILL = 'process kill';

function killed(t: ExecutionContext, r: ScenarioResult): void {
  t.regex(sectionOf(r, KILL), /Process N exited with status = 9 \(0x00000009\) killed/);
}

/** Resolves once `pid` has gone (or is a zombie), i.e. no longer held stopped by anyone. */
async function gone(pid: number): Promise<void> {
  for (;;) {
    let stat: string;
    try {
      stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return;
    }
    if (/^\d+ \(.*\) Z/.test(stat)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function tracerOf(pid: number): Promise<{ tracer: number; state: string }> {
  const s = await readFile(`/proc/${pid}/status`, 'utf8');
  return {
    tracer: Number(/^TracerPid:\s*(\d+)/m.exec(s)![1]),
    state: /^State:\s*(\S)/m.exec(s)![1]!,
  };
}

export const SCENARIOS: Scenario[] = [
  {
    name: 'expressions that need memory in the inferior: _M, QSaveRegisterState, x',
    program: basicProgram,
    logPackets: true,
    commands: [
      'breakpoint set -n touch',
      'continue',
      'expr (char*)strdup("x")',
      // A user-defined function (a lambda): JIT code placed in memory allocated with _M.
      'expr -l c++ -- [](int v) { return v * 2; }(add(20, 1))',
      'frame info',
      'register read rip rsp',
      KILL,
    ],
    compare: [
      ['expr (char*)strdup("x")', 0],
      ['expr -l c++ -- [](int v) { return v * 2; }(add(20, 1))', 0],
      ['frame info', 0],
      ['register read rip rsp', 0],
    ],
    check(t, r) {
      t.regex(sectionOf(r, 'expr (char*)strdup("x")'), /^\(char \*\) \$0 = 0xADDR "x"$/);
      t.is(sectionOf(r, 'expr -l c++ -- [](int v) { return v * 2; }(add(20, 1))'), '(int) $1 = 42');
      // The calls left the thread where it was.
      t.regex(sectionOf(r, 'frame info'), /lldb-basic`touch at lldb-basic\.c:22/);
      // The server allocated the memory (an address, not an error or the empty reply), saved
      // and restored the registers by id, and served LLDB-style x.
      t.true(exchanged(r.packets, /^_M[0-9a-f]+,rwx$/, /^[0-9a-f]{16}$/), '_M');
      t.true(exchanged(r.packets, /^QSaveRegisterState;thread:/, /^[1-9][0-9]*$/), 'save');
      t.true(exchanged(r.packets, /^QRestoreRegisterState:\d+;thread:/, /^OK$/), 'restore');
      t.true(exchanged(r.packets, /^x0,0$/, /^OK$/), 'x probe');
      t.true(exchanged(r.packets, /^x[0-9a-f]+,[0-9a-f]+$/, /^[0-9a-f]{4,}$/), 'x read');
      killed(t, r);
    },
  },
  {
    name: 'process launch through a server with no process (--multi)',
    program: basicProgram,
    emptyServer: true,
    logPackets: true,
    commands: [
      'breakpoint set -n add',
      'process launch',
      'bt 1',
      'frame variable a b',
      'breakpoint delete 1',
      // To the end: no `k` needed.
      'continue',
    ],
    compare: [
      ['bt 1', 0],
      ['frame variable a b', 0],
    ],
    check(t, r) {
      const launch = sectionOf(r, 'process launch');
      t.regex(launch, /stop reason = breakpoint 1\.1/);
      t.regex(launch, /Process N launched: '.*lldb-basic' \(x86_64\)/);
      t.regex(
        sectionOf(r, 'bt 1'),
        /frame #0: 0xADDR lldb-basic`add\(a=3, b=4\) at lldb-basic\.c:9/,
      );
      t.is(sectionOf(r, 'frame variable a b'), '(int) a = 3\n(int) b = 4');
      t.regex(sectionOf(r, 'continue'), /Process N exited with status = 0 \(0x00000000\)/);
      // The server under test started it (vRun, stop reply SIGSTOP), rather than an lldb-server
      // of LLDB's own making: LLDB never connected again.
      t.true(exchanged(r.packets, /^vRun;[0-9a-f]+$/, /^T13/), 'vRun');
      t.is(r.packets.match(/send packet: \$qSupported/g)?.length, 1);
    },
  },
  {
    name: 'process attach --pid through a server with no process (--multi)',
    program: spinProgram,
    attach: true,
    emptyServer: true,
    logPackets: true,
    commands: [`process attach --pid ${PID}`, 'bt 2', 'process detach'],
    compare: [
      ['bt 2', 0],
      ['process detach', 0],
    ],
    async check(t, r) {
      t.regex(sectionOf(r, `process attach --pid ${PID}`), /Process N stopped/);
      t.regex(sectionOf(r, 'bt 2'), /lldb-spin`spin at lldb-spin\.c:9/);
      t.regex(sectionOf(r, 'bt 2'), /frame #1: 0xADDR lldb-spin`main at lldb-spin\.c:18/);
      t.regex(sectionOf(r, 'process detach'), /Process N detached/);
      t.true(exchanged(r.packets, new RegExp(`^vAttach;${r.pid!.toString(16)}$`), /^T13/));
      const s = await tracerOf(r.pid!);
      t.is(s.tracer, 0);
      t.not(s.state, 't');
    },
  },
  {
    name: 'breakpoint by name, bt, frame variable, kill',
    program: basicProgram,
    commands: ['breakpoint set -n add', 'continue', 'bt 2', 'frame variable a b', KILL],
    compare: [
      ['breakpoint set -n add', 0],
      ['continue', 0],
      ['bt 2', 0],
      ['frame variable a b', 0],
      [KILL, 0],
    ],
    check(t, r) {
      t.regex(sectionOf(r, 'continue'), /stop reason = breakpoint 1\.1/);
      t.regex(sectionOf(r, 'continue'), /name = 'lldb-basic'/);
      t.regex(
        sectionOf(r, 'bt 2'),
        /frame #0: 0xADDR lldb-basic`add\(a=3, b=4\) at lldb-basic\.c:9/,
      );
      t.regex(sectionOf(r, 'bt 2'), /frame #1: 0xADDR lldb-basic`main at lldb-basic\.c:28/);
      t.is(sectionOf(r, 'frame variable a b'), '(int) a = 3\n(int) b = 4');
      killed(t, r);
    },
  },
  {
    name: 'breakpoint by file:line',
    program: basicProgram,
    commands: ['breakpoint set -f lldb-basic.c -l 30', 'continue', 'frame variable x y', KILL],
    compare: [
      ['breakpoint set -f lldb-basic.c -l 30', 0],
      ['continue', 0],
      ['frame variable x y', 0],
    ],
    check(t, r) {
      t.regex(sectionOf(r, 'continue'), /lldb-basic`main at lldb-basic\.c:30/);
      t.is(sectionOf(r, 'frame variable x y'), '(int) x = 3\n(int) y = 7');
      killed(t, r);
    },
  },
  {
    name: 'register read (incl. ymm) and register write',
    program: basicProgram,
    commands: [
      'breakpoint set -n touch',
      'continue',
      'register read ymm1',
      'register write rax 0x1234',
      'register read rax',
      'register write xmm2 "{0x01 0x02 0x03 0x04 0x05 0x06 0x07 0x08 0x09 0x0a 0x0b 0x0c 0x0d 0x0e 0x0f 0x10}"',
      'register read xmm2',
      'register read rip',
      KILL,
    ],
    compare: [
      ['register read ymm1', 0],
      ['register read rax', 0],
      ['register read xmm2', 0],
      ['register read rip', 0],
    ],
    check(t, r) {
      if (haveAvx) {
        t.is(sectionOf(r, 'register read ymm1'), `ymm1 = {${Array(32).fill('0x5a').join(' ')}}`);
      }
      t.is(sectionOf(r, 'register read rax'), 'rax = 0x0000000000001234');
      t.is(
        sectionOf(r, 'register read xmm2'),
        'xmm2 = {0x01 0x02 0x03 0x04 0x05 0x06 0x07 0x08 0x09 0x0a 0x0b 0x0c 0x0d 0x0e 0x0f 0x10}',
      );
      t.regex(sectionOf(r, 'register read rip'), /rip = 0xADDR {1,2}lldb-basic`touch/);
      killed(t, r);
    },
  },
  {
    name: 'memory read and memory write',
    program: basicProgram,
    commands: [
      'breakpoint set -n touch',
      'continue',
      'memory read -c 10 &message',
      'memory write &message 0x48 0x45',
      'memory read -c 5 &message',
      KILL,
    ],
    compare: [
      ['memory read -c 10 &message', 0],
      ['memory write &message 0x48 0x45', 0],
      ['memory read -c 5 &message', 0],
    ],
    check(t, r) {
      t.regex(
        sectionOf(r, 'memory read -c 10 &message'),
        /^0xADDR: 68 65 6c 6c 6f 20 6c 6c 64 62 +hello lldb$/,
      );
      t.regex(sectionOf(r, 'memory read -c 5 &message'), /^0xADDR: 48 45 6c 6c 6f +HEllo$/);
      killed(t, r);
    },
  },
  {
    name: 'thread list and thread select on a multi-threaded program',
    program: threadsProgram,
    commands: [
      'breakpoint set -n threads_ready',
      'continue',
      'thread list',
      // `thread select N` prints the new thread from LLDB's event thread, at no fixed place in
      // batch output; selecting through the API (no event) and asking `thread info` is ordered.
      'script lldb.process.SetSelectedThreadByIndexID(2)',
      'thread info',
      'script lldb.process.SetSelectedThreadByIndexID(3)',
      'thread info',
      KILL,
    ],
    compare: [
      ['thread list', 0],
      ['thread info', 0],
      ['thread info', 1],
    ],
    check(t, r) {
      const list = sectionOf(r, 'thread list');
      t.regex(
        list,
        /^\* thread #1: tid = TID, .*lldb-threads`threads_ready at lldb-threads\.c:17, name = 'lldb-threads', stop reason = breakpoint 1\.1/m,
      );
      t.regex(list, /^thread #2: tid = TID, .*name = 'worker-a'$/m);
      t.regex(list, /^thread #3: tid = TID, .*name = 'worker-b'$/m);
      t.regex(sectionOf(r, 'thread info', 0), /^thread #2: tid = TID, .*name = 'worker-a'/);
      t.regex(sectionOf(r, 'thread info', 1), /^thread #3: tid = TID, .*name = 'worker-b'/);
      killed(t, r);
    },
  },
  {
    name: 'thread step-over, step-in, step-inst',
    program: basicProgram,
    commands: [
      'breakpoint set -n main',
      'continue',
      'thread step-over',
      'thread step-in',
      'thread step-inst',
      KILL,
    ],
    compare: [
      ['thread step-over', 0],
      ['thread step-in', 0],
      ['thread step-inst', 0],
    ],
    check(t, r) {
      t.regex(sectionOf(r, 'continue'), /lldb-basic`main at lldb-basic\.c:27/);
      const over = sectionOf(r, 'thread step-over');
      t.regex(over, /stop reason = step over/);
      t.regex(over, /lldb-basic`main at lldb-basic\.c:28/);
      const into = sectionOf(r, 'thread step-in');
      t.regex(into, /stop reason = step in/);
      t.regex(into, /lldb-basic`add\(a=3, b=4\) at lldb-basic\.c:9/);
      t.regex(sectionOf(r, 'thread step-inst'), /stop reason = instruction step into/);
      killed(t, r);
    },
  },
  {
    name: 'process interrupt on a busy loop',
    program: spinProgram,
    commands: [
      'breakpoint set -n spin',
      'continue',
      'breakpoint delete 1',
      // Batch mode waits for each stop; async mode lets `process interrupt` be the next command.
      'script lldb.debugger.SetAsync(True)',
      'process continue',
      // `process continue` returns before LLDB's public state says running; an interrupt sent
      // earlier fails with "Process is not running".
      'script import time',
      'script any(lldb.process.GetState() == lldb.eStateRunning or time.sleep(0.01) for _ in range(3000))',
      'process interrupt',
      'script lldb.debugger.SetAsync(False)',
      'process status',
      'bt 1',
      KILL,
    ],
    compare: [['bt 1', 0]],
    check(t, r) {
      t.regex(sectionOf(r, 'process status'), /Process N stopped/);
      t.regex(sectionOf(r, 'bt 1'), /frame #0: 0xADDR lldb-spin`spin at lldb-spin\.c:9/);
      killed(t, r);
    },
  },
  {
    name: 'expr add(2,3) calls a function in the inferior',
    program: basicProgram,
    commands: ['breakpoint set -n touch', 'continue', 'expr add(2,3)', 'frame info', KILL],
    compare: [
      ['expr add(2,3)', 0],
      ['frame info', 0],
    ],
    check(t, r) {
      t.is(sectionOf(r, 'expr add(2,3)'), '(int) $0 = 5');
      // The call leaves the thread where it was.
      t.regex(sectionOf(r, 'frame info'), /lldb-basic`touch at lldb-basic\.c:22/);
      killed(t, r);
    },
  },
  {
    name: 'watchpoint set variable',
    program: basicProgram,
    needsHardwareDebug: true,
    commands: [
      'breakpoint set -n touch',
      'continue',
      'watchpoint set variable watched',
      'continue',
      'continue',
      KILL,
    ],
    compare: [
      ['watchpoint set variable watched', 0],
      ['continue', 1],
      ['continue', 2],
    ],
    check(t, r) {
      t.regex(
        sectionOf(r, 'watchpoint set variable watched'),
        /Watchpoint created: Watchpoint 1: addr = 0xADDR size = 4 state = enabled type = w/,
      );
      const first = sectionOf(r, 'continue', 1);
      t.regex(first, /Watchpoint 1 hit:\nold value: 0\nnew value: 42/);
      t.regex(first, /stop reason = watchpoint 1/);
      t.regex(sectionOf(r, 'continue', 2), /old value: 42\nnew value: 43/);
      killed(t, r);
    },
  },
  {
    name: 'process detach lets the program finish',
    program: basicProgram,
    commands: ['breakpoint set -n add', 'continue', 'process detach'],
    compare: [['process detach', 0]],
    async check(t, r) {
      t.regex(sectionOf(r, 'process detach'), /Process N detached/);
      t.truthy(r.pid);
      await gone(r.pid!);
    },
  },
  {
    name: 'attach to a running process, backtrace, detach',
    program: spinProgram,
    attach: true,
    commands: ['bt 2', 'process detach'],
    compare: [
      ['bt 2', 0],
      ['process detach', 0],
    ],
    async check(t, r) {
      t.regex(sectionOf(r, 'bt 2'), /lldb-spin`spin at lldb-spin\.c:9/);
      t.regex(sectionOf(r, 'bt 2'), /frame #1: 0xADDR lldb-spin`main at lldb-spin\.c:18/);
      t.regex(sectionOf(r, 'process detach'), /Process N detached/);
      // Detached means running on, untraced.
      const s = await tracerOf(r.pid!);
      t.is(s.tracer, 0);
      t.not(s.state, 't');
    },
  },
];

/** Live processes (not zombies) running `program`, but `except`. */
async function runningCopies(program: string, except: number | undefined): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === except) continue;
    try {
      // A zombie's exe link cannot be read: it no longer runs anything.
      if ((await readlink(`/proc/${pid}/exe`)) === program) pids.push(pid);
    } catch {
      // Gone meanwhile, or a zombie.
    }
  }
  return pids;
}

function pidOf(r: LldbResult): number | undefined {
  for (const s of r.sections) {
    const m = /Process (\d+) (stopped|exited)/.exec(s.output);
    if (m) return Number(m[1]);
  }
  return undefined;
}

/**
 * Runs `scenario` against a fresh server of `kind`. The server and any process the test
 * started are stopped or killed afterwards whatever happens.
 */
/** Resolves on the program's first byte on stdout; rejects if it exits first. */
function ready(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', () => {
      child.stdout!.resume();
      resolve();
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`the program exited (${code ?? signal}) before it was ready`)),
    );
  });
}

export async function runScenario(
  kind: LldbServerKind,
  scenario: Scenario,
  /** Runs before anything is cleaned up (the attached process still exists). */
  inspect?: (r: ScenarioResult) => void | Promise<void>,
): Promise<ScenarioResult> {
  const program = ownProgram(await scenario.program());
  let child: ChildProcess | undefined;
  const logDir = scenario.logPackets ? await mkdtemp(join(tmpdir(), 'lldb-packets-')) : undefined;
  try {
    let target: ServerTarget;
    if (scenario.attach) {
      // Attach once main runs (the program writes one byte), not while the dynamic loader is
      // still starting it: `bt 2` expects main's frame.
      child = track(
        spawn(program, [], {
          stdio: ['ignore', 'pipe', 'ignore'],
          env: { ...process.env, LLDB_SPIN_READY: '1' },
        }),
      );
      const pid = child.pid;
      if (pid === undefined) throw new Error(`cannot start ${program}`);
      await ready(child);
      target = scenario.emptyServer ? { none: true } : { attach: pid };
    } else {
      target = scenario.emptyServer ? { none: true } : { launch: [program] };
    }
    const pidText = String(child?.pid);
    const commands = scenario.commands.map((c) => c.replaceAll(PID, pidText));
    const logFile = logDir ? join(logDir, 'packets.log') : undefined;
    if (logFile) commands.unshift(`log enable -f ${logFile} gdb-remote packets`);
    const server = await startServer(kind, target);
    let result: ScenarioResult;
    try {
      const r = await runLldb(program, server.port, commands, {
        emptyServer: scenario.emptyServer === true,
      });
      // Sections keep the command as the scenario wrote it.
      if (child) for (const s of r.sections) s.command = s.command.replaceAll(pidText, PID);
      const packets = logFile ? await readFile(logFile, 'latin1').catch(() => '') : '';
      result = { ...r, kind, pid: scenario.attach ? child!.pid : pidOf(r), packets };
      await inspect?.(result);
    } finally {
      await server.stop();
    }
    // Once the server is gone, no copy of the program may run on but the one the test started
    // to attach to (LLDB detaches when it quits early, e.g. after a failed command).
    const left = await runningCopies(program, child?.pid);
    if (kind === 'ntrace' && left.length > 0) {
      throw new Error(`ntrace-gdbserver left ${program} running: pid ${left.join(', ')}`);
    }
    return result;
  } finally {
    if (logDir) await rm(logDir, { recursive: true, force: true });
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await new Promise((r) => child!.once('exit', r));
    }
    // The program lives in this test process's private directory, so every copy is ours: kill
    // them whatever the outcome.
    const left = await runningCopies(program, undefined);
    for (const pid of left) process.kill(pid, 'SIGKILL');
    for (const pid of left) await gone(pid);
  }
}
