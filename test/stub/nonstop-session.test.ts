// Session in non-stop mode over a fake target that stops and resumes threads one by one:
// QNonStop negotiation, vCont answered OK at once with packets served while threads run, the
// `%Stop` queue (one outstanding, the rest through vStopped), `?` per stopped thread, vCont;t,
// vCtrlC, QThreadEvents, and all-stop targets refusing QNonStop:1.
import { connect, createServer } from 'node:net';
import test from 'ava';
import { Framer } from '../../rsp/framer.js';
import { Session } from '../../stub/session.js';
import type { NonStopOps, Ptid, ResumeAction, Target, TargetStop } from '../../stub/target.js';
import { FakeTarget } from '../helpers/fake-target.js';
import { connectSession, type Harness, RspClient } from '../helpers/rsp-client.js';

const PID = 1000;
const THREADS = [PID, PID + 1, PID + 2];

/** FakeTarget with per-thread running state and the non-stop and thread-event groups. */
class NonStopFake extends FakeTarget {
  readonly runningTids = new Set<number>();
  nonStopOn = false;
  threadEventsOn = false;
  readonly stopRequests: string[] = [];

  override async resume(actions: ResumeAction[]): Promise<void> {
    this.calls.push(
      `resume ${actions.map((a) => `${a.mode}:${a.thread?.tid ?? 'all'}`).join(',')}`,
    );
    for (const a of actions) {
      if (a.thread) this.runningTids.add(a.thread.tid);
      else for (const t of this.threadList) this.runningTids.add(t.tid);
    }
  }

  /** A thread stops by itself (a breakpoint, say). */
  stopThread(stop: TargetStop & { kind: 'stopped' }): void {
    this.runningTids.delete(stop.thread.tid);
    this.report(stop);
  }

  readonly nonStopOps: NonStopOps = {
    setNonStop: async (on) => {
      this.nonStopOn = on;
    },
    stopThreads: async (threads, signal) => {
      const which = (threads ?? this.threadList).filter((t) => this.runningTids.has(t.tid));
      this.stopRequests.push(`${which.map((t) => t.tid).join(',')} sig ${signal}`);
      setImmediate(() => {
        for (const t of which) {
          this.stopThread({ kind: 'stopped', thread: t, signal, cause: { type: 'interrupt' } });
        }
      });
    },
    isRunning: (t: Ptid) => this.runningTids.has(t.tid),
  };

  nonStopTarget(): Target {
    const t = this.asTarget();
    t.nonStop = this.nonStopOps;
    t.threadEvents = {
      setThreadEvents: async (on) => {
        this.threadEventsOn = on;
      },
    };
    return t;
  }
}

/** Collects `%` notifications beside the client's replies. */
function notifications(h: Pick<Harness, 'client'>): string[] {
  const framer = new Framer({ maxPacketSize: 1 << 20 });
  const notes: string[] = [];
  h.client.sock.on('data', (chunk: Buffer) => {
    for (const ev of framer.push(chunk)) {
      if (ev.type === 'notification') notes.push(ev.body.toString('latin1'));
    }
  });
  return notes;
}

const tick = () => new Promise((r) => setImmediate(r));

async function nonStopSession() {
  const fake = new NonStopFake(PID, THREADS).map(0x401000n, Buffer.from([0x90]));
  const h = await connectSession(fake.nonStopTarget());
  const notes = notifications(h);
  await h.client.request('qSupported:multiprocess+;swbreak+');
  return { fake, h, notes };
}

const at = (tid: number): Ptid => ({ pid: PID, tid });

test('qSupported offers QNonStop and QThreadEvents; vCont? offers t', async (t) => {
  const fake = new NonStopFake(PID, THREADS);
  const h = await connectSession(fake.nonStopTarget());
  const feats = (await h.client.request('qSupported:multiprocess+')).split(';');
  t.true(feats.includes('QNonStop+'));
  t.true(feats.includes('QThreadEvents+'));
  t.is(await h.client.request('vCont?'), 'vCont;c;C;s;S;t;r');
  await h.close();
});

test('an all-stop target refuses QNonStop:1 and offers neither feature', async (t) => {
  const h = await connectSession(new FakeTarget(PID, THREADS).asTarget());
  const feats = (await h.client.request('qSupported:multiprocess+')).split(';');
  t.false(feats.includes('QNonStop+'));
  t.false(feats.includes('QThreadEvents+'));
  t.is(await h.client.request('QNonStop:1'), 'E01');
  t.is(await h.client.request('QNonStop:0'), 'OK');
  t.is(await h.client.request('vStopped'), '');
  await h.close();
});

