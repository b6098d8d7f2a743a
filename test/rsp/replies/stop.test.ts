import test from 'ava';
import fc from 'fast-check';
import {
  formatStopReply,
  parseStopReply,
  type StopEvent,
  type StopReply,
  stopNotification,
  stopNotificationOf,
  type ThreadId,
} from '../../../rsp/index.js';

const mp = { multiprocess: true };
const sp = { multiprocess: false };

test('S and T basics', (t) => {
  t.is(formatStopReply({ kind: 'signal', signal: 5 }, sp), 'S05');
  t.is(formatStopReply({ kind: 'T', signal: 0x13 }, sp), 'T13');
  t.is(
    formatStopReply({ kind: 'T', signal: 5, thread: { pid: 0x4d2, tid: 0x4d3 }, core: 1 }, mp),
    'T05thread:p4d2.4d3;core:1;',
  );
  t.is(
    formatStopReply({ kind: 'T', signal: 5, thread: { pid: 0x4d2, tid: 0x4d3 } }, sp),
    'T05thread:4d3;',
  );
  // A fork child's id keeps its pid even without multiprocess.
  t.is(
    formatStopReply(
      { kind: 'T', signal: 5, event: { kind: 'fork', child: { pid: 9, tid: 9 } } },
      sp,
    ),
    'T05fork:p9.9;',
  );
});

test('expedited registers: two-digit numbers, target-order bytes', (t) => {
  const out = formatStopReply(
    {
      kind: 'T',
      signal: 5,
      registers: [
        { regnum: 6, value: Buffer.from('00e0ffffff7f0000', 'hex') },
        { regnum: 0x10, value: Buffer.from('2611400000000000', 'hex') },
        { regnum: 0x100, value: Buffer.from([1]) },
      ],
      thread: { tid: 0x4d3 },
    },
    sp,
  );
  t.is(out, 'T0506:00e0ffffff7f0000;10:2611400000000000;100:01;thread:4d3;');
});

test('every stop reason key', (t) => {
  const cases: Array<[StopEvent, string]> = [
    [{ kind: 'watch', addr: 0x601040n }, 'watch:601040;'],
    [{ kind: 'rwatch', addr: 0x10n }, 'rwatch:10;'],
    [{ kind: 'awatch', addr: 0x20n }, 'awatch:20;'],
    [{ kind: 'swbreak' }, 'swbreak:;'],
    [{ kind: 'hwbreak' }, 'hwbreak:;'],
    [{ kind: 'library' }, 'library:;'],
    [{ kind: 'replaylog', at: 'begin' }, 'replaylog:begin;'],
    [{ kind: 'fork', child: { pid: 0x4d4, tid: 0x4d4 } }, 'fork:p4d4.4d4;'],
    [{ kind: 'vfork', child: { pid: 0x4d5, tid: 0x4d5 } }, 'vfork:p4d5.4d5;'],
    [{ kind: 'clone', child: { pid: 0x4d2, tid: 0x4d6 } }, 'clone:p4d2.4d6;'],
    [{ kind: 'vforkdone' }, 'vforkdone:;'],
    [{ kind: 'exec', path: '/bin/ls' }, 'exec:2f62696e2f6c73;'],
    [{ kind: 'create' }, 'create:;'],
    [{ kind: 'syscall_entry', syscall: 0x3c }, 'syscall_entry:3c;'],
    [{ kind: 'syscall_return', syscall: 1 }, 'syscall_return:1;'],
  ];
  for (const [event, text] of cases) {
    t.is(
      formatStopReply({ kind: 'T', signal: 5, event, thread: { pid: 1, tid: 1 } }, mp),
      `T05${text}thread:p1.1;`,
    );
  }
});

test('LLDB extras', (t) => {
  t.is(
    formatStopReply(
      {
        kind: 'T',
        signal: 5,
        thread: { tid: 0x63387 },
        lldb: {
          name: 'worker',
          threads: [{ tid: 0x63387 }, { tid: 0x633b2 }],
          threadPcs: [0xdec14n, 0x2cf872b0n],
          reason: 'breakpoint',
          description: 'hit 1',
        },
      },
      sp,
    ),
    'T05thread:63387;name:worker;threads:63387,633b2;thread-pcs:dec14,2cf872b0;reason:breakpoint;description:6869742031;',
  );
  // Names with syntax characters go hex-encoded (lldbgdbremote.md, "hexname").
  t.is(formatStopReply({ kind: 'T', signal: 0, lldb: { name: 'a;b' } }, sp), 'T00hexname:613b62;');
  t.is(formatStopReply({ kind: 'T', signal: 0, lldb: { name: 'é' } }, sp), 'T00hexname:c3a9;');
});

test('exit, termination, thread exit, no-resumed', (t) => {
  t.is(formatStopReply({ kind: 'exited', status: 0 }, sp), 'W00');
  t.is(formatStopReply({ kind: 'exited', status: 3, pid: 0x4d2 }, mp), 'W03;process:4d2');
  t.is(formatStopReply({ kind: 'exited', status: 3, pid: 0x4d2 }, sp), 'W03');
  t.is(formatStopReply({ kind: 'terminated', signal: 9, pid: 0x4d2 }, mp), 'X09;process:4d2');
  t.is(
    formatStopReply({ kind: 'thread-exited', status: 0, thread: { pid: 1, tid: 2 } }, mp),
    'w00;p1.2',
  );
  t.is(formatStopReply({ kind: 'no-resumed' }, mp), 'N');
  t.is(stopNotification({ kind: 'signal', signal: 2 }, sp), 'Stop:S02');
  t.is(stopNotificationOf('T05thread:p1.2;'), 'Stop:T05thread:p1.2;');
});

