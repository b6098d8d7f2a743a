// H, T, qThreadExtraInfo, qThreadStopInfo (set-thread.ts, thread-alive.ts, thread-extra-info.ts,
// thread-stop-info.ts).
import test from 'ava';
import { parse } from '../parse.js';

test('H selects a thread for g or c', (t) => {
  t.deepEqual(parse('Hg0'), { kind: 'set-thread', op: 'g', thread: { tid: 'any' } });
  t.deepEqual(parse('Hc-1'), { kind: 'set-thread', op: 'c', thread: { tid: 'all' } });
  t.deepEqual(parse('Hgp4d2.4d3'), {
    kind: 'set-thread',
    op: 'g',
    thread: { pid: 0x4d2, tid: 0x4d3 },
  });
  for (const p of ['H', 'Hg', 'Hs1', 'Hgq']) t.is(parse(p).kind, 'malformed', p);
});

test('T asks whether a thread is alive', (t) => {
  t.deepEqual(parse('T1f'), { kind: 'thread-alive', thread: { tid: 31 } });
  t.deepEqual(parse('Tp1.2'), { kind: 'thread-alive', thread: { pid: 1, tid: 2 } });
  t.is(parse('T').kind, 'malformed');
});

test('qThreadExtraInfo and qThreadStopInfo', (t) => {
  t.deepEqual(parse('qThreadExtraInfo,p1.2'), {
    kind: 'thread-extra-info',
    thread: { pid: 1, tid: 2 },
  });
  t.deepEqual(parse('qThreadStopInfo4d2'), { kind: 'thread-stop-info', thread: { tid: 0x4d2 } });
  t.is(parse('qThreadStopInfoq').kind, 'malformed');
});