test('non-stop: vCont answers OK at once, stops queue behind the outstanding one', async (t) => {
  const { fake, h, notes } = await nonStopSession();
  t.is(await h.client.request('QNonStop:1'), 'OK');
  t.true(fake.nonStopOn);
  t.is(await h.client.request('vCont;c'), 'OK');
  t.deepEqual(
    fake.calls.filter((c) => c.startsWith('resume')),
    [`resume continue:${PID},continue:${PID + 1},continue:${PID + 2}`],
  );
  // Packets are served while everything runs.
  t.is(await h.client.request('m401000,1'), '90');
  // Two threads stop: only the first is notified; the second waits for vStopped.
  fake.stopThread({ kind: 'stopped', thread: at(PID + 1), signal: 5, cause: { type: 'sw-break' } });
  fake.stopThread({ kind: 'stopped', thread: at(PID + 2), signal: 10, cause: { type: 'signal' } }); // SIGUSR1: GDB 30
  await tick();
  await tick();
  t.is(notes.length, 1);
  t.regex(notes[0]!, /^Stop:T05.*thread:p3e8\.3e9;$/);
  t.regex(await h.client.request('vStopped'), /^T1e.*thread:p3e8\.3ea;$/);
  t.is(await h.client.request('vStopped'), 'OK');
  // The queue is empty again: the next stop is a new notification.
  fake.stopThread({ kind: 'stopped', thread: at(PID), signal: 5, cause: { type: 'sw-break' } });
  await tick();
  await tick();
  t.is(notes.length, 2);
  t.regex(notes[1]!, /thread:p3e8\.3e8;$/);
  t.is(await h.client.request('vStopped'), 'OK');
  await h.close();
});

test('non-stop: a thread whose stop GDB has not taken with vStopped yet is not resumed', async (t) => {
  const { fake, h } = await nonStopSession();
  t.is(await h.client.request('QNonStop:1'), 'OK');
  t.is(await h.client.request('vCont;c'), 'OK');
  fake.stopThread({ kind: 'stopped', thread: at(PID + 1), signal: 5, cause: { type: 'sw-break' } });
  fake.stopThread({ kind: 'stopped', thread: at(PID + 2), signal: 5, cause: { type: 'step' } });
  await tick();
  await tick();
  // GDB takes PID+1's stop (vStopped hands out PID+2's, which stays queued until the next
  // vStopped), then steps PID+1 and continues the rest: PID+2 stays stopped (gdbserver's
  // in_queued_stop_replies), or it would report a second stop before GDB saw the first.
  t.regex(await h.client.request('vStopped'), /^T05.*thread:p3e8\.3ea;$/);
  fake.calls.length = 0;
  t.is(await h.client.request('vCont;s:p3e8.3e9;c'), 'OK');
  t.deepEqual(
    fake.calls.filter((c) => c.startsWith('resume')),
    [`resume step:${PID + 1}`], // PID still runs
  );
  t.is(await h.client.request('vStopped'), 'OK');
  // Taken in: now it runs.
  t.is(await h.client.request('vCont;c:p3e8.3ea'), 'OK');
  t.deepEqual(fake.calls.filter((c) => c.startsWith('resume')).slice(-1), [
    `resume continue:${PID + 2}`,
  ]);
  await h.close();
});

test('non-stop: vCont;t and vCtrlC ask the target; ? lists every stopped thread', async (t) => {
  const { fake, h, notes } = await nonStopSession();
  await h.client.request('QNonStop:1');
  // The launch stop and two threads never reported: `?` gives all three, one per vStopped.
  const first = await h.client.request('?');
  t.regex(first, /^T05.*thread:p3e8\.3e8;$/);
  t.regex(await h.client.request('vStopped'), /^T00.*thread:p3e8\.3e9;$/);
  t.regex(await h.client.request('vStopped'), /^T00.*thread:p3e8\.3ea;$/);
  t.is(await h.client.request('vStopped'), 'OK');
  // Only PID + 1 runs; a vCont naming a running thread leaves it alone.
  t.is(await h.client.request(`vCont;c:p3e8.3e9`), 'OK');
  t.is(await h.client.request(`vCont;c:p3e8.3e9`), 'OK');
  t.deepEqual(
    fake.calls.filter((c) => c.startsWith('resume')),
    [`resume continue:${PID + 1}`],
  );
  // vCtrlC: the running thread stops with SIGINT.
  t.is(await h.client.request('vCtrlC'), 'OK');
  t.deepEqual(fake.stopRequests, [`${PID + 1} sig 2`]);
  await tick();
  await tick();
  t.regex(notes.at(-1)!, /^Stop:T02.*thread:p3e8\.3e9;$/);
  t.is(await h.client.request('vStopped'), 'OK');
  // vCont;t on one running thread: signal 0.
  await h.client.request('vCont;c:p3e8.3ea');
  t.is(await h.client.request('vCont;t:p3e8.3ea'), 'OK');
  t.deepEqual(fake.stopRequests.at(-1), `${PID + 2} sig 0`);
  await tick();
  await tick();
  t.regex(notes.at(-1)!, /^Stop:T00.*thread:p3e8\.3ea;$/);
  t.is(await h.client.request('vStopped'), 'OK');
  // `?` now reports each thread's last stop.
  const status = [await h.client.request('?')];
  for (;;) {
    const r = await h.client.request('vStopped');
    if (r === 'OK') break;
    status.push(r);
  }
  t.deepEqual(
    status.map((s) => s.slice(0, 3)),
    ['T05', 'T02', 'T00'],
  );
  await h.close();
});

