// stub/dialect.ts: one object per client flavour decides signal numbering both ways.
import test from 'ava';
import { SessionContext } from '../../stub/context.js';
import { dialectOf } from '../../stub/dialect.js';
import { FakeTarget } from '../helpers/fake-target.js';

test('GDB numbering: SIGUSR1 is host 10, GDB 30, both ways; no resume signal is 0', (t) => {
  const d = dialectOf('gdb');
  t.false(d.lldb);
  t.is(d.signalToClient(10), 30);
  t.is(d.signalFromClient(30), 10);
  t.is(d.resumeSignal(undefined), 0);
  t.is(d.resumeSignal(0), 0);
  t.is(d.resumeSignal(30), 10);
});

test('LLDB numbering is the host one; a set drops signal 0', (t) => {
  const d = dialectOf('lldb');
  t.true(d.lldb);
  t.is(d.signalToClient(10), 10);
  t.is(d.resumeSignal(10), 10);
  t.deepEqual(d.signalSet([0, 10, 14]), [10, 14]);
});

test('the context follows the flavour qSupported announced', (t) => {
  const ctx = new SessionContext(new FakeTarget(1000, [1000]).asTarget());
  t.false(ctx.dialect.lldb);
  ctx.client.flavour = 'lldb';
  t.true(ctx.dialect.lldb);
  ctx.client.flavour = 'unknown';
  t.false(ctx.dialect.lldb);
});

test('GDB signal sets: each list its own host set, the same list again the same answer', (t) => {
  const d = dialectOf('gdb');
  // GDB 14 = SIGALRM (14), 30 = SIGUSR1 (10); 23 (GDB_SIGNAL_IO) names SIGIO (29).
  const first = d.signalSet([14, 30]);
  t.deepEqual(first, [10, 14]);
  first.push(99); // a caller's change does not leak into the next answer
  t.deepEqual(d.signalSet([14, 30]), [10, 14]);
  t.deepEqual(d.signalSet([14, 23]), [14, 29]);
  t.deepEqual(d.signalSet([14, 30]), [10, 14]);
  t.deepEqual(d.signalSet([]), []);
});

test('a GDB signal set builds no Set of its own (QPassSignals comes with every step)', (t) => {
  const d = dialectOf('gdb');
  const Real = globalThis.Set;
  let built = 0;
  globalThis.Set = class<T> extends Real<T> {
    constructor(items?: Iterable<T> | null) {
      super(items);
      built++;
    }
  } as SetConstructor;
  let host: number[];
  try {
    // gdb's usual list: SIGALRM 14, SIGURG 23 ... and the realtime signals 45, 46, 47 (GDB 76, 77, 78 here).
    host = d.signalSet([
      0x0e, 0x10, 0x14, 0x17, 0x1a, 0x1b, 0x1c, 0x21, 0x24, 0x25, 0x2c, 0x4c, 0x97,
    ]);
  } finally {
    globalThis.Set = Real;
  }
  t.is(built, 0);
  t.deepEqual(
    host,
    [...host].sort((a, b) => a - b),
  );
  t.true(host.includes(14));
});
