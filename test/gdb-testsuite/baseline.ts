// The stored gdbserver results (test/gdb-testsuite/baseline/<board>.json) and the flaky list.
// A baseline holds, per test file, gdbserver's time and its results by status, names sorted,
// a name repeated as often as it occurred; `--baseline` writes it from a gdbserver run.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { type Result, STATUSES, type Status, tally } from './sum.js';

export interface FileResults {
  /** Wall time of the file's runtest. */
  seconds: number;
  /** It hit the per-file timeout (its results are not taken). */
  timedOut?: boolean;
  /** Processes with the run's mark still alive after runtest ended (killed then). */
  leftovers?: number;
  results: Partial<Record<Status, string[]>>;
}

export interface Baseline {
  board: string;
  server: string;
  gdb: string;
  date: string;
  runs: number;
  /** The list the whole baseline was last made from, its wall time and jobs. */
  list?: string;
  wallSeconds?: number;
  jobs?: number;
  files: Record<string, FileResults>;
}

export function toFileResults(
  results: Result[],
  seconds: number,
  extra: Pick<FileResults, 'timedOut' | 'leftovers'> = {},
): FileResults {
  const by: Partial<Record<Status, string[]>> = {};
  for (const r of results) {
    const list = by[r.status] ?? [];
    list.push(r.name);
    by[r.status] = list;
  }
  for (const s of STATUSES) by[s]?.sort();
  return {
    seconds: Math.round(seconds * 10) / 10,
    ...(extra.timedOut ? { timedOut: true } : {}),
    ...(extra.leftovers ? { leftovers: extra.leftovers } : {}),
    results: by,
  };
}

/** The file's results as a flat list again. */
export function resultsOf(file: string, fr: FileResults): Result[] {
  const out: Result[] = [];
  for (const s of STATUSES)
    for (const name of fr.results[s] ?? []) out.push({ file, name, status: s });
  return out;
}

export function readBaseline(path: string): Baseline | undefined {
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as Baseline;
}

export function writeBaseline(path: string, b: Baseline): void {
  const files: Record<string, FileResults> = {};
  for (const f of Object.keys(b.files).sort()) files[f] = b.files[f]!;
  writeFileSync(path, `${JSON.stringify({ ...b, files }, null, 1)}\n`);
}

// DUPLICATE and PATH lines are remarks on test names, not results.
const COMPARED = STATUSES.filter((s) => s !== 'DUPLICATE' && s !== 'PATH');

/**
 * Results of several identical runs of one file: what every run agrees on, and the names whose
 * counts differ between runs (flaky). A run that timed out makes the whole file suspect: its
 * results are left out and the others kept.
 */
export function mergeRuns(
  file: string,
  runs: FileResults[],
): { merged: FileResults; flips: string[] } {
  const ok = runs.filter((r) => !r.timedOut);
  if (ok.length === 0) return { merged: runs[0]!, flips: [] };
  const tallies = ok.map((r) => tally(resultsOf(file, r)));
  const names = new Set<string>();
  for (const t of tallies) for (const n of t.keys()) names.add(n);
  const flips: string[] = [];
  const kept: Result[] = [];
  for (const name of names) {
    const sig = tallies.map((t) => COMPARED.map((s) => t.get(name)?.get(s) ?? 0).join(','));
    if (sig.some((s) => s !== sig[0])) flips.push(name);
    // Every run agrees, or the flip is recorded: keep the first run's results for the name.
    for (const [status, n] of tallies[0]!.get(name) ?? []) {
      for (let i = 0; i < n; i++) kept.push({ file, name, status });
    }
  }
  const seconds = Math.max(...ok.map((r) => r.seconds));
  const leftovers = Math.max(...ok.map((r) => r.leftovers ?? 0));
  return { merged: toFileResults(kept, seconds, { leftovers }), flips: flips.sort() };
}

/** Flaky list: `file: name` per line, `file: *` for every result of a file; `#` comments. */
export class FlakyList {
  private readonly exact = new Set<string>();
  private readonly prefixes: string[] = [];

  constructor(text: string) {
    for (const raw of text.split('\n')) {
      const line = raw.replace(/\s+#.*$/, '').trim();
      if (!line || line.startsWith('#')) continue;
      if (line.endsWith('*')) this.prefixes.push(line.slice(0, -1));
      else this.exact.add(line);
    }
  }

  static read(path: string): FlakyList {
    return new FlakyList(existsSync(path) ? readFileSync(path, 'utf8') : '');
  }

  has(file: string, name: string): boolean {
    const key = `${file}: ${name}`;
    return this.exact.has(key) || this.prefixes.some((p) => key.startsWith(p));
  }
}
