// EngineTarget's all-stop bookkeeping against a scripted Engine: one stop reported per resume
// once every thread is stopped, other threads' events kept pending and reported on the next
// resume without running anything, interrupts, exits.
import { execFileSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { closeSync, constants, mkdtempSync, open, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import {
  type Engine,
  EngineError,
  type EngineEvent,
  type HelloInfo,
  type ProcessOptions,
  type ResumeRequest,
  type StopEvent,
  type StopReason,
  type ThreadRef,
} from '../../native/types.js';
import { EngineTarget } from '../../stub/engine-target.js';
import type { TargetStop } from '../../stub/target.js';

const PID = 500;

function ref(tid: number): ThreadRef {
  return { handle: BigInt(tid), tgid: PID, tid };
}

let seq = 0n;
function stopEv(tid: number, reason: StopReason, extra: Partial<StopEvent> = {}): StopEvent {
  seq++;
  return {
    type: 'stop',
    seq,
    thread: ref(tid),
    stopId: seq,
    reason,
    signo: reason === 'signal' ? 11 : 5,
    pc: 0x1000n,
    sp: 0x2000n,
    data: [0x1000n],
    siginfo: Buffer.alloc(128),
    ...extra,
  };
}

class ScriptedEngine extends EventEmitter {
  readonly calls: string[] = [];
  readonly resumes: ResumeRequest[] = [];
  info: HelloInfo = {
    abi: 1,
    backend: 'user',
    caps: {
      launch: true,
      swBreak: true,
      hwBreak: true,
      hwWatch: true,
      rangeStep: true,
      syscallEntryStop: true,
      syscallExitStop: true,
      exitStopLive: true,
      forkEvents: true,
      vforkEvents: true,
      execEvents: true,
      cloneEvents: true,
      xstate: true,
      siginfoWrite: true,
      allStop: true,
      signalFilter: true,
      condBytecode: false,
      syscallFilter: true,
    },
    maxRecord: 65536,
    queueBytes: 1 << 16,
    hwSlots: 4,
    xstateSize: 2440,
    xcr0: 0x207n,
  };
  emitEvent(ev: EngineEvent): void {
    this.emit('event', ev);
  }
  async launch(): Promise<ThreadRef> {
    this.calls.push('launch');
    setImmediate(() => this.emitEvent(stopEv(PID, 'launch')));
    return ref(PID);
  }
  /** The stop-signal table of each SET_OPTIONS, in order. */
  readonly stopTables: number[][] = [];
  lastOptions: ProcessOptions | undefined;
  async setOptions(_pid: number, opts: ProcessOptions): Promise<void> {
    this.calls.push('setOptions');
    this.stopTables.push([...(opts.stopSignals ?? [])]);
    this.lastOptions = opts;
  }
  /** Handles whose resume fails, with the errno name. */
  readonly failResume = new Map<bigint, string>();
  /** Handles whose resume is answered only when the promise settles. */
  readonly holdResume = new Map<bigint, Promise<void>>();
  async resume(req: ResumeRequest): Promise<void> {
    this.calls.push(`resume ${req.handle}`);
    this.resumes.push(req);
    await this.holdResume.get(req.handle);
    const code = this.failResume.get(req.handle);
    if (code) throw new EngineError(code, code === 'ESRCH' ? 3 : 1, 'RESUME');
  }
  /** The errno name stop() fails with, if any. */
  failStop: string | undefined;
  async stop(pid: number, handle?: bigint): Promise<void> {
    this.calls.push(`stop ${pid}${handle === undefined ? '' : ` ${handle}`}`);
    const code = this.failStop;
    if (code) throw new EngineError(code, code === 'ESRCH' ? 3 : 1, 'STOP');
  }
  async setRegs(): Promise<void> {
    this.calls.push('setRegs');
  }
  async setBreakpoint(): Promise<void> {}
  async clearBreakpoint(): Promise<void> {}
  async kill(): Promise<void> {
    this.calls.push('kill');
    setImmediate(() =>
      this.emitEvent({
        type: 'process-exit',
        seq: ++seq,
        thread: ref(PID),
        pid: PID,
        exit: { signal: 9 },
      }),
    );
  }
}

async function launched() {
  const engine = new ScriptedEngine();
  const target = await EngineTarget.launch(engine as unknown as Engine, {
    path: '/p',
    argv: ['/p'],
    env: [],
  });
  const stops: TargetStop[] = [];
  target.onStop((s) => stops.push(s));
  // Two more threads appear while running.
  return { engine, target, stops };
}

const tick = () => new Promise((r) => setImmediate(r));

test.serial("auxv and exec-file are read in place, not behind libuv's thread pool", async (t) => {
  const { target } = await launched();
  // Every thread of the pool blocks in open(2) of a FIFO nobody writes yet.
  const dir = mkdtempSync(join(tmpdir(), 'ntrace-pool-'));
  const fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  const poolSize = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
  const blocked = Array.from(
    { length: poolSize },
    () =>
      new Promise<number>((resolve, reject) =>
        open(fifo, 'r', (err, fd) => (err ? reject(err) : resolve(fd))),
      ),
  );
  try {
    const settled: string[] = [];
    const note = (name: string, p: Promise<unknown>) =>
      p.then(
        () => settled.push(name),
        () => settled.push(name),
      );
    // Whether or not a process PID exists here, an answer (data or an error) must come.
    const auxv = note('auxv', target.asTarget().processInfo!.auxv());
    const exe = note('exec-file', target.asTarget().processInfo!.execFile());
    for (let i = 0; i < 3; i++) await tick();
    t.deepEqual(settled.sort(), ['auxv', 'exec-file']);
    await Promise.all([auxv, exe]);
  } finally {
    // A writer lets every open(2) return; then the pool is free again. O_RDWR, not O_WRONLY:
    // a non-blocking O_WRONLY open fails with ENXIO while no reader has reached its open(2)
    // yet (a loaded pool), which left the pool blocked and the worker hung (fifo(7)).
    const w = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
    for (const fd of await Promise.all(blocked)) closeSync(fd);
    closeSync(w);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('launch waits for the first stop and sets options', async (t) => {
  const { engine, target } = await launched();
  t.deepEqual(target.threads(), [{ pid: PID, tid: PID }]);
  t.deepEqual(engine.calls, ['launch', 'setOptions']);
});

/** SET_OPTIONS records sent to the engine so far. */
const setOptionsCalls = (engine: ScriptedEngine) =>
  engine.calls.filter((c) => c === 'setOptions').length;

test("gdb's step over a breakpoint (pass set emptied for the step, given back for the continue) sends no SET_OPTIONS", async (t) => {
  const { engine, target, stops } = await launched();
  const signals = target.asTarget().signals!;
  t.is(signals.setPassSignals([14, 17]), undefined, 'stopped: kept for the resume');
  await target.resume([{ mode: 'continue', signal: 0 }]);
  const sent = setOptionsCalls(engine);
  t.false(engine.stopTables.at(-1)!.includes(14), 'the first set goes with the continue');
  engine.emitEvent(stopEv(PID, 'breakpoint'));
  for (let hit = 0; hit < 3; hit++) {
    signals.setPassSignals([]);
    await target.resume([{ thread: { pid: PID, tid: PID }, mode: 'step', signal: 0 }]);
    engine.emitEvent(stopEv(PID, 'step'));
    signals.setPassSignals([14, 17]);
    await target.resume([{ mode: 'continue', signal: 0 }]);
    engine.emitEvent(stopEv(PID, 'breakpoint'));
  }
  t.is(stops.length, 7);
  t.is(setOptionsCalls(engine), sent, 'the engine holds the set the continues need');
});

test('a pass set changed before a step reaches the engine with the next continue', async (t) => {
  const { engine, target } = await launched();
  const signals = target.asTarget().signals!;
  const sent = setOptionsCalls(engine);
  signals.setPassSignals([14]);
  await target.resume([{ mode: 'step', signal: 0 }]);
  t.is(setOptionsCalls(engine), sent, 'a stepping thread reports every signal anyway');
  engine.emitEvent(stopEv(PID, 'step'));
  await target.resume([{ mode: 'continue', signal: 0 }]);
  t.is(setOptionsCalls(engine), sent + 1);
  t.false(engine.stopTables.at(-1)!.includes(14));
  t.true(engine.stopTables.at(-1)!.includes(17));
  t.deepEqual(engine.calls.slice(-2), ['setOptions', `resume ${PID}`], 'sent ahead of it');
});

test('a setting the engine holds already (QNonStop:0 in all-stop) costs no SET_OPTIONS', async (t) => {
  const { engine, target } = await launched();
  const t0 = target.asTarget();
  const sent = setOptionsCalls(engine);
  await t0.nonStop!.setNonStop(false);
  t.is(setOptionsCalls(engine), sent, 'all-stop, as launched');
  await t0.execEvents!.setExecEvents(true);
  t.is(setOptionsCalls(engine), sent + 1);
  await t0.execEvents!.setExecEvents(true);
  await t0.nonStop!.setNonStop(false);
  t.is(setOptionsCalls(engine), sent + 1, 'nothing new');
  await t0.nonStop!.setNonStop(true);
  t.is(setOptionsCalls(engine), sent + 2);
  t.false(engine.lastOptions!.allStop);
  await t0.nonStop!.setNonStop(false);
  t.is(setOptionsCalls(engine), sent + 3, 'back to all-stop is news again');
  t.true(engine.lastOptions!.allStop);
  // A pass set kept for the next resume goes out with the next setting that must be sent.
  t.is(t0.signals!.setPassSignals([14]), undefined);
  await t0.nonStop!.setNonStop(false);
  t.is(setOptionsCalls(engine), sent + 4);
  t.false(engine.stopTables.at(-1)!.includes(14));
});

test('a thread born during a step-only resume runs on with the pass set in force', async (t) => {
  const { engine, target } = await launched();
  const signals = target.asTarget().signals!;
  const sent = setOptionsCalls(engine);
  signals.setPassSignals([14]);
  await target.resume([{ mode: 'step', signal: 0 }]);
  engine.emitEvent({ type: 'thread-new', seq: ++seq, thread: ref(PID + 1), parent: 1n });
  engine.emitEvent(stopEv(PID + 1, 'new-thread'));
  t.deepEqual(engine.calls.slice(-2), ['setOptions', `resume ${PID + 1}`]);
  t.is(setOptionsCalls(engine), sent + 1);
  t.false(engine.stopTables.at(-1)!.includes(14));
});

test('one stop per resume, after every thread stopped; siblings pending', async (t) => {
  const { engine, target, stops } = await launched();
  await target.resume([{ mode: 'continue', signal: 0 }]);
  engine.emitEvent({ type: 'thread-new', seq: ++seq, thread: ref(PID + 1), parent: 1n });
  engine.emitEvent({ type: 'thread-new', seq: ++seq, thread: ref(PID + 2), parent: 1n });
  await target.breakpointOps.setSwBreakpoint(0x1000n);
  engine.emitEvent(stopEv(PID + 1, 'breakpoint'));
  t.is(stops.length, 0, 'not before the others stopped');
  engine.emitEvent(stopEv(PID, 'requested'));
  t.is(stops.length, 0);
  engine.emitEvent(stopEv(PID + 2, 'breakpoint'));
  t.deepEqual(stops, [
    { kind: 'stopped', thread: { pid: PID, tid: PID + 1 }, signal: 5, cause: { type: 'sw-break' } },
  ]);
  // The next resume reports the pending hit of PID+2 and runs nothing.
  const before = engine.resumes.length;
  await target.resume([{ mode: 'continue', signal: 0 }]);
  await tick();
  t.is(engine.resumes.length, before);
  t.deepEqual(stops[1], {
    kind: 'stopped',
    thread: { pid: PID, tid: PID + 2 },
    signal: 5,
    cause: { type: 'sw-break' },
  });
  // Nothing pending any more: all three threads run, each with its own stop id.
  await target.resume([{ mode: 'continue', signal: 0 }]);
  t.is(engine.resumes.length, before + 3);
  t.is(new Set(engine.resumes.slice(before).map((r) => r.stopId)).size, 3);
});

/** Two threads hit a breakpoint at 0x1000 in one resume: the first is reported, the other kept. */
async function twoThreadsHit(): Promise<Awaited<ReturnType<typeof launched>>> {
  const l = await launched();
  await l.target.resume([{ mode: 'continue', signal: 0 }]);
  l.engine.emitEvent({ type: 'thread-new', seq: ++seq, thread: ref(PID + 1), parent: 1n });
  await l.target.breakpointOps.setSwBreakpoint(0x1000n);
  l.engine.emitEvent(stopEv(PID, 'breakpoint'));
  l.engine.emitEvent(stopEv(PID + 1, 'breakpoint'));
  return l;
}

test('a pending hit of a breakpoint removed since is dropped', async (t) => {
  const { engine, target, stops } = await twoThreadsHit();
  t.is(stops.length, 1);
  await target.breakpointOps.clearSwBreakpoint(0x1000n);
  const before = engine.resumes.length;
  await target.resume([{ mode: 'continue', signal: 0 }]);
  await tick();
  t.is(stops.length, 1);
  t.is(engine.resumes.length, before + 2);
});

test('vCont rules: leftmost matching action, unmatched threads stay stopped', async (t) => {
  const { engine, target, stops } = await launched();
  await target.resume([{ mode: 'continue', signal: 0 }]);
  engine.emitEvent({ type: 'thread-new', seq: ++seq, thread: ref(PID + 1), parent: 1n });
  engine.emitEvent(stopEv(PID, 'signal'));
  engine.emitEvent(stopEv(PID + 1, 'requested'));
  t.is(stops.length, 1);
  const before = engine.resumes.length;
  await target.resume([{ thread: { pid: PID, tid: PID }, mode: 'step', signal: 11 }]);
  t.is(engine.resumes.length, before + 1);
  t.like(engine.resumes[before], { handle: BigInt(PID), mode: 'step', signal: 11 });
  engine.emitEvent(stopEv(PID, 'step'));
  t.like(stops[1], { cause: { type: 'step' } });
  await target.resume([
    { thread: { pid: PID, tid: PID + 1 }, mode: 'range', signal: 0, range: { start: 1n, end: 9n } },
    { mode: 'continue', signal: 0 },
  ]);
  t.like(engine.resumes[before + 1], { handle: BigInt(PID), mode: 'cont' });
  t.like(engine.resumes[before + 2], {
    handle: BigInt(PID + 1),
    mode: 'range-step',
    range: { start: 1n, end: 9n },
  });
});

test('interrupt stops every thread and reports SIGINT', async (t) => {
  const { engine, target, stops } = await launched();
  await target.resume([{ mode: 'continue', signal: 0 }]);
  await target.interrupt();
  t.true(engine.calls.includes(`stop ${PID}`));
  engine.emitEvent(stopEv(PID, 'requested'));
  t.deepEqual(stops, [
    { kind: 'stopped', thread: { pid: PID, tid: PID }, signal: 2, cause: { type: 'interrupt' } },
  ]);
});

test('interrupt says whether a stop follows: none while stopped or gone, one while running or collecting', async (t) => {
  // The session waits for the stops interrupt() promises (stub/session.ts, stopOther): one
  // promised and never coming hangs the stop reply.
  const { engine, target, stops } = await launched();
  t.false(await target.interrupt(), 'stopped after launch');
  t.false(engine.calls.includes(`stop ${PID}`), 'nothing to ask the engine');
  await target.resume([{ mode: 'continue', signal: 0 }]);
  engine.emitEvent({ type: 'thread-new', seq: ++seq, thread: ref(PID + 1), parent: 1n });
  engine.emitEvent(stopEv(PID, 'signal'));
  t.true(await target.interrupt(), 'collecting: the stop is on its way');
  engine.emitEvent(stopEv(PID + 1, 'requested'));
  t.is(stops.length, 1);
  t.false(await target.interrupt(), 'stopped after the report');
  await target.resume([{ mode: 'continue', signal: 0 }]);
  t.true(await target.interrupt(), 'running');
  engine.emitEvent(stopEv(PID, 'requested'));
  engine.emitEvent(stopEv(PID + 1, 'requested'));
  t.is(stops.length, 2);
  await target.kill();
  t.false(await target.interrupt(), 'gone');
});

test('interrupt of a resume that found a kept event: its report is the stop that follows', async (t) => {
  const { target, stops } = await twoThreadsHit();
  t.is(stops.length, 1);
  await target.resume([{ mode: 'continue', signal: 0 }]);
  // The kept hit of PID+1 is reported on the next turn: that is the stop.
  t.true(await target.interrupt());
  await tick();
  t.is(stops.length, 2);
  t.false(await target.interrupt());
});

test('interrupt of a process dead but not yet seen: its end follows; another failure rejects', async (t) => {
  const { engine, target } = await launched();
  await target.resume([{ mode: 'continue', signal: 0 }]);
  engine.failStop = 'ESRCH';
  t.true(await target.interrupt());
  engine.failStop = 'EIO';
  await t.throwsAsync(target.interrupt());
});

test('a thread exiting while the others stop does not hold the stop back', async (t) => {
  const { engine, target, stops } = await launched();
  await target.resume([{ mode: 'continue', signal: 0 }]);
  engine.emitEvent({ type: 'thread-new', seq: ++seq, thread: ref(PID + 1), parent: 1n });
  engine.emitEvent(stopEv(PID, 'signal'));
  t.is(stops.length, 0);
  engine.emitEvent({ type: 'thread-exit', seq: ++seq, thread: ref(PID + 1), code: 0 });
  t.is(stops.length, 1);
  t.deepEqual(target.threads(), [{ pid: PID, tid: PID }]);
});

test('watch stops carry kind and address; exits are reported; kill waits for the exit', async (t) => {
  const { engine, target, stops } = await launched();
  await target.resume([{ mode: 'continue', signal: 0 }]);
  engine.emitEvent(stopEv(PID, 'watch', { data: [0x4040n, 3n] }));
  t.deepEqual(stops[0], {
    kind: 'stopped',
    thread: { pid: PID, tid: PID },
    signal: 5,
    cause: { type: 'watch', kind: 'read', addr: 0x4040n },
  });
  await target.resume([{ mode: 'continue', signal: 0 }]);
  engine.emitEvent({
    type: 'process-exit',
    seq: ++seq,
    thread: ref(PID),
    pid: PID,
    exit: { code: 3 },
  });
  t.deepEqual(stops[1], { kind: 'exited', pid: PID, code: 3 });
  t.deepEqual(target.threads(), []);
  await target.kill(); // already gone: no engine call
  t.false(engine.calls.includes('kill'));
});

test('kill resolves once the process-exit arrives, without reporting it', async (t) => {
  const { engine, target, stops } = await launched();
  await target.kill();
  t.true(engine.calls.includes('kill'));
  t.is(stops.length, 0);
});

test('a thread gone before its resume (ESRCH) is dropped; other failures fail the resume', async (t) => {
  const { engine, target, stops } = await launched();
  await target.resume([{ mode: 'continue', signal: 0 }]);
  engine.emitEvent({ type: 'thread-new', seq: ++seq, thread: ref(PID + 1), parent: 1n });
  engine.emitEvent(stopEv(PID, 'signal'));
  engine.emitEvent(stopEv(PID + 1, 'requested'));
  t.is(stops.length, 1);
  engine.failResume.set(BigInt(PID + 1), 'ESRCH');
  await target.resume([{ mode: 'continue', signal: 0 }]);
  t.deepEqual(target.threads(), [{ pid: PID, tid: PID }]);
  engine.emitEvent(stopEv(PID, 'signal'));
  t.is(stops.length, 2);
  engine.failResume.set(BigInt(PID), 'EPERM');
  const err = await t.throwsAsync(target.resume([{ mode: 'continue', signal: 0 }]));
  t.is((err as { errno?: number }).errno, 1);
});

test('an exec leaves one thread under the pid, drops our breakpoints, reports the new path', async (t) => {
  const { engine, target, stops } = await launched();
  await target.execEventOps.setExecEvents(true);
  await target.resume([{ mode: 'continue', signal: 0 }]);
  engine.emitEvent({ type: 'thread-new', seq: ++seq, thread: ref(PID + 1), parent: 1n });
  await target.breakpointOps.setSwBreakpoint(0x1000n);
  // Thread PID+1 execs: it becomes the leader (tid = pid), the old leader is gone.
  engine.emitEvent(
    stopEv(PID, 'exec', { thread: { handle: BigInt(PID + 1), tgid: PID, tid: PID } }),
  );
  t.deepEqual(target.threads(), [{ pid: PID, tid: PID }]);
  t.is(stops.length, 1);
  t.like(stops[0], { kind: 'stopped', signal: 5, cause: { type: 'exec' } });
  // The stale breakpoint is not in our books any more: a pending hit of it would be dropped.
  await target.resume([{ mode: 'continue', signal: 0 }]);
  t.is(engine.resumes.at(-1)!.handle, BigInt(PID + 1));
});

test('a new thread seen while an interrupt is pending stays stopped; one resumed quietly is re-stopped', async (t) => {
  const { engine, target, stops } = await launched();
  await target.resume([{ mode: 'continue', signal: 0 }]);
  engine.emitEvent({ type: 'thread-new', seq: ++seq, thread: ref(PID + 1), parent: 1n });
  engine.emitEvent(stopEv(PID + 1, 'new-thread'));
  t.is(engine.resumes.at(-1)!.handle, BigInt(PID + 1), 'joins the run');
  engine.emitEvent({ type: 'thread-new', seq: ++seq, thread: ref(PID + 2), parent: 1n });
  await target.interrupt();
  engine.emitEvent(stopEv(PID + 2, 'new-thread'));
  t.not(engine.resumes.at(-1)!.handle, BigInt(PID + 2), 'not resumed under an interrupt');
  engine.emitEvent(stopEv(PID, 'requested'));
  t.true(engine.calls.includes(`stop ${PID} ${PID + 1}`));
  t.is(stops.length, 0);
  engine.emitEvent(stopEv(PID + 1, 'requested'));
  t.is(stops.length, 1);
  t.like(stops[0], { cause: { type: 'interrupt' } });
});

test('a thread whose resume the engine takes after another thread stopped is stopped too', async (t) => {
  const { engine, target, stops } = await launched();
  await target.resume([{ mode: 'continue', signal: 0 }]);
  engine.emitEvent({ type: 'thread-new', seq: ++seq, thread: ref(PID + 1), parent: 1n });
  engine.emitEvent(stopEv(PID, 'signal'));
  engine.emitEvent(stopEv(PID + 1, 'requested'));
  t.is(stops.length, 1);
  // Both resumed; PID's resume runs it into a breakpoint before the engine reads PID+1's (the
  // engine's all-stop counted PID+1 as stopped then, and its resume lets it run on).
  let answer = () => {};
  engine.holdResume.set(BigInt(PID + 1), new Promise<void>((r) => (answer = r)));
  const resumed = target.resume([{ mode: 'continue', signal: 0 }]);
  await tick();
  engine.emitEvent(stopEv(PID, 'breakpoint'));
  t.false(engine.calls.includes(`stop ${PID} ${PID + 1}`), 'not before its resume is taken');
  answer();
  await resumed;
  await tick();
  t.true(engine.calls.includes(`stop ${PID} ${PID + 1}`));
  t.is(stops.length, 1, 'the stop waits for PID+1');
  engine.emitEvent(stopEv(PID + 1, 'requested'));
  t.is(stops.length, 2);
  t.like(stops[1], { thread: { pid: PID, tid: PID }, cause: { type: 'sw-break' } });
});

test("a stepping thread's event is reported before another thread's, which stays pending", async (t) => {
  const { engine, target, stops } = await launched();
  await target.resume([{ mode: 'continue', signal: 0 }]);
  engine.emitEvent({ type: 'thread-new', seq: ++seq, thread: ref(PID + 1), parent: 1n });
  engine.emitEvent(stopEv(PID, 'signal'));
  engine.emitEvent(stopEv(PID + 1, 'requested'));
  t.is(stops.length, 1);
  // PID steps (over a clone, say) while PID+1 runs; PID+1's signal comes first.
  await target.resume([
    { thread: { pid: PID, tid: PID }, mode: 'step', signal: 0 },
    { mode: 'continue', signal: 0 },
  ]);
  engine.emitEvent(stopEv(PID + 1, 'signal', { signo: 6 }));
  t.is(stops.length, 1, 'not before the stepping thread stopped');
  engine.emitEvent(stopEv(PID, 'step'));
  t.deepEqual(stops[1], {
    kind: 'stopped',
    thread: { pid: PID, tid: PID },
    signal: 5,
    cause: { type: 'step' },
  });
  const before = engine.resumes.length;
  await target.resume([{ mode: 'continue', signal: 0 }]);
  await tick();
  t.is(engine.resumes.length, before, 'the kept signal is reported without running anything');
  t.like(stops[2], { kind: 'stopped', thread: { pid: PID, tid: PID + 1 }, signal: 6 });
});

test("an interrupt that holds (another process's stop) keeps the thread's own event for the next resume, which runs nothing", async (t) => {
  const { engine, target, stops } = await launched();
  await target.breakpointOps.setSwBreakpoint(0x1000n);
  await target.resume([{ mode: 'continue', signal: 0 }]);
  t.true(await target.interrupt(true));
  // The breakpoint hit comes before the stop asked for: it is not the interrupt's stop.
  engine.emitEvent(stopEv(PID, 'breakpoint'));
  t.deepEqual(stops, [
    { kind: 'stopped', thread: { pid: PID, tid: PID }, signal: 2, cause: { type: 'interrupt' } },
  ]);
  t.true(target.hasPendingStop([{ mode: 'continue', signal: 0 }]));
  t.false(target.hasPendingStop([{ thread: { pid: PID, tid: PID + 9 }, mode: 'step', signal: 0 }]));
  const before = engine.resumes.length;
  await target.resume([{ mode: 'continue', signal: 0 }]);
  await tick();
  t.is(engine.resumes.length, before, 'nothing runs');
  t.deepEqual(stops[1], {
    kind: 'stopped',
    thread: { pid: PID, tid: PID },
    signal: 5,
    cause: { type: 'sw-break' },
  });
  t.false(target.hasPendingStop([{ mode: 'continue', signal: 0 }]));
});

test("an interrupt that holds keeps a collected stop too; an interrupt's own stop and GDB's Ctrl-C report as before", async (t) => {
  const { engine, target, stops } = await launched();
  await target.resume([{ mode: 'continue', signal: 0 }]);
  engine.emitEvent({ type: 'thread-new', seq: ++seq, thread: ref(PID + 1), parent: 1n });
  // A signal is collecting when the other process's stop asks this one to stop.
  engine.emitEvent(stopEv(PID + 1, 'signal'));
  t.true(await target.interrupt(true));
  engine.emitEvent(stopEv(PID, 'requested'));
  t.like(stops[0], { cause: { type: 'interrupt' } });
  t.true(target.hasPendingStop([{ mode: 'continue', signal: 0 }]));
  await target.resume([{ mode: 'continue', signal: 0 }]);
  await tick();
  t.like(stops[1], { thread: { tid: PID + 1 }, signal: 11, cause: { type: 'signal' } });
  // GDB's own Ctrl-C: the event that comes first is the stop, as gdbserver reports it.
  await target.resume([{ mode: 'continue', signal: 0 }]);
  t.true(await target.interrupt());
  engine.emitEvent(stopEv(PID, 'signal'));
  engine.emitEvent(stopEv(PID + 1, 'requested'));
  t.like(stops[2], { thread: { tid: PID }, cause: { type: 'signal' } });
});

test('an interrupt that holds while a kept event is due to be reported keeps it for the resume after', async (t) => {
  const { engine, target, stops } = await twoThreadsHit();
  t.is(stops.length, 1);
  await target.resume([{ mode: 'continue', signal: 0 }]);
  // Another process's stop asks this one to stop before the kept hit's report went out.
  t.true(await target.interrupt(true));
  await tick();
  t.like(stops[1], { cause: { type: 'interrupt' } });
  const before = engine.resumes.length;
  await target.resume([{ mode: 'continue', signal: 0 }]);
  await tick();
  t.is(engine.resumes.length, before);
  t.like(stops[2], { thread: { tid: PID + 1 }, cause: { type: 'sw-break' } });
});

test('a kept breakpoint hit is dropped once gdb moves the thread off the breakpoint, kept while the pc stays', async (t) => {
  // gdbserver discards a pending breakpoint status whose pc changed (linux-low.cc,
  // thread_still_has_status_pending): after an inferior call or a `jump` set the pc, the
  // thread runs from there instead of reporting the old hit.
  const gprAt = (pc: bigint) => {
    const g = Buffer.alloc(216);
    g.writeBigUInt64LE(pc, 16 * 8);
    return g;
  };
  const moved = await twoThreadsHit();
  await moved.target.writeRegisters({ pid: PID, tid: PID + 1 }, 'gpr', gprAt(0x2000n));
  const before = moved.engine.resumes.length;
  await moved.target.resume([{ mode: 'continue', signal: 0 }]);
  await tick();
  t.is(moved.stops.length, 1, 'the old hit reported');
  t.is(moved.engine.resumes.length, before + 2);

  const stays = await twoThreadsHit();
  await stays.target.writeRegisters({ pid: PID, tid: PID + 1 }, 'gpr', gprAt(0x1000n));
  await stays.target.resume([{ mode: 'continue', signal: 0 }]);
  await tick();
  t.like(stays.stops[1], { thread: { tid: PID + 1 }, cause: { type: 'sw-break' } });
});
