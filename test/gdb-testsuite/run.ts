// npm run test:gdb-testsuite: gdb's own testsuite (Debian's gdb source package) run against
// ntrace-gdbserver on the native-gdbserver and native-extended-gdbserver boards, each result
// compared with gdbserver's stored baseline. Ends with `N passed, N failed`: our passes, and
// gdbserver's passes we lost (regressions). `--baseline` remakes the baseline with gdbserver.
import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  mkdirSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import {
  type Baseline,
  type FileResults,
  FlakyList,
  mergeRuns,
  readBaseline,
  toFileResults,
  writeBaseline,
} from './baseline.js';
import { compareFile, totals } from './compare.js';
import { expandFiles, readList } from './lists.js';
import { type BoardReport, boardLine, minutes, regressionText, resultsMarkdown } from './report.js';
import { copySaved, prepareJob, type RuntestJob, runFile, savedRun } from './runtest.js';
import {
  defaultCacheDir,
  ensureTools,
  installedGdbVersion,
  prepare,
  sourceTree,
} from './source.js';
import { parseSum } from './sum.js';

const HERE = join(dirname(fileURLToPath(import.meta.url)));
/** The repository root (this file runs from dist/test/gdb-testsuite/). */
const ROOT = resolve(HERE, '..', '..', '..');
const SUITE = join(ROOT, 'test', 'gdb-testsuite');
const BOARDS = ['native-gdbserver', 'native-extended-gdbserver'];

const argv = yargs(hideBin(process.argv))
  .scriptName('test:gdb-testsuite')
  .usage('$0 [options]: gdb testsuite files against ntrace-gdbserver, compared with gdbserver')
  .option('list', {
    type: 'string',
    default: 'full',
    describe: 'list name in test/gdb-testsuite/lists/ (full, ci) or a path',
  })
  .option('files', { type: 'string', describe: 'comma-separated test files (globs allowed)' })
  .option('board', {
    type: 'string',
    default: 'both',
    describe: 'native-gdbserver, native-extended-gdbserver or both',
  })
  .option('server', {
    type: 'string',
    default: 'ours',
    describe: 'ours, gdbserver, or a server program',
  })
  .option('baseline', {
    type: 'boolean',
    default: false,
    describe: 'run gdbserver and store its results as the baseline for the files run',
  })
  .option('runs', {
    type: 'number',
    default: 1,
    describe: 'with --baseline: runs per file; names that differ go to flaky.txt',
  })
  .option('baseline-dir', { type: 'string', default: join(SUITE, 'baseline') })
  .option('jobs', { type: 'number', default: 2, describe: 'files run at once' })
  .option('timeout', {
    type: 'number',
    describe: "seconds per file (default: 4x gdbserver's time, at least 240; 900 without one)",
  })
  .option('gdb', { type: 'string', default: '/usr/bin/gdb' })
  .option('src', {
    type: 'string',
    describe: 'unpacked gdb source tree (default: $GDB_TESTSUITE_SRC, else fetched)',
  })
  .option('out', { type: 'string', describe: 'results directory (default: under the cache)' })
  .option('reuse', {
    type: 'string',
    describe: "an earlier run's results directory: files it finished are taken from it",
  })
  .option('reuse-only', {
    type: 'boolean',
    default: false,
    describe: 'with --reuse: run nothing, report the files it finished',
  })
  .option('write-results', {
    type: 'string',
    describe: 'write a RESULTS.md there (e.g. test/gdb-testsuite/RESULTS.md)',
  })
  .option('show', { type: 'number', default: 10, describe: 'lost names shown per file (0: all)' })
  .strict()
  .help()
  .parseSync();

const log = (line: string): void => {
  process.stderr.write(`gdb-testsuite: ${line}\n`);
};

function serverProgram(out: string): { program: string; label: string } {
  const which = argv.baseline ? 'gdbserver' : argv.server;
  if (which === 'gdbserver') return { program: '/usr/bin/gdbserver', label: 'gdbserver' };
  if (which !== 'ours') return { program: resolve(which), label: which };
  // dist/bin/*.js is not executable; runtest needs a program.
  const wrapper = join(out, 'ntrace-gdbserver');
  writeFileSync(
    wrapper,
    `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, 'dist', 'bin', 'ntrace-gdbserver.js')}" "$@"\n`,
  );
  chmodSync(wrapper, 0o755);
  return { program: wrapper, label: 'ours' };
}

