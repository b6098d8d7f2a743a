// The engine options of one process: the stop-signal table follows QPassSignals, rebuilt only
// when the set changes; a fork child starts with its parent's settings.
import test from 'ava';
import { OptionState } from '../../../stub/engine/options.js';

test('every signal stops until some are passed; the table changes only with the set', (t) => {
  const o = new OptionState();
  const all = [...(o.toEngine(true).stopSignals ?? [])];
  t.is(all.length, 64);
  t.true(o.setPassSignals([14, 17]));
  const table = o.toEngine(true).stopSignals;
  t.deepEqual(
    [...(table ?? [])],
    all.filter((s) => s !== 14 && s !== 17),
  );
  // The same set again (in another order) is no change, and keeps the table it had.
  t.false(o.setPassSignals([17, 14]));
  t.is(o.toEngine(true).stopSignals, table);
  t.true(o.setPassSignals([]));
  t.deepEqual([...(o.toEngine(true).stopSignals ?? [])], all);
});

test('non-stop turns the engine all-stop off; event flags follow the negotiated features', (t) => {
  const o = new OptionState();
  t.true(o.toEngine(true).allStop);
  t.false(o.toEngine(false).allStop);
  o.nonStop = true;
  o.reportVfork = true;
  o.catchSyscalls(true, [1, 2]);
  const e = o.toEngine(true);
  t.false(e.allStop);
  t.true(e.events?.vfork && e.events.vforkDone);
  t.false(e.events?.fork);
  t.true(e.events?.syscallEntry && e.events.syscallExit);
  t.deepEqual([...(e.syscalls ?? [])], [1, 2]);
});

test('a copy keeps the settings and is independent of its parent', (t) => {
  const o = new OptionState();
  o.reportFork = true;
  o.setPassSignals([10]);
  o.wantExec = true;
  const c = o.copy();
  t.true(c.reportFork);
  t.false(c.wantExec);
  t.true(c.passSignals.has(10));
  o.setPassSignals([]);
  t.true(c.passSignals.has(10));
});

test('the same pass set again builds nothing: no Set, no new table (gdb sends it per step)', (t) => {
  const o = new OptionState();
  t.true(o.setPassSignals([14, 17, 33, 64]));
  const table = o.toEngine(true).stopSignals;
  t.is(
    setsBuilt(() => t.false(o.setPassSignals([64, 33, 17, 14]))),
    0,
  );
  t.is(o.toEngine(true).stopSignals, table);
  // A change is still seen, in either half of the mask and outside 1..64.
  t.true(o.setPassSignals([14, 17, 33]));
  t.true(o.setPassSignals([14, 17, 33, 65]));
  t.false(o.setPassSignals([65, 14, 17, 33]));
  t.true(o.setPassSignals([14, 17, 33]));
  t.deepEqual(
    [...(o.toEngine(true).stopSignals ?? [])].filter((s) => [14, 17, 33, 64].includes(s)),
    [64],
  );
});

/** How many Sets `f` constructs (the global Set counted while it runs). */
function setsBuilt(f: () => void): number {
  const Real = globalThis.Set;
  let n = 0;
  globalThis.Set = class<T> extends Real<T> {
    constructor(items?: Iterable<T> | null) {
      super(items);
      n++;
    }
  } as SetConstructor;
  try {
    f();
  } finally {
    globalThis.Set = Real;
  }
  return n;
}
