// DejaGnu's gdb.sum: one line per result, `STATUS: gdb.dir/file.exp: test name`. Names are
// keyed by "file: name" after taking out what differs from run to run (pids, addresses, the
// objdir's paths); the same name may occur several times in a file, so results are counted.

export const STATUSES = [
  'PASS',
  'FAIL',
  'XFAIL',
  'XPASS',
  'KFAIL',
  'KPASS',
  'UNRESOLVED',
  'UNTESTED',
  'UNSUPPORTED',
  'ERROR',
  'DUPLICATE',
  'PATH',
] as const;
export type Status = (typeof STATUSES)[number];

export interface Result {
  file: string;
  name: string;
  status: Status;
}

/** What counts as a failure in the raw totals of either server. */
export const FAILING: ReadonlySet<Status> = new Set<Status>(['FAIL', 'UNRESOLVED', 'ERROR']);

const LINE = new RegExp(`^(${STATUSES.join('|')}): (.*)$`);
const FILE_PART = /^(gdb\.[\w.+-]+\/[^:\s]+\.exp)(?:: (.*))?$/;
// gdb's testsuite appends why a test failed to its name; the PASS of the same test has none.
const FAIL_SUFFIX = / \((?:timeout|eof|GDB internal error|PRMS: [^)]*)\)$/;

/**
 * The name without what varies between identical runs: absolute paths (the objdir's and the
 * source tree's), pids and LWP ids, long hexadecimal addresses.
 */
export function normaliseName(name: string): string {
  return name
    .replace(FAIL_SUFFIX, '')
    .replace(/\/\S*\/outputs\//g, '<outputs>/')
    .replace(/\/\S*\/gdb\/testsuite\//g, '<srcdir>/')
    .replace(/\b0x[0-9a-f]{5,}\b/gi, '0x<addr>')
    .replace(/\b(process|pid|LWP|lwp) [0-9]+\b/g, '$1 <n>')
    .trim();
}

/**
 * Results of one .sum text; `file` (e.g. gdb.base/jump.exp) is used for lines that name none,
 * such as runtest's `ERROR: ...`.
 */
export function parseSum(text: string, file: string): Result[] {
  const out: Result[] = [];
  for (const line of text.split('\n')) {
    const m = LINE.exec(line.trimEnd());
    if (!m) continue;
    const status = m[1] as Status;
    const rest = m[2]!;
    const f = FILE_PART.exec(rest);
    if (f) out.push({ file: f[1]!, name: normaliseName(f[2] ?? ''), status });
    else out.push({ file, name: normaliseName(rest), status });
  }
  return out;
}

/** Per key ("name" within a file), how many results of each status. */
export type Tally = Map<string, Map<Status, number>>;

export function tally(results: Result[]): Tally {
  const t: Tally = new Map();
  for (const r of results) {
    let m = t.get(r.name);
    if (!m) {
      m = new Map();
      t.set(r.name, m);
    }
    m.set(r.status, (m.get(r.status) ?? 0) + 1);
  }
  return t;
}

export function count(t: Tally, name: string, status: Status): number {
  return t.get(name)?.get(status) ?? 0;
}
