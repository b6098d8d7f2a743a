import test from 'ava';
import { SessionContext } from '../../stub/context.js';
import { stopReply, stopReplyNow } from '../../stub/stop-reply.js';
import type { TargetStop } from '../../stub/target.js';
import { fake, PID } from './handlers/_fake.js';

const RIP = 16;

function stopped(): TargetStop {
  return { kind: 'stopped', thread: { pid: PID, tid: PID }, signal: 5, cause: { type: 'signal' } };
}

function registerReads(calls: string[]): number {
  return calls.filter((c) => c.startsWith('readRegisters')).length;
}

test('a stop reply is formatted once per stop: asked again, it costs no target call', async (t) => {
  const f = fake();
  const ctx = new SessionContext(f.asTarget());
  const stop = stopped();
  const first = await stopReply(ctx, stop);
  t.is(registerReads(f.calls), 1);
  // Even with the register cache dropped, the same stop's reply is not built again.
  ctx.invalidate();
  t.is(await stopReply(ctx, stop), first);
  t.is(registerReads(f.calls), 1);
  // Another stop is formatted anew.
  t.is(await stopReply(ctx, stopped()), first);
  t.is(registerReads(f.calls), 2);
});

test('a register written after the stop is formatted again: `?` shows the new value', async (t) => {
  const f = fake();
  const ctx = new SessionContext(f.asTarget());
  const stop = stopped();
  const before = await stopReply(ctx, stop);
  const thread = { pid: PID, tid: PID };
  const bufs = await ctx.registers(thread);
  bufs.gpr.writeBigUInt64LE(0x1122334455667788n, RIP * 8);
  await ctx.storeRegisters(thread, bufs, new Set(['gpr']));
  const after = await stopReply(ctx, stop);
  t.not(after, before);
  t.true(after.includes('10:8877665544332211;'));
});

test('a client that changes its features (qSupported) gets the stop formatted for them', async (t) => {
  const ctx = new SessionContext(fake().asTarget());
  const stop = stopped();
  t.false((await stopReply(ctx, stop)).includes('thread:p'));
  ctx.client = { ...ctx.client, multiprocess: true };
  t.true((await stopReply(ctx, stop)).includes(`thread:p${PID.toString(16)}.`));
});

test('a stop that carried its registers is formatted at once, with no target call', async (t) => {
  const f = fake();
  const ctx = new SessionContext(f.asTarget());
  const gpr = Buffer.from(f.gpr.get(PID)!);
  gpr.writeBigUInt64LE(0x401234n, RIP * 8);
  const stop: TargetStop = {
    kind: 'stopped',
    thread: { pid: PID, tid: PID },
    signal: 5,
    cause: { type: 'signal' },
    gpr,
  };
  const now = stopReplyNow(ctx, stop);
  t.is(typeof now, 'string');
  t.true(now!.includes('10:3412400000000000;'));
  t.is(registerReads(f.calls), 0);
  // The same reply the awaited path gives, which now takes it from the per-stop record.
  t.is(await stopReply(ctx, stop), now!);
  // A stop without registers needs a read: not at once.
  t.is(stopReplyNow(new SessionContext(f.asTarget()), stopped()), undefined);
  // Nor for LLDB, whose stop fields need the thread's details.
  const lldb = new SessionContext(f.asTarget());
  lldb.client = { ...lldb.client, flavour: 'lldb' };
  t.is(stopReplyNow(lldb, { ...stop }), undefined);
});
