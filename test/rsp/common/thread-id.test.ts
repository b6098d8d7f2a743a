import test from 'ava';
import fc from 'fast-check';
import {
  formatThreadId,
  parseThreadId,
  type ThreadId,
  threadIdEquals,
} from '../../../rsp/index.js';

test('plain thread ids: hex tid, -1 for all, 0 for any', (t) => {
  t.deepEqual(parseThreadId('1a2b'), { ok: true, value: { tid: 0x1a2b } });
  t.deepEqual(parseThreadId('-1'), { ok: true, value: { tid: 'all' } });
  t.deepEqual(parseThreadId('0'), { ok: true, value: { tid: 'any' } });
});

test('multiprocess thread ids', (t) => {
  t.deepEqual(parseThreadId('p1f.2a'), { ok: true, value: { pid: 0x1f, tid: 0x2a } });
  t.deepEqual(parseThreadId('p-1.-1'), { ok: true, value: { pid: 'all', tid: 'all' } });
  t.deepEqual(parseThreadId('p10.0'), { ok: true, value: { pid: 0x10, tid: 'any' } });
  // `p<pid>` alone means every thread of the process (GDB manual, thread-id syntax).
  t.deepEqual(parseThreadId('p10'), { ok: true, value: { pid: 0x10, tid: 'all' } });
});

test('malformed thread ids are errors', (t) => {
  for (const bad of ['', 'p', 'p.1', 'p1.', 'xyz', '-2', 'p1.2.3', '1 ', 'fffffffffffffff']) {
    t.false(parseThreadId(bad).ok, bad);
  }
});

test('formatting with and without multiprocess', (t) => {
  const id: ThreadId = { pid: 0x4d2, tid: 0x4d3 };
  t.is(formatThreadId(id, { multiprocess: true }), 'p4d2.4d3');
  t.is(formatThreadId(id, { multiprocess: false }), '4d3');
  t.is(formatThreadId({ tid: 'all' }, { multiprocess: false }), '-1');
  t.is(formatThreadId({ pid: 'all', tid: 'any' }, { multiprocess: true }), 'p-1.0');
  t.is(formatThreadId({ tid: 7 }, { multiprocess: true }), '7');
});

test('threadIdEquals compares both parts', (t) => {
  t.true(threadIdEquals({ pid: 1, tid: 2 }, { pid: 1, tid: 2 }));
  t.false(threadIdEquals({ pid: 1, tid: 2 }, { tid: 2 }));
});

const part = fc.oneof(
  fc.integer({ min: 1, max: 0x7fffffff }),
  fc.constant('all' as const),
  fc.constant('any' as const),
);

test('property: format then parse gives the same id', (t) => {
  fc.assert(
    fc.property(part, part, fc.boolean(), (pid, tid, multiprocess) => {
      const id: ThreadId = multiprocess ? { pid, tid } : { tid };
      const r = parseThreadId(formatThreadId(id, { multiprocess }));
      return r.ok && threadIdEquals(r.value, id);
    }),
  );
  t.pass();
});
