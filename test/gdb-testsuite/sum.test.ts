import test from 'ava';
import { FlakyList, mergeRuns, resultsOf, toFileResults } from './baseline.js';
import { compareFile } from './compare.js';
import { normaliseName, parseSum, type Result } from './sum.js';

const SUM = `Test run by root on Sun Dec  6 13:09:08 2026
Running /src/gdb/testsuite/gdb.base/jump.exp ...
PASS: gdb.base/jump.exp: break before jump to non-call
PASS: gdb.base/jump.exp: jump to non-call
PASS: gdb.base/jump.exp: jump to non-call
FAIL: gdb.base/jump.exp: jump to call (timeout)
ERROR: Timeout waiting for gdbserver response.
UNSUPPORTED: gdb.base/jump.exp: needs a feature
DUPLICATE: gdb.base/jump.exp: jump to non-call

		=== gdb Summary ===
# of expected passes		3
`;

test('parseSum reads every status line and names the file of lines that name none', (t) => {
  const r = parseSum(SUM, 'gdb.base/jump.exp');
  t.deepEqual(
    r.map((x) => `${x.status} ${x.file}: ${x.name}`),
    [
      'PASS gdb.base/jump.exp: break before jump to non-call',
      'PASS gdb.base/jump.exp: jump to non-call',
      'PASS gdb.base/jump.exp: jump to non-call',
      'FAIL gdb.base/jump.exp: jump to call',
      'ERROR gdb.base/jump.exp: Timeout waiting for gdbserver response.',
      'UNSUPPORTED gdb.base/jump.exp: needs a feature',
      'DUPLICATE gdb.base/jump.exp: jump to non-call',
    ],
  );
});

test('names lose what differs between identical runs', (t) => {
  t.is(normaliseName('attach to process 12345'), 'attach to process <n>');
  t.is(normaliseName('x/i 0x7ffff7fe3290 shows it'), 'x/i 0x<addr> shows it');
  t.is(normaliseName('print 0x10'), 'print 0x10');
  t.is(
    normaliseName('file /root/.cache/x/job1/outputs/gdb.base/a/a loaded'),
    'file <outputs>/gdb.base/a/a loaded',
  );
  t.is(normaliseName('step into handler (timeout)'), 'step into handler');
  t.is(normaliseName('Thread 2 stopped'), 'Thread 2 stopped');
});

const F = 'gdb.base/x.exp';
function res(...lines: [Result['status'], string][]): Result[] {
  return lines.map(([status, name]) => ({ file: F, name, status }));
}

test('a regression is a gdbserver PASS we lack, duplicates counted', (t) => {
  const base = toFileResults(res(['PASS', 'a'], ['PASS', 'a'], ['PASS', 'b'], ['FAIL', 'c']), 3);
  const ours = toFileResults(res(['PASS', 'a'], ['FAIL', 'a'], ['PASS', 'c'], ['PASS', 'd']), 4);
  const c = compareFile(F, ours, base, new FlakyList(''));
  t.deepEqual(c.lost, [
    { name: 'a', count: 1, ours: 'FAIL' },
    { name: 'b', count: 1, ours: 'missing' },
  ]);
  t.is(c.lostCount, 2);
  t.is(c.gained, 2);
  t.is(c.oursPass, 3);
  t.is(c.oursFail, 1);
  t.is(c.basePass, 3);
  t.is(c.baseFail, 1);
});

test('a file of ours that timed out loses all of its gdbserver passes', (t) => {
  const base = toFileResults(res(['PASS', 'a'], ['PASS', 'b']), 3);
  const ours = toFileResults(res(['PASS', 'a']), 300, { timedOut: true });
  const c = compareFile(F, ours, base, new FlakyList(''));
  t.is(c.lostCount, 2);
  t.true(c.lost.every((l) => l.ours === 'timeout'));
  t.is(c.oursPass, 0);
});

test('flaky names count on neither side; a trailing * takes a prefix', (t) => {
  const flaky = new FlakyList(`# comment\n${F}: a\ngdb.base/x.exp: b *  # all b\n`);
  t.true(flaky.has(F, 'a'));
  t.false(flaky.has(F, 'ab'));
  t.true(flaky.has(F, 'b 2'));
  const base = toFileResults(res(['PASS', 'a'], ['PASS', 'b 1'], ['PASS', 'c']), 1);
  const ours = toFileResults(res(['FAIL', 'a'], ['FAIL', 'b 1'], ['PASS', 'c']), 1);
  const c = compareFile(F, ours, base, flaky);
  t.is(c.lostCount, 0);
  t.is(c.basePass, 1);
});

test('runs that disagree on a name report it as a flip; the first run is kept', (t) => {
  const r1 = toFileResults(res(['PASS', 'a'], ['PASS', 'b'], ['PASS', 'b']), 1);
  const r2 = toFileResults(res(['PASS', 'a'], ['PASS', 'b'], ['FAIL', 'b']), 2);
  const { merged, flips } = mergeRuns(F, [r1, r2]);
  t.deepEqual(flips, ['b']);
  t.deepEqual(resultsOf(F, merged), resultsOf(F, r1));
  t.is(merged.seconds, 2);
});
