import test from 'ava';
import fc from 'fast-check';
import { formatThreadId, type ThreadId, type VContAction } from '../../../rsp/index.js';
import { parse } from '../parse.js';

test('every action letter', (t) => {
  t.deepEqual(parse('vCont;c'), { kind: 'vcont', actions: [{ type: 'continue' }] });
  t.deepEqual(parse('vCont;C0b'), { kind: 'vcont', actions: [{ type: 'continue', signal: 11 }] });
  t.deepEqual(parse('vCont;s'), { kind: 'vcont', actions: [{ type: 'step' }] });
  t.deepEqual(parse('vCont;S05'), { kind: 'vcont', actions: [{ type: 'step', signal: 5 }] });
  t.deepEqual(parse('vCont;t'), { kind: 'vcont', actions: [{ type: 'stop' }] });
  t.deepEqual(parse('vCont;r401000,401010'), {
    kind: 'vcont',
    actions: [{ type: 'range-step', start: 0x401000n, end: 0x401010n }],
  });
});

test('thread ids on actions, leftmost first', (t) => {
  t.deepEqual(parse('vCont;s:p4d2.4d3;c'), {
    kind: 'vcont',
    actions: [{ type: 'step', thread: { pid: 0x4d2, tid: 0x4d3 } }, { type: 'continue' }],
  });
  t.deepEqual(parse('vCont;r10,20:5;C02:-1'), {
    kind: 'vcont',
    actions: [
      { type: 'range-step', start: 0x10n, end: 0x20n, thread: { tid: 5 } },
      { type: 'continue', signal: 2, thread: { tid: 'all' } },
    ],
  });
});

test('malformed vCont', (t) => {
  for (const p of [
    'vCont',
    'vCont;',
    'vCont;;c',
    'vCont;x',
    'vCont;c1',
    'vCont;C',
    'vCont;C100',
    'vCont;s:',
    'vCont;s:q',
    'vCont;r10',
    'vCont;r10,',
    'vCont;rzz,10',
    'vCont;c;',
    'vContc',
  ]) {
    t.is(parse(p).kind, 'malformed', p);
  }
});

const thread = fc.option(
  fc.record({
    pid: fc.integer({ min: 1, max: 1 << 22 }),
    tid: fc.integer({ min: 1, max: 1 << 22 }),
  }),
  { nil: undefined },
);
const action: fc.Arbitrary<VContAction> = fc
  .tuple(
    fc.oneof(
      fc.constant({ type: 'continue' as const }),
      fc.integer({ min: 0, max: 255 }).map((signal) => ({ type: 'continue' as const, signal })),
      fc.constant({ type: 'step' as const }),
      fc.integer({ min: 0, max: 255 }).map((signal) => ({ type: 'step' as const, signal })),
      fc.constant({ type: 'stop' as const }),
      fc
        .tuple(
          fc.bigInt({ min: 0n, max: (1n << 48n) - 1n }),
          fc.bigInt({ min: 0n, max: (1n << 48n) - 1n }),
        )
        .map(([start, end]) => ({ type: 'range-step' as const, start, end })),
    ),
    thread,
  )
  .map(([a, th]) => (th ? { ...a, thread: th as ThreadId } : a));

function format(a: VContAction): string {
  let s: string;
  switch (a.type) {
    case 'continue':
      s = a.signal === undefined ? 'c' : `C${a.signal.toString(16).padStart(2, '0')}`;
      break;
    case 'step':
      s = a.signal === undefined ? 's' : `S${a.signal.toString(16).padStart(2, '0')}`;
      break;
    case 'stop':
      s = 't';
      break;
    case 'range-step':
      s = `r${a.start.toString(16)},${a.end.toString(16)}`;
      break;
  }
  return a.thread ? `${s}:${formatThreadId(a.thread, { multiprocess: true })}` : s;
}

test('property: vCont action lists round-trip', (t) => {
  fc.assert(
    fc.property(fc.array(action, { minLength: 1, maxLength: 6 }), (actions) => {
      const c = parse('vCont;' + actions.map(format).join(';'));
      t.deepEqual(c, { kind: 'vcont', actions });
      return true;
    }),
    { numRuns: 300 },
  );
});
