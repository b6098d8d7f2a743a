// The thread table hands out one ptid list until a thread comes or goes.
import test from 'ava';
import { ThreadTable } from '../../../stub/engine/thread-table.js';

function rec(tid: number, running = false) {
  return { ref: { handle: BigInt(tid), tgid: 100, tid }, stopId: 1n, running };
}

test('threads() is the same array until a thread is added or removed', (t) => {
  const table = new ThreadTable();
  table.set(100, rec(100));
  const first = table.ptids();
  t.deepEqual(first, [{ pid: 100, tid: 100 }]);
  t.is(table.ptids(), first);
  table.get(100)!.running = true;
  t.is(table.ptids(), first);
  table.set(101, rec(101));
  const second = table.ptids();
  t.not(second, first);
  t.deepEqual(second, [
    { pid: 100, tid: 100 },
    { pid: 100, tid: 101 },
  ]);
  table.delete(100);
  t.deepEqual(table.ptids(), [{ pid: 100, tid: 101 }]);
  table.clear();
  t.deepEqual(table.ptids(), []);
});

test('anyRunning follows the records', (t) => {
  const table = new ThreadTable();
  t.false(table.anyRunning());
  table.set(1, rec(1));
  t.false(table.anyRunning());
  table.set(2, rec(2, true));
  t.true(table.anyRunning());
});
