// The warm-up on the real program (stub/warm-up-target.ts): its packets reach the engine (the
// breakpoint set and cleared, registers read) and it leaves the program as it found it: the same
// registers, no int3 in its code, nothing resumed, and its stops going to the next session.
import { closeSync, openSync, readSync } from 'node:fs';
import test from 'ava';
import { openEngine } from '../../native/index.js';
import type { Engine } from '../../native/types.js';
import { EngineTarget } from '../../stub/engine-target.js';
import { Session } from '../../stub/session.js';
import { targetRound, warmUpTarget } from '../../stub/warm-up-target.js';
import { WarmLink } from '../../stub/warm-up.js';
import { encodePacket } from '../../rsp/encoder.js';
import { compileFixture } from '../helpers/compile.js';

/** qSupported, vMustReplyEmpty, ?, qC, qAttached. */
const HELLO = 5;
/** The packets that undo a round cut short (z0, QPassSignals:). */
const UNDO = 2;

/** The bytes at addr as the process has them: /proc/PID/mem shows an int3 the engine hides. */
function rawBytes(pid: number, addr: bigint, length: number): Buffer {
  const fd = openSync(`/proc/${pid}/mem`, 'r');
  try {
    const buf = Buffer.alloc(length);
    readSync(fd, buf, 0, length, addr);
    return buf;
  } finally {
    closeSync(fd);
  }
}

async function launch(t: { teardown(fn: () => unknown): void }) {
  const prog = await compileFixture('exit-code.c');
  const engine: Engine = await openEngine({ backend: 'user' });
  // Which of the engine's operations the warm-up reaches.
  const calls: string[] = [];
  const hooks: { setBreakpoint?: () => void } = {};
  for (const name of ['setBreakpoint', 'clearBreakpoint', 'getRegs', 'resume'] as const) {
    const real = (engine[name] as (...a: unknown[]) => unknown).bind(engine);
    (engine as unknown as Record<string, unknown>)[name] = (...a: unknown[]) => {
      calls.push(name);
      if (name === 'setBreakpoint') hooks.setBreakpoint?.();
      return real(...a);
    };
  }
  const target = await EngineTarget.launch(engine, { path: prog, argv: [prog], env: [] });
  t.teardown(async () => {
    await target.kill().catch(() => {});
    await target.close().catch(() => {});
    await engine.close();
  });
  const gpr = await target.readRegisters(target.threads()[0]!, 'gpr');
  const pc = gpr.readBigUInt64LE(16 * 8);
  calls.length = 0;
  return { target, calls, hooks, gpr, pc, code: rawBytes(target.pid, pc, 16) };
}

/** A client's session after the warm-up: `vCont;c` runs the program to its exit. */
async function runToExit(target: EngineTarget): Promise<string> {
  const link = new WarmLink();
  const replies: string[] = [];
  let next: ((r: string) => void) | undefined;
  link.onReply = (raw) => {
    const r = raw.toString('latin1');
    replies.push(r);
    next?.(r);
  };
  const session = new Session(link, target.asTarget());
  const ask = (body: string) =>
    new Promise<string>((resolve) => {
      next = resolve;
      link.emit('data', encodePacket(body));
    });
  link.emit('data', Buffer.from('+'));
  await ask('QStartNoAckMode');
  link.emit('data', Buffer.from('+'));
  const stop = await ask('vCont;c');
  link.emit('end');
  await session.ended;
  return stop;
}

test('the warm-up reaches the engine and leaves the program as it was', async (t) => {
  const { target, calls, gpr, pc, code } = await launch(t);
  const w = warmUpTarget(target.asTarget(), 20);
  const { packets, errors } = await w.done;
  t.deepEqual(errors, []);
  t.is(packets, HELLO + 20 * targetRound(pc).length + UNDO);
  // The breakpoint went into the target once (z0/Z0 of a breakpoint still there cost nothing)
  // and was cleared at the end; registers were read through the engine; nothing ran.
  t.is(calls.filter((c) => c === 'setBreakpoint').length, 1);
  t.is(calls.filter((c) => c === 'clearBreakpoint').length, 1);
  t.true(calls.includes('getRegs'));
  t.false(calls.includes('resume'));
  t.deepEqual(rawBytes(target.pid, pc, 16), code);
  t.deepEqual(await target.readRegisters(target.threads()[0]!, 'gpr'), gpr);
  // Stops reach the next session: the program runs to its end from where it was.
  t.is(await runToExit(target), 'W07');
});

test('stopped in the middle of a round, it still puts everything back', async (t) => {
  const { target, calls, hooks, gpr, pc, code } = await launch(t);
  const w = warmUpTarget(target.asTarget(), 1_000_000);
  // A client comes while its breakpoint goes into the target: the round's z0 is never sent.
  let stopping: Promise<void> | undefined;
  hooks.setBreakpoint = () => {
    stopping ??= w.stop();
  };
  const { errors } = await w.done;
  await stopping;
  t.deepEqual(errors, []);
  t.is(calls.filter((c) => c === 'clearBreakpoint').length, 1);
  t.false(calls.includes('resume'));
  t.deepEqual(rawBytes(target.pid, pc, 16), code);
  t.deepEqual(await target.readRegisters(target.threads()[0]!, 'gpr'), gpr);
  t.is(await runToExit(target), 'W07');
});

test('stopped before its first round, it sends no breakpoint at all', async (t) => {
  const { target, calls, code, pc } = await launch(t);
  const w = warmUpTarget(target.asTarget(), 1_000_000);
  await w.stop();
  const { errors } = await w.done;
  t.deepEqual(errors, []);
  t.false(calls.includes('setBreakpoint'));
  t.deepEqual(rawBytes(target.pid, pc, 16), code);
  t.is(await runToExit(target), 'W07');
});
