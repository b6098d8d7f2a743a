// One test file under runtest, in a job's own objdir. Every process of the run carries a mark in
// its environment (runtest, expect's gdb and server, their debuggees): after runtest ends, or
// when the file's time is up, whatever still carries the job's mark is killed by pid, so a hang
// or an orphaned debuggee cannot outlive its file.
import { spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';

export const MARK_VAR = 'NTRACE_GDBTS_MARK';

export interface RuntestJob {
  /** The job's objdir (site.exp is copied in). */
  dir: string;
  srcdir: string;
  configured: string;
  /** Unique per job and run. */
  mark: string;
  gdb: string;
  server: string;
}

export interface FileRun {
  sum: string;
  seconds: number;
  timedOut: boolean;
  /** Marked processes left once runtest had ended (their names). */
  leftovers: string[];
}

/** Processes whose environment holds `VAR=mark`. */
export function marked(mark: string): { pid: number; comm: string }[] {
  const needle = Buffer.from(`${MARK_VAR}=${mark}\0`);
  const out: { pid: number; comm: string }[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const env = readFileSync(`/proc/${e}/environ`);
      if (!env.includes(needle)) continue;
      out.push({ pid: Number(e), comm: readFileSync(`/proc/${e}/comm`, 'utf8').trim() });
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return out;
}

// DejaGnu closes a spawned program with a background `sh -c "kill -2 ...; sleep 5; kill ..."`
// that may outlive runtest: not a process the file left behind.
const DEJAGNU_CLOSER = new Set(['sh', 'sleep']);

/** Kills the marked processes; returns the names of those that are not DejaGnu's closer. */
function killMarked(mark: string): string[] {
  const procs = marked(mark);
  for (const { pid } of procs) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  return procs.filter((p) => !DEJAGNU_CLOSER.has(p.comm)).map((p) => p.comm);
}

export function prepareJob(job: RuntestJob): void {
  mkdirSync(job.dir, { recursive: true });
  copyFileSync(join(job.configured, 'site.exp'), join(job.dir, 'site.exp'));
}

/**
 * Runs `file` (e.g. gdb.base/jump.exp) on `board`; gdb.sum and gdb.log are moved to
 * `<save>.sum` / `<save>.log`.
 */
export async function runFile(
  job: RuntestJob,
  board: string,
  file: string,
  timeoutSec: number,
  save: string,
): Promise<FileRun> {
  for (const f of ['gdb.sum', 'gdb.log']) rmSync(join(job.dir, f), { force: true });
  const args = [
    '--tool',
    'gdb',
    '--srcdir',
    job.srcdir,
    `--target_board=${board}`,
    `GDB=${job.gdb}`,
    `GDBSERVER=${job.server}`,
    file,
  ];
  const started = process.hrtime.bigint();
  const child = spawn('runtest', args, {
    cwd: job.dir,
    env: { ...process.env, [MARK_VAR]: job.mark },
    stdio: 'ignore',
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killMarked(job.mark);
  }, timeoutSec * 1000);
  await new Promise<void>((resolve) => child.once('close', () => resolve()));
  clearTimeout(timer);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const leftovers = killMarked(job.mark);
  mkdirSync(dirname(save), { recursive: true });
  const sumPath = join(job.dir, 'gdb.sum');
  const sum = existsSync(sumPath) ? readFileSync(sumPath, 'utf8') : '';
  for (const f of ['sum', 'log']) {
    const p = join(job.dir, `gdb.${f}`);
    if (existsSync(p)) copyFileSync(p, `${save}.${f}`);
  }
  writeFileSync(`${save}.json`, `${JSON.stringify({ seconds, timedOut, leftovers })}\n`);
  // The compiled test programs are not needed after the file.
  rmSync(join(job.dir, 'outputs'), { recursive: true, force: true });
  return { sum, seconds, timedOut, leftovers: timedOut ? [] : leftovers };
}

/**
 * A file's run saved by an earlier invocation (`<save>.sum` with its `.json`, or with the
 * `.log` whose "completed in N seconds" gives the time), for --reuse.
 */
export function savedRun(save: string): FileRun | undefined {
  if (!existsSync(`${save}.sum`)) return undefined;
  const sum = readFileSync(`${save}.sum`, 'utf8');
  if (existsSync(`${save}.json`)) {
    const j = JSON.parse(readFileSync(`${save}.json`, 'utf8')) as Omit<FileRun, 'sum'>;
    return { sum, ...j };
  }
  const log = existsSync(`${save}.log`) ? readFileSync(`${save}.log`, 'utf8') : '';
  const m = /completed in (\d+) seconds/.exec(log);
  if (!m || !/=== gdb Summary ===/.test(sum)) return undefined;
  return { sum, seconds: Number(m[1]), timedOut: false, leftovers: [] };
}

/** Copies a saved run (its .sum, .log and .json) to another results directory. */
export function copySaved(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  for (const ext of ['sum', 'log', 'json']) {
    if (existsSync(`${from}.${ext}`)) copyFileSync(`${from}.${ext}`, `${to}.${ext}`);
  }
}
