// Runs real lldb-16 in batch mode against a gdb-remote server: lldb-server-16 (the reference) or
// ntrace-gdbserver. Both listen on port 0; lldb-server tells its port through `--pipe`, ours
// prints `Listening on port N`. Output is split per command and normalised so the two servers'
// sessions can be compared (differential tests).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readdirSync, readlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { Output, startServer as startGdbStyleServer } from '../helpers/e2e-harness.js';
import { childTracker } from '../stub/lldb/lldb-server.js';

export type LldbServerKind = 'lldb-server' | 'ntrace';

// What this test process started and has not seen exit (lldb, lldb-server, programs to attach
// to): killed if the process ends first (a failed, timed-out or interrupted test), so no
// debuggee outlives the run. The debuggees go first, found by their executable in this
// process's private fixtures directory: a server launched them, and one killed before them
// (lldb-server) lets them run on untraced.
const live = new Set<ChildProcess>();
const programDirs = new Set<string>();
export function track<T extends ChildProcess>(proc: T): T {
  live.add(proc);
  proc.once('exit', () => live.delete(proc));
  return proc;
}
/** Marks the directory of `program` as this test process's own (see the exit hook). */
export function ownProgram(program: string): string {
  programDirs.add(`${dirname(program)}/`);
  return program;
}
process.once('exit', () => {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const exe = readlinkSync(`/proc/${entry}/exe`);
      if ([...programDirs].some((d) => exe.startsWith(d))) process.kill(Number(entry), 'SIGKILL');
    } catch {
      // Gone meanwhile, a zombie, or not ours to read.
    }
  }
  for (const p of live) p.kill('SIGKILL');
});

export const LLDB = 'lldb-16';
export const LLDB_SERVER = 'lldb-server-16';

function installed(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const haveLldb = installed(LLDB, ['--version']);
export const haveLldbServer = installed(LLDB_SERVER, ['version']);

export interface RunningServer {
  kind: LldbServerKind;
  port: number;
  /** Everything the server wrote to stderr (ours logs there). */
  stderr: Output;
  exited: Promise<void>;
  stop(): Promise<void>;
}

/**
 * What the server starts with: a program it launches, a process it attaches to, or nothing
 * (LLDB then launches or attaches through it: lldb-server with no program, ours with --multi).
 */
export type ServerTarget = { launch: string[] } | { attach: number } | { none: true };

function exitOf(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) resolve();
    else proc.once('exit', () => resolve());
  });
}

async function startLldbServer(target: ServerTarget): Promise<RunningServer> {
  const args = ['gdbserver', '--pipe', '3'];
  if ('attach' in target) args.push('--attach', String(target.attach), '127.0.0.1:0');
  else if ('none' in target) args.push('127.0.0.1:0');
  else args.push('127.0.0.1:0', '--', ...target.launch);
  const proc = track(spawn(LLDB_SERVER, args, { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] }));
  const stderr = new Output(proc.stderr);
  const exited = exitOf(proc);
  const port = await new Promise<number>((resolve, reject) => {
    let text = '';
    (proc.stdio[3] as Readable).on('data', (d: Buffer) => {
      text += d.toString('latin1');
      // The port, NUL-terminated.
      const m = /^(\d+)\0/.exec(text);
      if (m) resolve(Number(m[1]));
    });
    void exited.then(() => reject(new Error(`lldb-server exited early:\n${stderr.text}`)));
  });
  const children = childTracker(proc);
  return {
    kind: 'lldb-server',
    port,
    stderr,
    exited,
    async stop() {
      // Without PTRACE_O_EXITKILL, lldb-server's debuggee would outlive it, untraced.
      children.killAll();
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}

async function startNtrace(target: ServerTarget): Promise<RunningServer> {
  const s =
    'attach' in target
      ? await startGdbStyleServer('ntrace', [String(target.attach)], {
          before: ['--once', '--attach'],
        })
      : 'none' in target
        ? await startGdbStyleServer('ntrace', [], { before: ['--once', '--multi'] })
        : await startGdbStyleServer('ntrace', target.launch, { before: ['--once'] });
  return {
    kind: 'ntrace',
    port: s.port,
    stderr: s.stderr,
    exited: s.exited.then(() => undefined),
    stop: () => s.stop(),
  };
}

export function startServer(kind: LldbServerKind, target: ServerTarget): Promise<RunningServer> {
  return kind === 'lldb-server' ? startLldbServer(target) : startNtrace(target);
}

export interface LldbResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout split per command: the echoed command and what followed it. */
  sections: Section[];
}

