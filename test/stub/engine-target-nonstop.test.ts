// EngineTarget in non-stop mode against a scripted Engine: the engine's all-stop is switched
// off, each thread's stop is reported by itself while the others run, resumes touch only the
// threads named, stop requests report the signal asked for, and thread events (QThreadEvents)
// become `create` and `w` stops.
import { EventEmitter } from 'node:events';
import test from 'ava';
import type {
  Engine,
  EngineEvent,
  HelloInfo,
  ProcessOptions,
  ResumeRequest,
  StopEvent,
  StopReason,
  ThreadRef,
} from '../../native/types.js';
import { EngineTarget } from '../../stub/engine-target.js';
import type { TargetStop } from '../../stub/target.js';

const PID = 700;

function ref(tid: number): ThreadRef {
  return { handle: BigInt(tid), tgid: PID, tid };
}

let seq = 0n;
function stopEv(tid: number, reason: StopReason, data: bigint[] = [0x1000n]): StopEvent {
  seq++;
  return {
    type: 'stop',
    seq,
    thread: ref(tid),
    stopId: seq,
    reason,
    signo: reason === 'signal' ? 10 : 5,
    pc: 0x1000n,
    sp: 0x2000n,
    data,
    siginfo: Buffer.alloc(128),
  };
}

class ScriptedEngine extends EventEmitter {
  readonly calls: string[] = [];
  readonly resumes: ResumeRequest[] = [];
  readonly options: ProcessOptions[] = [];
  info = {
    abi: 1,
    backend: 'user',
    caps: { launch: true, swBreak: true, allStop: true, xstate: false },
    maxRecord: 65536,
    queueBytes: 1 << 16,
    hwSlots: 4,
    xstateSize: 0,
    xcr0: 0n,
  } as unknown as HelloInfo;
  emitEvent(ev: EngineEvent): void {
    this.emit('event', ev);
  }
  async launch(): Promise<ThreadRef> {
    setImmediate(() => this.emitEvent(stopEv(PID, 'launch')));
    return ref(PID);
  }
  async setOptions(_pid: number, opts: ProcessOptions): Promise<void> {
    this.options.push(opts);
  }
  async resume(req: ResumeRequest): Promise<void> {
    this.calls.push(`resume ${req.handle}`);
    this.resumes.push(req);
  }
  async stop(pid: number, handle?: bigint): Promise<void> {
    this.calls.push(`stop ${pid}${handle === undefined ? '' : ` ${handle}`}`);
  }
  async kill(): Promise<void> {
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

const tick = () => new Promise((r) => setImmediate(r));

/** A launched three-thread process in non-stop mode, every thread stopped. */
async function nonStopTarget(threadEvents = false) {
  const engine = new ScriptedEngine();
  const target = await EngineTarget.launch(engine as unknown as Engine, {
    path: '/p',
    argv: ['/p'],
    env: [],
  });
  const stops: TargetStop[] = [];
  target.onStop((s) => stops.push(s));
  const t = target.asTarget();
  await t.nonStop!.setNonStop(true);
  if (threadEvents) await t.threadEvents!.setThreadEvents(true);
  // Two more threads, created while running and stopped since.
  await target.resume([{ mode: 'continue', signal: 0 }]);
  for (const tid of [PID + 1, PID + 2]) {
    engine.emitEvent({ type: 'thread-new', seq: ++seq, thread: ref(tid), parent: 1n });
    engine.emitEvent(stopEv(tid, 'requested'));
  }
  engine.emitEvent(stopEv(PID, 'requested'));
  await tick();
  stops.length = 0;
  engine.calls.length = 0;
  return { engine, target, t, stops };
}

test('non-stop switches the engine all-stop off, and back', async (t) => {
  const { engine, t: target } = await nonStopTarget();
  t.is(engine.options.at(-1)!.allStop, false);
  await target.nonStop!.setNonStop(false);
  t.is(engine.options.at(-1)!.allStop, true);
});

test('a resume runs only the stopped threads it names; each stop is reported alone', async (t) => {
  const { engine, target, t: tg, stops } = await nonStopTarget();
  await target.resume([{ thread: { pid: PID, tid: PID + 1 }, mode: 'continue', signal: 0 }]);
  t.deepEqual(engine.calls, [`resume ${PID + 1}`]);
  t.true(tg.nonStop!.isRunning({ pid: PID, tid: PID + 1 }));
  t.false(tg.nonStop!.isRunning({ pid: PID, tid: PID }));
  // A wildcard resume leaves the running thread alone and starts the two stopped ones.
  engine.calls.length = 0;
  await target.resume([{ mode: 'continue', signal: 0 }]);
  t.deepEqual(engine.calls.sort(), [`resume ${PID + 2}`, `resume ${PID}`].sort());
  // One thread hits a breakpoint: reported at once, nobody else is asked to stop.
  engine.calls.length = 0;
  engine.emitEvent(stopEv(PID + 1, 'breakpoint'));
  t.deepEqual(stops, [
    {
      kind: 'stopped',
      thread: { pid: PID, tid: PID + 1 },
      signal: 5,
      cause: { type: 'sw-break' },
    },
  ]);
  t.deepEqual(engine.calls, []);
  t.true(tg.nonStop!.isRunning({ pid: PID, tid: PID }));
});

test('stop requests: vCont;t reports signal 0, a ^C reports SIGINT, stopped threads nothing', async (t) => {
  const { engine, target, t: tg, stops } = await nonStopTarget();
  await target.resume([
    { thread: { pid: PID, tid: PID }, mode: 'continue', signal: 0 },
    { thread: { pid: PID, tid: PID + 1 }, mode: 'continue', signal: 0 },
  ]);
  engine.calls.length = 0;
  // PID + 2 is stopped already: only PID is asked.
  await tg.nonStop!.stopThreads(
    [
      { pid: PID, tid: PID },
      { pid: PID, tid: PID + 2 },
    ],
    0,
  );
  t.deepEqual(engine.calls, [`stop ${PID} ${PID}`]);
  engine.emitEvent(stopEv(PID, 'requested'));
  t.deepEqual(stops.at(-1), {
    kind: 'stopped',
    thread: { pid: PID, tid: PID },
    signal: 0,
    cause: { type: 'interrupt' },
  });
  engine.calls.length = 0;
  await tg.nonStop!.stopThreads(undefined, 2);
  t.deepEqual(engine.calls, [`stop ${PID}`]);
  engine.emitEvent(stopEv(PID + 1, 'requested'));
  t.is(stops.length, 2);
  t.like(stops.at(-1), { thread: { tid: PID + 1 }, signal: 2, cause: { type: 'interrupt' } });
  // Nothing runs now: another request asks nothing of the engine.
  engine.calls.length = 0;
  await tg.nonStop!.stopThreads(undefined, 0);
  t.deepEqual(engine.calls, []);
});

test('thread events: clone stops asked for, create reported, parent resumed, w on exit', async (t) => {
  const { engine, target, stops } = await nonStopTarget(true);
  t.is(engine.options.at(-1)!.events?.clone, true);
  await target.resume([{ thread: { pid: PID, tid: PID }, mode: 'continue', signal: 0 }]);
  engine.calls.length = 0;
  const child = PID + 3;
  engine.emitEvent(stopEv(PID, 'clone', [BigInt(child), BigInt(child)]));
  engine.emitEvent({ type: 'thread-new', seq: ++seq, thread: ref(child), parent: BigInt(PID) });
  engine.emitEvent(stopEv(child, 'new-thread'));
  // The parent runs on quietly; the child's creation is the stop.
  t.deepEqual(engine.calls, [`resume ${PID}`]);
  t.deepEqual(stops, [
    {
      kind: 'stopped',
      thread: { pid: PID, tid: child },
      signal: 5,
      cause: { type: 'thread-created' },
    },
  ]);
  await target.resume([{ thread: { pid: PID, tid: child }, mode: 'continue', signal: 0 }]);
  engine.emitEvent({ type: 'thread-exit', seq: ++seq, thread: ref(child), code: 0 });
  t.deepEqual(stops.at(-1), { kind: 'thread-exited', thread: { pid: PID, tid: child }, code: 0 });
  t.false(target.threads().some((x) => x.tid === child));
});

test('without thread events a thread exit is not a stop and new threads just run', async (t) => {
  const { engine, target, stops } = await nonStopTarget(false);
  t.falsy(engine.options.at(-1)!.events?.clone);
  await target.resume([{ mode: 'continue', signal: 0 }]);
  engine.calls.length = 0;
  engine.emitEvent({ type: 'thread-new', seq: ++seq, thread: ref(PID + 5), parent: 1n });
  engine.emitEvent(stopEv(PID + 5, 'new-thread'));
  t.deepEqual(engine.calls, [`resume ${PID + 5}`]);
  engine.emitEvent({ type: 'thread-exit', seq: ++seq, thread: ref(PID + 2), code: 0 });
  t.deepEqual(stops, []);
});

test('kill in non-stop lets stopped threads run into the SIGKILL and waits for the exit', async (t) => {
  const { engine, target } = await nonStopTarget();
  await target.kill();
  t.deepEqual(
    engine.calls.filter((c) => c.startsWith('resume')).sort(),
    [`resume ${PID}`, `resume ${PID + 1}`, `resume ${PID + 2}`].sort(),
  );
});

test('all-stop with thread events: a creation or an exit is the one stop, after all stopped', async (t) => {
  const engine = new ScriptedEngine();
  const target = await EngineTarget.launch(engine as unknown as Engine, {
    path: '/p',
    argv: ['/p'],
    env: [],
  });
  const stops: TargetStop[] = [];
  target.onStop((s) => stops.push(s));
  await target.asTarget().threadEvents!.setThreadEvents(true);
  t.is(engine.options.at(-1)!.allStop, true);
  await target.resume([{ mode: 'continue', signal: 0 }]);
  const child = PID + 1;
  // The engine's all-stop holds the STOP records until every thread stopped; the thread report
  // comes first.
  engine.emitEvent({ type: 'thread-new', seq: ++seq, thread: ref(child), parent: BigInt(PID) });
  engine.emitEvent(stopEv(PID, 'clone', [BigInt(child), BigInt(child)]));
  t.deepEqual(stops, []);
  engine.emitEvent(stopEv(child, 'new-thread'));
  t.deepEqual(stops, [
    {
      kind: 'stopped',
      thread: { pid: PID, tid: child },
      signal: 5,
      cause: { type: 'thread-created' },
    },
  ]);
  // The exit of a thread while both run: the other is stopped, then the exit is reported.
  await target.resume([{ mode: 'continue', signal: 0 }]);
  engine.calls.length = 0;
  engine.emitEvent({ type: 'thread-exit', seq: ++seq, thread: ref(child), code: 0 });
  t.deepEqual(engine.calls, [`stop ${PID}`]);
  t.is(stops.length, 1);
  engine.emitEvent(stopEv(PID, 'requested'));
  t.deepEqual(stops.at(-1), { kind: 'thread-exited', thread: { pid: PID, tid: child }, code: 0 });
});