/** Keeps the newest results directories, and any of the last day (a run may be going on). */
function prune(resultsRoot: string, keep: number): void {
  let dirs: string[];
  try {
    dirs = readdirSync(resultsRoot).sort();
  } catch {
    return;
  }
  const dayAgo = Date.now() - 24 * 3600 * 1000;
  for (const d of dirs.slice(0, Math.max(0, dirs.length - keep))) {
    const p = join(resultsRoot, d);
    if (statSync(p).mtimeMs < dayAgo) rmSync(p, { recursive: true, force: true });
  }
}

function gitCommit(): string {
  try {
    const head = execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
    }).trim();
    const dirty = execFileSync(
      'git',
      ['-C', ROOT, 'status', '--porcelain', '--untracked-files=no'],
      {
        encoding: 'utf8',
      },
    ).trim();
    return dirty ? `${head} (with uncommitted changes)` : head;
  } catch {
    return 'unknown';
  }
}

interface Task {
  board: string;
  file: string;
  run: number;
}

async function main(): Promise<number> {
  const cache = defaultCacheDir();
  ensureTools(log);
  const src = argv.src ?? process.env.GDB_TESTSUITE_SRC ?? sourceTree(cache, log);
  const suite = prepare(src, cache, log);
  const gdbVersion = installedGdbVersion();

  const listName = argv.files ? 'files' : argv.list;
  const files = argv.files
    ? expandFiles(
        argv.files
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
        suite.srcdir,
      )
    : readList(argv.list.includes('/') ? argv.list : join(SUITE, 'lists', `${argv.list}.txt`));
  const boards = argv.board === 'both' ? BOARDS : argv.board.split(',');
  for (const b of boards) if (!BOARDS.includes(b)) throw new Error(`unknown board ${b}`);

  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const resultsRoot = join(cache, 'results');
  if (!argv.out) prune(resultsRoot, 6);
  const out = argv.out ? resolve(argv.out) : join(resultsRoot, `${stamp}-${process.pid}`);
  mkdirSync(out, { recursive: true });
  const server = serverProgram(out);
  log(
    `${files.length} files, boards ${boards.join(', ')}, server ${server.label}; results in ${out}`,
  );

  const baselines = new Map<string, Baseline | undefined>();
  for (const b of boards) baselines.set(b, readBaseline(join(argv['baseline-dir'], `${b}.json`)));
  const flaky = FlakyList.read(join(SUITE, 'flaky.txt'));
  const runs = argv.baseline ? Math.max(1, argv.runs) : 1;

  const jobs: RuntestJob[] = [];
  for (let i = 0; i < Math.max(1, argv.jobs); i++) {
    const job: RuntestJob = {
      dir: join(out, `job${i}`),
      srcdir: suite.srcdir,
      configured: suite.configured,
      mark: `${stamp}-${process.pid}-${i}`,
      gdb: argv.gdb,
      server: server.program,
    };
    prepareJob(job);
    jobs.push(job);
  }

  const got = new Map<string, FileResults[]>(); // board + file -> runs
  const reports: BoardReport[] = [];
  const newFlips: string[] = [];
  let failed = 0;
  let passed = 0;

  for (const board of boards) {
    const base = baselines.get(board);
    const baseSec = (f: string): number | undefined => base?.files[f]?.seconds;
    // Longest first, so the two jobs end close together.
    const order = [...files].sort((a, b) => (baseSec(b) ?? 1e9) - (baseSec(a) ?? 1e9));
    const queue: Task[] = [];
    for (let r = 0; r < runs; r++) for (const file of order) queue.push({ board, file, run: r });
    const total = queue.length;
    let done = 0;
    const started = Date.now();
    const worker = async (job: RuntestJob): Promise<void> => {
      for (let task = queue.shift(); task; task = queue.shift()) {
        const bs = baseSec(task.file);
        const limit = argv.timeout ?? (bs !== undefined ? Math.max(240, 4 * bs) : 900);
        const save = join(out, board, `${task.file}${runs > 1 ? `.run${task.run}` : ''}`);
        const from = argv.reuse
          ? join(resolve(argv.reuse), board, `${task.file}${runs > 1 ? `.run${task.run}` : ''}`)
          : undefined;
        const old = from ? savedRun(from) : undefined;
        if (from && old) copySaved(from, save);
        if (!old && argv['reuse-only']) {
          done++;
          continue;
        }
        const r = old ?? (await runFile(job, board, task.file, limit, save));
        const results = r.timedOut ? [] : parseSum(r.sum, task.file);
        const fr = toFileResults(results, r.seconds, {
          timedOut: r.timedOut,
          leftovers: r.leftovers.length,
        });
        const key = `${board} ${task.file}`;
        got.set(key, [...(got.get(key) ?? []), fr]);
        done++;
        const pass = fr.results.PASS?.length ?? 0;
        const fail = fr.results.FAIL?.length ?? 0;
        let note = r.timedOut ? ` TIMEOUT after ${limit}s` : '';
        if (old) note += ' (reused)';
        if (r.leftovers.length) note += ` (left behind, killed: ${r.leftovers.join(' ')})`;
        if (!argv.baseline && base) {
          const c = compareFile(task.file, fr, base.files[task.file], flaky);
          note += c.noBaseline ? ' (no baseline)' : c.lostCount ? ` LOST ${c.lostCount}` : '';
        }
        log(
          `[${done}/${total}] ${board} ${task.file}: ${pass} PASS, ${fail} FAIL, ` +
            `${r.seconds.toFixed(1)}s${note}`,
        );
      }
    };
    await Promise.all(jobs.map((j) => worker(j)));
    const wall = (Date.now() - started) / 1000;

    if (argv.baseline) {
      const b: Baseline = base ?? {
        board,
        server: '',
        gdb: '',
        date: '',
        runs,
        files: {},
      };
      b.server = `gdbserver ${gdbVersion}`;
      b.gdb = gdbVersion;
      b.date = new Date().toISOString().slice(0, 10);
      b.runs = runs;
      if (!argv.files) {
        b.list = listName;
        b.wallSeconds = Math.round(wall / runs); // one run's, to set beside ours
        b.jobs = jobs.length;
      }
      for (const file of files) {
        const { merged, flips } = mergeRuns(file, got.get(`${board} ${file}`) ?? []);
        b.files[file] = merged;
        for (const name of flips) {
          if (!flaky.has(file, name)) newFlips.push(`${file}: ${name}`);
        }
      }
      mkdirSync(argv['baseline-dir'], { recursive: true });
      writeBaseline(join(argv['baseline-dir'], `${board}.json`), b);
      log(`${board}: baseline of ${files.length} files written in ${minutes(wall)}`);
      continue;
    }

    const cmp = files
      .filter((f) => got.has(`${board} ${f}`))
      .map((f) => compareFile(f, got.get(`${board} ${f}`)![0]!, base?.files[f], flaky));
    const report: BoardReport = {
      board,
      files: cmp,
      totals: totals(cmp),
      wallSeconds: wall,
      ...(base?.wallSeconds && base.list === listName ? { baseWallSeconds: base.wallSeconds } : {}),
    };
    reports.push(report);
    writeFileSync(join(out, `regressions-${board}.txt`), `${regressionText(report, 0)}\n`);
    writeFileSync(join(out, `results-${board}.json`), `${JSON.stringify(report, null, 1)}\n`);
    passed += report.totals.oursPass;
    failed += report.totals.lost;
  }

  if (argv.baseline) {
    const unique = [...new Set(newFlips)];
    if (unique.length) {
      const header = `\n# Differed between ${runs} identical gdbserver runs (--baseline, ${new Date().toISOString().slice(0, 10)}):\n`;
      appendFileSync(join(SUITE, 'flaky.txt'), header + unique.map((l) => `${l}\n`).join(''));
      log(`${unique.length} flaky names added to test/gdb-testsuite/flaky.txt`);
    }
    return 0;
  }

  console.log('');
  for (const r of reports) {
    console.log(boardLine(r));
    const text = regressionText(r, argv.show);
    if (text) console.log(`Regressions against gdbserver on ${r.board}:\n${text}`);
  }
  if (argv['write-results']) {
    const md = resultsMarkdown(
      {
        date: new Date().toISOString().slice(0, 10),
        commit: gitCommit(),
        list: listName,
        gdb: gdbVersion,
        jobs: jobs.length,
      },
      reports,
    );
    writeFileSync(argv['write-results'], md);
    log(`wrote ${argv['write-results']}`);
  }
  console.log(`gdb-testsuite: ${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    log((err as Error).message);
    process.exit(2);
  },
);