test('QThreadEvents: passed to the target; create and w stop replies', async (t) => {
  const { fake, h, notes } = await nonStopSession();
  await h.client.request('QNonStop:1');
  t.is(await h.client.request('QThreadEvents:1'), 'OK');
  t.true(fake.threadEventsOn);
  await h.client.request('vCont;c');
  fake.threadList.push(at(PID + 3));
  fake.stopThread({
    kind: 'stopped',
    thread: at(PID + 3),
    signal: 5,
    cause: { type: 'thread-created' },
  });
  await tick();
  await tick();
  t.regex(notes.at(-1)!, /^Stop:T05create:;.*thread:p3e8\.3eb;$/);
  t.is(await h.client.request('vStopped'), 'OK');
  fake.threadList.pop();
  fake.report({ kind: 'thread-exited', thread: at(PID + 3), code: 0 });
  await tick();
  await tick();
  t.is(notes.at(-1), 'Stop:w00;p3e8.3eb');
  t.is(await h.client.request('vStopped'), 'OK');
  t.is(await h.client.request('QThreadEvents:0'), 'OK');
  t.false(fake.threadEventsOn);
  await h.close();
});

test('all-stop is untouched: vCont waits for the stop and replies with it', async (t) => {
  const fake = new NonStopFake(PID, THREADS);
  const h = await connectSession(fake.nonStopTarget());
  const notes = notifications(h);
  fake.script.push({ kind: 'stopped', thread: at(PID), signal: 5, cause: { type: 'signal' } });
  // NonStopFake.resume reports nothing by itself: deliver the stop after the resume.
  const reply = h.client.request('vCont;c');
  while (!fake.calls.some((c) => c.startsWith('resume'))) await tick();
  fake.report(fake.script.shift()!);
  t.regex(await reply, /^T05/);
  t.deepEqual(notes, []);
  await h.close();
});

test('non-stop with two processes: stops of both are queued with their pids, ? lists both', async (t) => {
  const a = new NonStopFake(PID, [PID, PID + 1]);
  const b = new NonStopFake(2000, [2000]);
  let session!: Session;
  const server = createServer((sock) => {
    session = new Session(sock, [a.nonStopTarget(), b.nonStopTarget()]);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const sock = connect((server.address() as { port: number }).port, '127.0.0.1');
  await new Promise<void>((r) => sock.once('connect', () => r()));
  const client = new RspClient(sock);
  const notes = notifications({ client });
  try {
    await client.request('qSupported:multiprocess+');
    t.is(await client.request('QNonStop:1'), 'OK');
    t.true(a.nonStopOn && b.nonStopOn);
    // One vCont resumes every thread of both processes.
    t.is(await client.request('vCont;c'), 'OK');
    t.deepEqual(
      a.calls.filter((c) => c.startsWith('resume')),
      [`resume continue:${PID},continue:${PID + 1}`],
    );
    t.deepEqual(
      b.calls.filter((c) => c.startsWith('resume')),
      ['resume continue:2000'],
    );
    b.stopThread({
      kind: 'stopped',
      thread: { pid: 2000, tid: 2000 },
      signal: 5,
      cause: { type: 'sw-break' },
    });
    a.stopThread({ kind: 'stopped', thread: at(PID + 1), signal: 5, cause: { type: 'sw-break' } });
    await tick();
    await tick();
    t.is(notes.length, 1);
    t.regex(notes[0]!, /thread:p7d0\.7d0;$/);
    t.regex(await client.request('vStopped'), /thread:p3e8\.3e9;$/);
    t.is(await client.request('vStopped'), 'OK');
    // vCont;t for one process stops only its running thread.
    t.is(await client.request('vCont;t:p3e8.-1'), 'OK');
    t.deepEqual(a.stopRequests, [`${PID} sig 0`]);
    t.deepEqual(b.stopRequests, []);
    await tick();
    await tick();
    t.regex(notes.at(-1)!, /^Stop:T00.*thread:p3e8\.3e8;$/);
    t.is(await client.request('vStopped'), 'OK');
    const status = [await client.request('?')];
    for (;;) {
      const r = await client.request('vStopped');
      if (r === 'OK') break;
      status.push(r);
    }
    t.deepEqual(status.map((s) => /thread:(p[0-9a-f.]+);/.exec(s)?.[1]).sort(), [
      'p3e8.3e8',
      'p3e8.3e9',
      'p7d0.7d0',
    ]);
  } finally {
    client.close();
    await session.ended;
    await new Promise((r) => server.close(r));
  }
});
