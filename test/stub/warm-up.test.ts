// The warm-up session before "Listening" (stub/warm-up.ts), on a real program and engine: its
// packets reach the engine (breakpoints set and cleared, registers read), nothing runs, and the
// program is left as launched: the same registers and code bytes (an int3 would show in
// /proc/PID/mem), the same threads, no pass signals; the client that comes next sees the launch
// stop and runs the program to its exit.
import { connect } from 'node:net';
import { closeSync, openSync, readSync } from 'node:fs';
import test from 'ava';
import { openEngine } from '../../native/index.js';
import type { Engine } from '../../native/types.js';
import { EngineTarget } from '../../stub/engine-target.js';
import { serve } from '../../stub/serve.js';
import { listen } from '../../stub/transport.js';
import { warmUp } from '../../stub/warm-up.js';
import { compileFixture } from '../helpers/compile.js';
import { RspClient } from '../helpers/rsp-client.js';

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
  for (const name of ['setBreakpoint', 'clearBreakpoint', 'getRegs', 'resume'] as const) {
    const real = (engine[name] as (...a: unknown[]) => unknown).bind(engine);
    (engine as unknown as Record<string, unknown>)[name] = (...a: unknown[]) => {
      calls.push(name);
      return real(...a);
    };
  }
  const target = await EngineTarget.launch(engine, { path: prog, argv: [prog], env: [] });
  t.teardown(async () => {
    await target.kill().catch(() => {});
    await target.close().catch(() => {});
    await engine.close();
  });
  const thread = target.threads()[0]!;
  const gpr = await target.readRegisters(thread, 'gpr');
  const pc = gpr.readBigUInt64LE(16 * 8);
  calls.length = 0;
  return { target, calls, gpr, pc, code: rawBytes(target.pid, pc - 8n, 32) };
}

/** The pass set the engine target would send with its next resume (QPassSignals). */
function passSignals(target: EngineTarget): number[] {
  const options = (target as unknown as { options: { passSignals: ReadonlySet<number> } }).options;
  return [...options.passSignals];
}

test('the warm-up reaches the engine and leaves the program as launched', async (t) => {
  const { target, calls, gpr, pc, code } = await launch(t);
  const tids = target.threads().map((th) => th.tid);
  const report = await warmUp(target.asTarget(), { multi: false }, 5);
  t.is(report.errors, 0);
  // The connection's packets, then 9 a round, then the last removals and pass set.
  t.true(report.packets >= 30 + 5 * 9, `${report.packets} packets`);
  // Two breakpoints went in once each (a re-insertion after a removal costs nothing) and out
  // once each before the warm-up hung up; registers were read through the engine; nothing ran.
  t.is(calls.filter((c) => c === 'setBreakpoint').length, 2);
  t.is(calls.filter((c) => c === 'clearBreakpoint').length, 2);
  t.true(calls.includes('getRegs'));
  t.false(calls.includes('resume'));
  t.deepEqual(rawBytes(target.pid, pc - 8n, 32), code);
  t.deepEqual(await target.readRegisters(target.threads()[0]!, 'gpr'), gpr);
  t.deepEqual(
    target.threads().map((th) => th.tid),
    tids,
  );
  t.deepEqual(passSignals(target), []);
});

test('the next client sees the launch stop and runs the program to its exit', async (t) => {
  const { target } = await launch(t);
  await warmUp(target.asTarget(), { multi: false }, 3);
  const listener = await listen({ kind: 'tcp', host: '127.0.0.1', port: 0 });
  const serving = serve({ listener, target: target.asTarget(), multi: false, once: true });
  const sock = connect(listener.port!, '127.0.0.1');
  await new Promise<void>((resolve) => sock.once('connect', () => resolve()));
  const c = new RspClient(sock);
  c.raw('+');
  t.is(await c.request('QStartNoAckMode'), 'OK');
  c.noAck = true;
  c.raw('+');
  // The first stop is still the launch's SIGTRAP, and no breakpoint the warm-up set is left
  // to stop the run on its way to exit(7).
  t.regex(await c.request('?'), /^T05/);
  t.is(await c.request('vCont;c'), 'W07');
  c.close();
  await serving.done;
});

test('a warm-up with no rounds sets no breakpoint', async (t) => {
  const { target, calls, pc, code } = await launch(t);
  const report = await warmUp(target.asTarget(), { multi: false }, 0);
  t.is(report.errors, 0);
  t.false(calls.includes('setBreakpoint'));
  t.false(calls.includes('resume'));
  t.deepEqual(rawBytes(target.pid, pc - 8n, 32), code);
});
