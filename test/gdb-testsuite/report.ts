// Text for the terminal and for RESULTS.md from the per-board comparisons.
import type { BoardTotals, FileComparison } from './compare.js';

export interface BoardReport {
  board: string;
  files: FileComparison[];
  totals: BoardTotals;
  /** Wall time of the board's run. */
  wallSeconds: number;
  /** gdbserver's wall time when the baseline was made, if recorded. */
  baseWallSeconds?: number;
}

export function minutes(sec: number): string {
  const m = Math.floor(sec / 60);
  const s = Math.round(sec - m * 60);
  return `${m}m${String(s).padStart(2, '0')}s`;
}

export function boardLine(r: BoardReport): string {
  const t = r.totals;
  return (
    `${r.board}: ${t.files} files; ours ${t.oursPass} PASS, ${t.oursFail} FAIL; ` +
    `gdbserver ${t.basePass} PASS, ${t.baseFail} FAIL; ${t.lost} of gdbserver's passes lost ` +
    `in ${t.filesWithLosses} files` +
    (t.timedOut ? ` (${t.timedOut} timed out)` : '') +
    `; ${t.gained} new passes; ${minutes(r.wallSeconds)}`
  );
}

/** Regressions by file and name; at most `perFile` names each (0: all). */
export function regressionText(r: BoardReport, perFile: number): string {
  const lines: string[] = [];
  for (const c of [...r.files].sort((a, b) => b.lostCount - a.lostCount)) {
    if (c.lostCount === 0) continue;
    lines.push(`  ${c.file}: ${c.lostCount} lost${c.timedOut ? ' (timed out)' : ''}`);
    const shown = perFile > 0 ? c.lost.slice(0, perFile) : c.lost;
    for (const l of shown)
      lines.push(`    ${l.name}${l.count > 1 ? ` x${l.count}` : ''} [${l.ours}]`);
    if (shown.length < c.lost.length) lines.push(`    ... ${c.lost.length - shown.length} more`);
  }
  return lines.join('\n');
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|');
}

export interface ResultsMeta {
  date: string;
  commit: string;
  list: string;
  gdb: string;
  jobs: number;
}

/** RESULTS.md: totals beside gdbserver's, then the regressions per file and board. */
export function resultsMarkdown(meta: ResultsMeta, boards: BoardReport[]): string {
  const out: string[] = [];
  out.push('# gdb testsuite: ntrace-gdbserver beside gdbserver');
  out.push('');
  out.push(
    `Run on ${meta.date} at commit \`${meta.commit}\`, list \`${meta.list}\`, gdb ${meta.gdb}, ` +
      `${meta.jobs} jobs, by \`npm run test:gdb-testsuite\` (see the README's testing section). ` +
      'A regression is a gdbserver PASS (by file and test name, counted) that is not a PASS with ours; flaky names (test/gdb-testsuite/flaky.txt) are left out of every count.',
  );
  out.push('');
  out.push(
    '| board | files | ours PASS | ours FAIL | gdbserver PASS | gdbserver FAIL | passes lost | files with losses | timed out | new passes | ours time | gdbserver time |',
  );
  out.push('| --- | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: |');
  for (const b of boards) {
    const t = b.totals;
    out.push(
      `| ${b.board} | ${t.files} | ${t.oursPass} | ${t.oursFail} | ${t.basePass} | ${t.baseFail} | ${t.lost} | ${t.filesWithLosses} | ${t.timedOut} | ${t.gained} | ${minutes(t.seconds)} | ${minutes(t.baseSeconds)} |`,
    );
  }
  out.push('');
  out.push(
    "Times are the sum of the files' runtest times (divide by the jobs for wall time). FAIL counts FAIL, UNRESOLVED and ERROR results.",
  );
  out.push('');
  out.push('## Regressions per file');
  out.push('');
  const files = new Set<string>();
  for (const b of boards) for (const c of b.files) if (c.lostCount > 0) files.add(c.file);
  if (files.size === 0) out.push('None.');
  else {
    out.push(`| test file | ${boards.map((b) => `${b.board} lost`).join(' | ')} |`);
    out.push(`| --- | ${boards.map(() => '--:').join(' | ')} |`);
    const lostOf = (b: BoardReport, f: string): number =>
      b.files.find((c) => c.file === f)?.lostCount ?? 0;
    const sorted = [...files].sort(
      (x, y) =>
        boards.reduce((n, b) => n + lostOf(b, y), 0) - boards.reduce((n, b) => n + lostOf(b, x), 0),
    );
    for (const f of sorted) {
      const cells = boards.map((b) => {
        const c = b.files.find((x) => x.file === f);
        if (!c) return '-';
        return `${c.lostCount}${c.timedOut ? ' (timeout)' : ''}`;
      });
      out.push(`| ${f} | ${cells.join(' | ')} |`);
    }
  }
  for (const b of boards) {
    if (b.totals.lost === 0) continue;
    out.push('');
    out.push(`### ${b.board}: lost passes by name`);
    out.push('');
    out.push('Our result in brackets (`missing`: the test did not run with ours).');
    out.push('');
    out.push('```');
    out.push(regressionText(b, 15));
    out.push('```');
  }
  out.push('');
  out.push('## Failing with gdbserver too');
  out.push('');
  out.push(
    'Files where gdbserver itself has FAIL/UNRESOLVED/ERROR results (the baseline), per board:',
  );
  out.push('');
  for (const b of boards) {
    const bad = b.files.filter((c) => c.baseFail > 0).map((c) => `${c.file} (${c.baseFail})`);
    out.push(`- ${b.board}: ${bad.length ? bad.map(cell).join(', ') : 'none'}`);
  }
  const slow = boards.flatMap((b) =>
    b.files
      .filter((c) => c.baseSeconds !== undefined && c.seconds > 2 * c.baseSeconds + 20)
      .map(
        (c) =>
          `${b.board} ${c.file}: ${Math.round(c.seconds)} s (gdbserver ${Math.round(c.baseSeconds!)} s)`,
      ),
  );
  out.push('');
  out.push('## Files much slower with ours');
  out.push('');
  out.push(slow.length ? slow.map((s) => `- ${s}`).join('\n') : 'None.');
  const left = boards.flatMap((b) =>
    b.files.filter((c) => c.leftovers > 0).map((c) => `${b.board} ${c.file}: ${c.leftovers}`),
  );
  if (left.length) {
    out.push('');
    out.push('## Processes left behind after runtest ended (killed by the runner)');
    out.push('');
    out.push(left.map((s) => `- ${s}`).join('\n'));
  }
  out.push('');
  return out.join('\n');
}
