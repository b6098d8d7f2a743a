// After a LOST record the adapter lists the threads again: a thread whose THREAD_NEW the engine
// dropped is known (and stopped, when every thread is being stopped), one whose THREAD_EXIT was
// dropped is forgotten, and events newer than the list keep what they said.
import test from 'ava';
import type { Engine, EngineEvent, ThreadInfo } from '../../../native/types.js';
import { handleEvent } from '../../../stub/engine/events.js';
import { EngineProcess } from '../../../stub/engine/process.js';
import { reconcileThreads } from '../../../stub/engine/relist.js';
import { ThreadTable } from '../../../stub/engine/thread-table.js';

const PID = 100;

function info(tid: number, state: ThreadInfo['state'] = 'running'): ThreadInfo {
  return { handle: BigInt(tid), tgid: PID, tid, stopId: state === 'stopped' ? 7n : 0n, state };
}

function rec(tid: number) {
  return { ref: { handle: BigInt(tid), tgid: PID, tid }, stopId: 0n, running: true };
}

/** An engine that answers LIST_THREADS from `listed` (once `release` is called) and records stops. */
function fakeEngine(listed: ThreadInfo[]) {
  const stops: bigint[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const engine = {
    listThreads: async (pid: number) => {
      await gate;
      return listed.filter((t) => t.tgid === pid);
    },
    stop: async (_pid: number, handle: bigint) => {
      stops.push(handle);
    },
  } as unknown as Engine;
  return { engine, stops, release };
}

const settle = () => new Promise((r) => setImmediate(r));

test('reconcile adds unannounced threads and drops unlisted ones', (t) => {
  const table = new ThreadTable();
  table.set(100, rec(100));
  table.set(101, rec(101));
  const added = reconcileThreads(table, PID, [info(100), info(102, 'stopped')], new Set());
  t.deepEqual(added, [102]);
  t.deepEqual(
    table.ptids().map((p) => p.tid),
    [100, 102],
  );
  t.false(table.get(102)!.running);
  t.is(table.get(102)!.stopId, 7n);
});

test('reconcile leaves threads whose events are newer than the list, and exiting ones', (t) => {
  const table = new ThreadTable();
  table.set(100, rec(100));
  table.set(103, rec(103)); // announced after the list was taken
  const added = reconcileThreads(
    table,
    PID,
    [info(100), info(101), info(104, 'exiting')],
    new Set([101n, 103n]), // 101 exited after the list was taken
  );
  t.deepEqual(added, []);
  t.deepEqual(
    table.ptids().map((p) => p.tid),
    [100, 103],
  );
});

test('a LOST record makes the process list its threads again', async (t) => {
  const { engine, stops, release } = fakeEngine([info(PID), info(101), info(102)]);
  const p = new EngineProcess(engine, PID, false);
  p.threadsByTid.set(PID, rec(PID));
  p.threadsByTid.set(101, rec(101));
  p.phase = { kind: 'running' };
  const lost: EngineEvent = { type: 'lost', seq: 9n, count: 1n, firstSeq: 5n };
  handleEvent(p, lost);
  // 101 exits while the list is on its way: its exit is newer than the list.
  handleEvent(p, {
    type: 'thread-exit',
    seq: 10n,
    thread: { handle: 101n, tgid: PID, tid: 101 },
    code: 0,
  });
  release();
  await settle();
  t.deepEqual(
    p.threadsByTid.ptids().map((x) => x.tid),
    [PID, 102],
  );
  t.deepEqual(stops, []);
});

test('while every thread is being stopped, a thread learnt from the list is stopped too', async (t) => {
  const { engine, stops, release } = fakeEngine([info(PID, 'stopped'), info(102)]);
  const p = new EngineProcess(engine, PID, false);
  p.threadsByTid.set(PID, { ...rec(PID), running: false });
  p.phase = {
    kind: 'collecting',
    primary: { kind: 'no-resumed' },
  } as unknown as EngineProcess['phase'];
  handleEvent(p, { type: 'lost', seq: 9n, count: 1n, firstSeq: 5n });
  release();
  await settle();
  t.deepEqual(stops, [102n]);
  t.true(p.threadsByTid.get(102)!.running);
});