test('parseStopReply reads what gdbserver and lldb-server send', (t) => {
  t.deepEqual(parseStopReply('T05swbreak:;06:00e0ffffff7f0000;thread:p4d2.4d2;core:3;'), {
    ok: true,
    value: {
      kind: 'T',
      signal: 5,
      event: { kind: 'swbreak' },
      registers: [{ regnum: 6, value: Buffer.from('00e0ffffff7f0000', 'hex') }],
      thread: { pid: 0x4d2, tid: 0x4d2 },
      core: 3,
    },
  });
  const r = parseStopReply('T05thread:1;jstopinfo:5b5d;medata:1;');
  t.deepEqual(r, { ok: true, value: { kind: 'T', signal: 5, thread: { tid: 1 } } });
  for (const bad of [
    '',
    'S5',
    'T',
    'T5',
    'Tzz',
    'T05thread',
    'T05thread:q;',
    'W',
    'W00;pid:1',
    'w00',
    'N1',
    'OK',
  ]) {
    t.false(parseStopReply(bad).ok, bad);
  }
  t.false(parseStopReply('T05swbreak:;hwbreak:;').ok);
  t.false(parseStopReply('T05replaylog:middle;').ok);
  t.deepEqual(parseStopReply('T05threads:;thread-pcs:;'), {
    ok: true,
    value: { kind: 'T', signal: 5, lldb: { threads: [], threadPcs: [] } },
  });
});

const tid = fc.integer({ min: 1, max: 0x3fffffff });
const threadId = (multiprocess: boolean): fc.Arbitrary<ThreadId> =>
  multiprocess ? fc.record({ pid: tid, tid }) : fc.record({ tid });

function stopArb(multiprocess: boolean): fc.Arbitrary<StopReply> {
  const event: fc.Arbitrary<StopEvent> = fc.oneof(
    fc
      .tuple(
        fc.constantFrom('watch' as const, 'rwatch' as const, 'awatch' as const),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
      )
      .map(([kind, addr]) => ({ kind, addr })),
    fc.constantFrom(
      { kind: 'swbreak' as const },
      { kind: 'hwbreak' as const },
      { kind: 'library' as const },
      { kind: 'vforkdone' as const },
      { kind: 'create' as const },
      { kind: 'replaylog' as const, at: 'end' as const },
    ),
    fc
      .tuple(fc.constantFrom('fork' as const, 'vfork' as const), threadId(true))
      .map(([kind, child]) => ({ kind, child })),
    threadId(multiprocess).map((child) => ({ kind: 'clone' as const, child })),
    fc.string({ minLength: 1, maxLength: 30 }).map((path) => ({ kind: 'exec' as const, path })),
    fc
      .tuple(fc.constantFrom('syscall_entry' as const, 'syscall_return' as const), fc.nat(500))
      .map(([kind, syscall]) => ({ kind, syscall })),
  );
  const register = fc.record({
    regnum: fc.nat(200),
    value: fc.uint8Array({ minLength: 1, maxLength: 16 }).map((a) => Buffer.from(a)),
  });
  const tReply = fc
    .record(
      {
        signal: fc.nat(255),
        thread: threadId(multiprocess),
        core: fc.nat(255),
        registers: fc.array(register, { minLength: 1, maxLength: 4 }),
        event,
        lldb: fc.record(
          {
            name: fc.string({ maxLength: 12 }),
            reason: fc.constantFrom('breakpoint', 'trace', 'watchpoint', 'signal'),
            description: fc.string({ maxLength: 12 }),
            threads: fc.array(threadId(multiprocess), { minLength: 1, maxLength: 3 }),
            threadPcs: fc.array(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), {
              minLength: 1,
              maxLength: 3,
            }),
          },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: ['signal'] },
    )
    .map((r) => {
      const out: StopReply = { kind: 'T', ...r };
      if (r.lldb && Object.keys(r.lldb).length === 0) delete (out as { lldb?: unknown }).lldb;
      return out;
    });
  const pid = multiprocess ? fc.option(tid, { nil: undefined }) : fc.constant(undefined);
  return fc.oneof(
    fc.nat(255).map((signal) => ({ kind: 'signal' as const, signal })),
    tReply,
    fc
      .tuple(fc.nat(255), pid)
      .map(([status, p]) =>
        p === undefined
          ? { kind: 'exited' as const, status }
          : { kind: 'exited' as const, status, pid: p },
      ),
    fc
      .tuple(fc.nat(255), pid)
      .map(([signal, p]) =>
        p === undefined
          ? { kind: 'terminated' as const, signal }
          : { kind: 'terminated' as const, signal, pid: p },
      ),
    fc
      .tuple(fc.nat(255), threadId(multiprocess))
      .map(([status, thread]) => ({ kind: 'thread-exited' as const, status, thread })),
    fc.constant({ kind: 'no-resumed' as const }),
  );
}

for (const multiprocess of [false, true]) {
  test(`property: parseStopReply(formatStopReply(x)) equals x (multiprocess ${multiprocess})`, (t) => {
    fc.assert(
      fc.property(stopArb(multiprocess), (stop) => {
        const text = formatStopReply(stop, { multiprocess });
        t.deepEqual(parseStopReply(text), { ok: true, value: stop }, text);
        return true;
      }),
      { numRuns: 300 },
    );
  });
}
