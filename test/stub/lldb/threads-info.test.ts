import test from 'ava';
import { formatStopReply } from '../../../rsp/replies/stop.js';
import {
  jstopinfo,
  lldbReason,
  lldbStopInfo,
  threadStopFacts,
  threadsInfoReply,
} from '../../../stub/lldb/threads-info.js';
import type { TargetStop } from '../../../stub/target.js';

const hex = (s: string) => Buffer.from(s, 'hex');
const main = { pid: 7416, tid: 7416 };
const worker = { pid: 7416, tid: 7449 };
// An interrupt of a two-thread process: the main thread got SIGSTOP (19).
const stop: TargetStop = { kind: 'stopped', thread: main, signal: 19, cause: { type: 'signal' } };

const facts = [
  threadStopFacts(stop, main, {
    name: 'prog',
    registers: new Map([
      [6, hex('0000000000000000')],
      [7, hex('60e6ffffff7f0000')],
      [16, hex('4515eaf7ff7f0000')],
    ]),
  }),
  threadStopFacts(stop, worker, {
    name: 'work"er}',
    registers: new Map([
      [6, hex('d0dedcf7ff7f0000')],
      [7, hex('a0dedcf7ff7f0000')],
      [16, hex('f25deaf7ff7f0000')],
    ]),
  }),
];

// lldb-server-16's jThreadsInfo for the same state, after the packet's `}` escapes are undone.
test('jThreadsInfo matches lldb-server byte for byte', (t) => {
  t.is(
    threadsInfoReply(facts),
    '[{"name":"prog","reason":"signal","registers":{"16":"4515eaf7ff7f0000","6":"0000000000000000","7":"60e6ffffff7f0000"},"signal":19,"tid":7416},{"name":"work\\"er}","registers":{"16":"f25deaf7ff7f0000","6":"d0dedcf7ff7f0000","7":"a0dedcf7ff7f0000"},"tid":7449}]',
  );
});

test('jstopinfo matches lldb-server (hex of the abridged JSON)', (t) => {
  t.is(
    jstopinfo(facts),
    '5b7b226e616d65223a2270726f67222c22726561736f6e223a227369676e616c222c227369676e616c223a31392c22746964223a373431367d2c7b226e616d65223a22776f726b5c2265727d222c22746964223a373434397d5d',
  );
});

test('stop reasons as lldb-server names them', (t) => {
  t.is(lldbReason(5, { type: 'sw-break' }), 'breakpoint');
  t.is(lldbReason(5, { type: 'hw-break' }), 'breakpoint');
  t.is(lldbReason(5, { type: 'step' }), 'trace');
  t.is(lldbReason(5, { type: 'watch', kind: 'write', addr: 0x10n }), 'watchpoint');
  t.is(lldbReason(5, { type: 'exec', path: '/bin/true' }), 'exec');
  t.is(lldbReason(19, { type: 'interrupt' }), 'signal');
  t.is(lldbReason(0, { type: 'interrupt' }), undefined);
  t.is(lldbReason(11, { type: 'signal' }), 'signal');
});

test('a thread that did not cause the stop has signal 0 and no reason', (t) => {
  const f = threadStopFacts(stop, worker);
  t.deepEqual(f, { thread: worker, signal: 0 });
  t.deepEqual(lldbStopInfo(f), {});
});

// lldb-server: `T00thread:p1cf8.1d19;name:work"er};threads:1cf8,1d19;...` for qThreadStopInfo
// of the second thread; rsp's formatter writes the same keys (register order aside).
test('qThreadStopInfo keys through the one stop formatter', (t) => {
  const f = threadStopFacts(stop, worker, { name: 'worker' });
  const body = formatStopReply(
    {
      kind: 'T',
      signal: 0,
      thread: worker,
      lldb: lldbStopInfo(f, { threads: [main, worker], pcs: [0x7ffff7ea1545n, 0x7ffff7ea5df2n] }),
    },
    { multiprocess: true },
  );
  t.is(
    body,
    'T00thread:p1cf8.1d19;name:worker;threads:p1cf8.1cf8,p1cf8.1d19;thread-pcs:7ffff7ea1545,7ffff7ea5df2;',
  );
});

test('a breakpoint stop carries reason:breakpoint, a watchpoint its address', (t) => {
  const bp = threadStopFacts(
    { kind: 'stopped', thread: main, signal: 5, cause: { type: 'sw-break' } },
    main,
    { name: 'prog' },
  );
  t.deepEqual(lldbStopInfo(bp), { name: 'prog', reason: 'breakpoint' });
  const wp = threadStopFacts(
    {
      kind: 'stopped',
      thread: main,
      signal: 5,
      cause: { type: 'watch', kind: 'write', addr: 0x4010n },
    },
    main,
  );
  t.deepEqual(lldbStopInfo(wp), { reason: 'watchpoint', description: '16400' });
});

test('an exited process gives every thread signal 0', (t) => {
  const f = threadStopFacts({ kind: 'exited', pid: 1, code: 0 }, main);
  t.is(f.signal, 0);
  t.is(threadsInfoReply([f]), '[{"tid":7416}]');
});
