// One board's results beside gdbserver's baseline: a regression is a gdbserver PASS (by "file:
// name", counted) that is not a PASS with us. A file of ours that hit the timeout loses all of
// gdbserver's passes in it. Flaky names count on neither side.
import { type FileResults, type FlakyList, resultsOf } from './baseline.js';
import { count, FAILING, type Status, tally } from './sum.js';

export interface Lost {
  name: string;
  /** How many of gdbserver's passes under this name we lack. */
  count: number;
  /** What we had instead, e.g. "FAIL", "FAIL x2, UNRESOLVED", "missing", "timeout". */
  ours: string;
}

export interface FileComparison {
  file: string;
  oursPass: number;
  oursFail: number;
  basePass: number;
  baseFail: number;
  lost: Lost[];
  lostCount: number;
  /** Names we pass and gdbserver does not. */
  gained: number;
  timedOut: boolean;
  noBaseline: boolean;
  seconds: number;
  baseSeconds: number | undefined;
  leftovers: number;
}

function sumOf(t: ReturnType<typeof tally>, statuses: (s: Status) => boolean): number {
  let n = 0;
  for (const m of t.values()) for (const [s, c] of m) if (statuses(s)) n += c;
  return n;
}

/** Drops flaky names. */
function counted(file: string, fr: FileResults, flaky: FlakyList): ReturnType<typeof tally> {
  return tally(resultsOf(file, fr).filter((r) => !flaky.has(file, r.name)));
}

export function compareFile(
  file: string,
  ours: FileResults,
  base: FileResults | undefined,
  flaky: FlakyList,
): FileComparison {
  const o = ours.timedOut ? tally([]) : counted(file, ours, flaky);
  const b = base && !base.timedOut ? counted(file, base, flaky) : tally([]);
  const lost: Lost[] = [];
  let gained = 0;
  for (const [name, m] of b) {
    const want = m.get('PASS') ?? 0;
    const have = count(o, name, 'PASS');
    if (want <= have) continue;
    let what: string;
    if (ours.timedOut) what = 'timeout';
    else {
      const other = [...(o.get(name) ?? new Map<Status, number>())]
        .filter(([s]) => s !== 'PASS' && s !== 'DUPLICATE' && s !== 'PATH')
        .map(([s, c]) => (c > 1 ? `${s} x${c}` : s));
      what = other.length ? other.join(', ') : 'missing';
    }
    lost.push({ name, count: want - have, ours: what });
  }
  for (const [name, m] of o) if ((m.get('PASS') ?? 0) > count(b, name, 'PASS')) gained++;
  return {
    file,
    oursPass: sumOf(o, (s) => s === 'PASS'),
    oursFail: ours.timedOut ? 1 : sumOf(o, (s) => FAILING.has(s)),
    basePass: sumOf(b, (s) => s === 'PASS'),
    baseFail: sumOf(b, (s) => FAILING.has(s)),
    lost,
    lostCount: lost.reduce((n, l) => n + l.count, 0),
    gained,
    timedOut: ours.timedOut === true,
    noBaseline: base === undefined,
    seconds: ours.seconds,
    baseSeconds: base?.seconds,
    leftovers: ours.leftovers ?? 0,
  };
}

export interface BoardTotals {
  files: number;
  oursPass: number;
  oursFail: number;
  basePass: number;
  baseFail: number;
  lost: number;
  filesWithLosses: number;
  timedOut: number;
  gained: number;
  seconds: number;
  baseSeconds: number;
}

export function totals(cmp: FileComparison[]): BoardTotals {
  const t: BoardTotals = {
    files: cmp.length,
    oursPass: 0,
    oursFail: 0,
    basePass: 0,
    baseFail: 0,
    lost: 0,
    filesWithLosses: 0,
    timedOut: 0,
    gained: 0,
    seconds: 0,
    baseSeconds: 0,
  };
  for (const c of cmp) {
    t.oursPass += c.oursPass;
    t.oursFail += c.oursFail;
    t.basePass += c.basePass;
    t.baseFail += c.baseFail;
    t.lost += c.lostCount;
    if (c.lostCount > 0) t.filesWithLosses++;
    if (c.timedOut) t.timedOut++;
    t.gained += c.gained;
    t.seconds += c.seconds;
    t.baseSeconds += c.baseSeconds ?? 0;
  }
  return t;
}