export interface Section {
  command: string;
  output: string;
}

/** Splits lldb's batch output at its `(lldb) <command>` echoes. */
export function splitSections(stdout: string): Section[] {
  const sections: Section[] = [];
  let current: Section | undefined;
  for (const line of stdout.split('\n')) {
    const m = /^\(lldb\) (.*)$/.exec(line);
    if (m) {
      current = { command: m[1]!, output: '' };
      sections.push(current);
    } else if (current) {
      current.output += `${line}\n`;
    }
  }
  return sections;
}

/** Commands around `gdb-remote` when the server has no process yet (see runLldb). */
export const ASYNC_ON = 'script lldb.debugger.SetAsync(True)';
export const ASYNC_OFF = 'script lldb.debugger.SetAsync(False)';
/**
 * In async mode `gdb-remote` returns before the connection settles: the process passes through
 * "unloaded" before "connected". A `process launch` or `process attach` issued in between finds
 * what looks like a live process 0, kills it ("Process 0 exited with status = 6 ... failed to
 * send k packet") and makes LLDB start an lldb-server of its own. So wait for "connected"; the
 * bound (30 s) is a guard against a hang, never a condition of success.
 */
export const AWAIT_CONNECTED =
  'script import time; any(lldb.process.GetState() == lldb.eStateConnected or time.sleep(0.01) for _ in range(3000))';

/**
 * `lldb-16 -b` on `program`, connected to `port`, running `commands` in order. auto-confirm
 * keeps `process kill` and friends from prompting; -x skips the user's ~/.lldbinit.
 * `emptyServer`: the server has no process. In synchronous (batch) mode lldb-16's `gdb-remote`
 * then waits forever for a first stop (with lldb-server too), so it connects in async mode.
 */
export function runLldb(
  program: string | undefined,
  port: number,
  commands: readonly string[],
  opts: { emptyServer?: boolean } = {},
): Promise<LldbResult> {
  const args = ['-b', '-x', '-o', 'settings set auto-confirm true'];
  if (opts.emptyServer) args.push('-o', ASYNC_ON);
  args.push('-o', `gdb-remote 127.0.0.1:${port}`);
  if (opts.emptyServer) args.push('-o', AWAIT_CONNECTED, '-o', ASYNC_OFF);
  for (const c of commands) args.push('-o', c);
  if (program) args.push(program);
  const proc = track(spawn(LLDB, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
  const stdout = new Output(proc.stdout);
  const stderr = new Output(proc.stderr);
  return new Promise((resolve) => {
    proc.once('close', (code) =>
      resolve({
        code,
        stdout: stdout.text,
        stderr: stderr.text,
        sections: splitSections(stdout.text),
      }),
    );
  });
}

/** Removes what differs between servers or runs: addresses, pids, tids, timings. */
export function normalizeLldb(text: string): string {
  return text
    .split('\n')
    .map((l) =>
      l
        // Addresses, not small values such as `register read rax` after a write.
        .replace(/0x0*[1-9a-f][0-9a-f]{8,}\b/g, '0xADDR')
        .replace(/\b(Process|process|pid =|pid) \d+/g, '$1 N')
        .replace(/\btid = (0x[0-9a-f]+|\d+)/g, 'tid = TID')
        // Where in a one-line loop an interrupt lands decides the column, not the server.
        .replace(/(\.c:\d+):\d+\b/g, '$1')
        .replace(/\b\d+(\.\d+)? ?(ms|us|ns|seconds|sec)\b/g, 'T')
        .trim(),
    )
    .filter((l) => l !== '')
    .join('\n');
}

/** The normalised output of the `nth` (0-based) section for `command`. */
export function sectionOf(result: LldbResult, command: string, nth = 0): string {
  const s = result.sections.filter((x) => x.command === command)[nth];
  if (!s)
    throw new Error(`no section ${nth} for "${command}" in:\n${result.stdout}\n${result.stderr}`);
  return normalizeLldb(s.output);
}
