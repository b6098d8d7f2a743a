// stub/lldb/client.ts: what an LLDB client is told differently from GDB, over a FakeTarget.
import test from 'ava';
import { SessionContext } from '../../../stub/context.js';
import { lldbKillReply, lldbStopFields, noteInitialStop } from '../../../stub/lldb/client.js';
import { stopReply } from '../../../stub/stop-reply.js';
import type { TargetStop } from '../../../stub/target.js';
import { FakeTarget } from '../../helpers/fake-target.js';

function setup(flavour: 'gdb' | 'lldb' | undefined, tids = [1000]) {
  const fake = new FakeTarget(1000, tids);
  const ctx = new SessionContext(fake.asTarget());
  if (flavour) ctx.client.flavour = flavour;
  return { fake, ctx };
}

type Stopped = Extract<TargetStop, { kind: 'stopped' }>;

const stopped = (cause: Stopped['cause'], signal = 5): Stopped => ({
  kind: 'stopped',
  thread: { pid: 1000, tid: 1000 },
  signal,
  cause,
});

test('GDB clients get no LLDB fields and GDB signal numbers', async (t) => {
  const { ctx } = setup('gdb');
  t.is(await lldbStopFields(ctx, stopped({ type: 'interrupt' }, 2)), undefined);
  // SIGUSR1: host 10, GDB 30 (0x1e).
  t.regex(await stopReply(ctx, stopped({ type: 'signal' }, 10)), /^T1e/);
  t.is(ctx.dialect.signalFromClient(30), 10);
});

test('LLDB: host signal numbers, name and reason keys', async (t) => {
  const { ctx } = setup('lldb');
  const reply = await stopReply(ctx, stopped({ type: 'signal' }, 10));
  t.regex(reply, /^T0a/);
  t.regex(reply, /;name:fake-1000;/);
  t.regex(reply, /;reason:signal;$/);
  t.regex(await stopReply(ctx, stopped({ type: 'sw-break' })), /^T05.*;reason:breakpoint;$/);
  t.is(ctx.dialect.signalFromClient(10), 10);
});

test('LLDB: an interrupt and the first stop are SIGSTOP (19), as lldb-server reports them', async (t) => {
  const { ctx } = setup('lldb');
  t.is((await lldbStopFields(ctx, stopped({ type: 'interrupt' }, 2)))?.signal, 19);
  const first = stopped({ type: 'signal' });
  ctx.lastStop = first;
  noteInitialStop(ctx);
  t.regex(await stopReply(ctx, first), /^T13/);
  // Another SIGTRAP stop is still SIGTRAP.
  t.regex(await stopReply(ctx, stopped({ type: 'signal' })), /^T05/);
});

test('LLDB: threads and thread-pcs once QListThreadsInStopReply was sent', async (t) => {
  const { ctx } = setup('lldb', [1000, 1001]);
  t.notRegex(await stopReply(ctx, stopped({ type: 'step' })), /threads:/);
  ctx.client.threadsInStopReply = true;
  // FakeTarget's rip is 0x401000 + tid.
  t.regex(
    await stopReply(ctx, stopped({ type: 'step' })),
    /;threads:3e8,3e9;thread-pcs:4013e8,4013e9;reason:trace;$/,
  );
});

test('LLDB: k is answered with the exit stop X09', (t) => {
  const { ctx } = setup('lldb');
  t.is(lldbKillReply(ctx), 'X09');
  ctx.client.multiprocess = true;
  t.is(lldbKillReply(ctx), 'X09;process:3e8');
});
