// Runs real gdb in batch mode against a server (ntrace-gdbserver, or gdbserver for the
// differential runs), the way rr's src/test/util.py drives gdb. Servers listen on port 0 and the
// port they print is read back; nothing here waits on wall time.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type ServerKind = 'ntrace' | 'gdbserver';

// Servers and gdbs still running when this test process ends (a failed or timed-out test) are
// killed, so no debuggee outlives the run.
const live = new Set<ChildProcess>();
function track(proc: ChildProcess): ChildProcess {
  live.add(proc);
  proc.once('exit', () => live.delete(proc));
  return proc;
}
function killLive(): void {
  for (const p of live) p.kill('SIGTERM');
}
process.once('exit', killLive);
for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.once(sig, () => {
    killLive();
    process.exit(1);
  });
}

/** dist/bin/ntrace-gdbserver.js (this file runs from dist/test/helpers). */
export const ntraceBin = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../bin/ntrace-gdbserver.js',
);

function installed(cmd: string): boolean {
  try {
    execFileSync(cmd, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const haveGdb = installed('gdb');
export const haveGdbserver = installed('gdbserver');

/** The servers every scenario runs against: ours always, gdbserver where installed. */
export function serverKinds(): ServerKind[] {
  return haveGdbserver ? ['ntrace', 'gdbserver'] : ['ntrace'];
}

/** Collects a child's output and lets callers wait for a line matching a pattern. */
export class Output {
  text = '';
  private waiters: { re: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  private ended = false;
  private endWaiters: (() => void)[] = [];

  constructor(stream: NodeJS.ReadableStream | null) {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      this.text += chunk;
      this.waiters = this.waiters.filter((w) => {
        const m = this.text.match(w.re);
        if (m) w.resolve(m);
        return !m;
      });
    });
    stream?.on('end', () => {
      this.ended = true;
      for (const w of this.endWaiters.splice(0)) w();
    });
  }

  /** Resolves with the first match of `re`, rejects if the stream ends without one. */
  waitFor(re: RegExp): Promise<RegExpMatchArray> {
    const m = this.text.match(re);
    if (m) return Promise.resolve(m);
    return new Promise((resolve, reject) => {
      if (this.ended) {
        reject(new Error(`stream ended without ${re}: ${this.text}`));
        return;
      }
      this.waiters.push({ re, resolve });
      this.endWaiters.push(() => {
        if (!this.text.match(re)) reject(new Error(`stream ended without ${re}:\n${this.text}`));
      });
    });
  }
}

export interface Server {
  kind: ServerKind;
  proc: ChildProcess;
  port: number;
  stdout: Output;
  stderr: Output;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

function exitOf(proc: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) resolve(proc.exitCode);
    else proc.once('exit', (code) => resolve(code));
  });
}

/** Starts a server on port 0 with `args` after the COMM argument (e.g. [prog] or ['--attach', pid]). */
export async function startServer(
  kind: ServerKind,
  args: string[],
  opts: { before?: string[] } = {},
): Promise<Server> {
  const before = opts.before ?? [];
  const proc = track(
    kind === 'ntrace'
      ? spawn(process.execPath, [ntraceBin, ...before, ':0', ...args], {
          stdio: ['ignore', 'pipe', 'pipe'],
        })
      : spawn('gdbserver', [...before, ':0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] }),
  );
  const stdout = new Output(proc.stdout);
  const stderr = new Output(proc.stderr);
  const exited = exitOf(proc);
  const m = await Promise.race([
    stderr.waitFor(/Listening on port (\d+)/),
    exited.then((code) => {
      throw new Error(`${kind} exited (${code}) before listening:\n${stderr.text}`);
    }),
  ]);
  return {
    kind,
    proc,
    port: Number(m[1]),
    stdout,
    stderr,
    exited,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}

export interface GdbResult {
  stdout: string;
  stderr: string;
  code: number | null;
}

export interface GdbRun {
  proc: ChildProcess;
  stdout: Output;
  stderr: Output;
  done: Promise<GdbResult>;
}

/**
 * Starts `gdb -batch -nx` on `program`, connects with `target` (default: remote to `port`) and
 * runs `commands`, one -ex each.
 */
export function spawnGdb(program: string | undefined, target: string, commands: string[]): GdbRun {
  const args = [
    '-batch',
    '-nx',
    '-ex',
    'set confirm off',
    '-ex',
    'set pagination off',
    '-ex',
    'set width 0',
    // gdb's default 2 s for a reply: under load a server started through a pipe (`target
    // remote | ...`, gdbserver's too) can take longer to answer the first qSupported; gdb then
    // sends it again and reads the replies out of step ("Remote replied unexpectedly").
    '-ex',
    'set remotetimeout 30',
  ];
  args.push('-ex', target);
  for (const c of commands) args.push('-ex', c);
  if (program) args.push(program);
  const proc = track(spawn('gdb', args, { stdio: ['ignore', 'pipe', 'pipe'] }));
  const stdout = new Output(proc.stdout);
  const stderr = new Output(proc.stderr);
  const done = exitOf(proc).then(async (code) => {
    await Promise.all([
      new Promise((r) => (proc.stdout?.readableEnded ? r(0) : proc.stdout?.once('end', r))),
      new Promise((r) => (proc.stderr?.readableEnded ? r(0) : proc.stderr?.once('end', r))),
    ]);
    return { stdout: stdout.text, stderr: stderr.text, code };
  });
  return { proc, stdout, stderr, done };
}

export function runGdb(
  program: string | undefined,
  port: number,
  commands: string[],
): Promise<GdbResult> {
  return spawnGdb(program, `target remote 127.0.0.1:${port}`, commands).done;
}

/**
 * Removes what legitimately differs between two servers or two runs: addresses, pids, thread
 * ids, banners and connection chatter.
 */
export function normalize(out: string): string {
  return out
    .split('\n')
    .filter(
      (l) =>
        !/^(Remote debugging using|Reading |warning: |Download failed|Downloading|Detaching from program|Remote communication error|Ending remote debugging|Remote connection closed|Sending packet|Packet received)/.test(
          l,
        ) && l.trim() !== '',
    )
    .map((l) =>
      l
        .replace(/0x[0-9a-f]{6,}/g, '0xADDR')
        .replace(/\btarget:\//g, '/')
        .replace(/(process|pid|LWP|Thread) \d+(\.\d+)?/g, '$1 N')
        .replace(/Thread 0xADDR/g, 'Thread N')
        .replace(/\bp[0-9a-f]+\.[0-9a-f]+\b/g, 'pN.N'),
    )
    .join('\n');
}

export interface ScenarioRun {
  kind: ServerKind;
  gdb: GdbResult;
  server: Server;
  /** gdb's stdout, normalised. */
  out: string;
}

/**
 * Starts `kind` on `program` (+ args), runs gdb with `commands`, waits for both to finish and
 * returns what they printed. The server is stopped (and its debuggee with it) afterwards.
 */
export async function runScenario(
  kind: ServerKind,
  program: string,
  commands: string[],
  opts: { args?: string[]; serverArgs?: string[] } = {},
): Promise<ScenarioRun> {
  const server = await startServer(kind, [program, ...(opts.args ?? [])], {
    before: ['--once', ...(opts.serverArgs ?? [])],
  });
  try {
    const gdb = await runGdb(program, server.port, commands);
    await server.stop();
    return { kind, gdb, server, out: normalize(gdb.stdout) };
  } catch (err) {
    await server.stop();
    throw err;
  }
}
