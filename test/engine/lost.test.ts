// NTRACE_EV_LOST: while the client reads nothing, droppable reports (THREAD_NEW/THREAD_EXIT)
// beyond the provider's queue bound are dropped and counted, and a LOST record says how many;
// stops are never dropped, and the event numbering shows exactly the lost ones as gaps.
import { readdirSync } from 'node:fs';
import { type EngineEvent, openEngine, type StopEvent } from '../../native/index.js';
import { compileFixture } from '../helpers/compile.js';
import { capTest, isHeld, taskState } from './_session.js';

const SIGUSR1 = 10;
const RAISERS = 4;
/** Bytes of a THREAD_NEW or THREAD_EXIT record (struct ntrace_ev_thread). */
const REPORT_SIZE = 40;
/** How long the storm may stand still before the test gives up (a hang guard, not a measure). */
const STILL_MS = 30_000;

function tasks(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).map(Number);
  } catch {
    return [];
  }
}

/**
 * Polls `cond` while the target moves: the guard restarts whenever `progress()` changes. The
 * storm's thousands of threads take minutes in the QEMU guest under load; only a target that
 * stands still for STILL_MS (a lost wake-up, a stop never taken) fails.
 */
async function untilProgress(cond: () => boolean, progress: () => string, what: string) {
  let last = progress();
  let deadline = Date.now() + STILL_MS;
  while (!cond()) {
    const now = progress();
    if (now !== last) {
      last = now;
      deadline = Date.now() + STILL_MS;
    } else if (Date.now() > deadline) {
      throw new Error(`no progress towards ${what} for ${STILL_MS} ms: ${now}`);
    }
    await new Promise((r) => setTimeout(r, 2));
  }
}

capTest(
  ['launch', 'signalFilter'],
  'reports past the queue bound are counted in LOST, and every stop still arrives',
  async (t) => {
    // The storm's pace is the machine's (the guards below wait while it moves): ava's idle
    // timeout must not cut it first.
    t.timeout(600_000, 'the report storm');
    const path = await compileFixture('../engine/fixtures/threadstorm.c', {
      flags: ['-pthread'],
      output: 'threadstorm',
    });
    const e = await openEngine();
    t.teardown(() => e.close());
    const events: EngineEvent[] = [];
    let wake: (() => void) | undefined;
    e.on('event', (ev) => {
      events.push(ev);
      wake?.();
    });
    const waitFor = async (cond: () => boolean, what: string) => {
      const guard = setTimeout(() => wake?.(), 30_000);
      try {
        while (!cond()) {
          const before = events.length;
          await new Promise<void>((r) => {
            wake = r;
          });
          if (events.length === before) throw new Error(`no ${what} (got ${events.length})`);
        }
      } finally {
        clearTimeout(guard);
        wake = undefined;
      }
    };
    // Twice as many reports as the bound holds, plus what the socket itself may buffer.
    const storm = Math.min(50_000, Math.ceil((2 * e.info.queueBytes) / REPORT_SIZE) + 2000);
    const ref = await e.launch({ path, argv: [path, String(storm), String(RAISERS)], env: [] });
    const pid = ref.tgid;
    await waitFor(() => events.some((ev) => ev.type === 'stop'), 'launch stop');
    const launch = events.find((ev): ev is StopEvent => ev.type === 'stop');
    if (launch === undefined) throw new Error('no launch stop');
    await e.setOptions(pid, { events: { threadReports: true }, stopSignals: [SIGUSR1] });

    e.channel.pauseReading();
    const resumed = e.resume({ handle: launch.thread.handle, stopId: launch.stopId, mode: 'cont' });
    // The storm is over once the raisers exist and all sit in their signal stops. It moves
    // while its threads come and go or change state.
    await untilProgress(
      () => {
        const ts = tasks(pid).filter((tid) => tid !== pid);
        return ts.length === RAISERS && ts.every((tid) => isHeld(pid, tid));
      },
      () =>
        tasks(pid)
          .map((tid) => `${tid}${taskState(pid, tid) ?? '-'}`)
          .join(' '),
      'the raisers to stop',
    );
    e.channel.resumeReading();
    await resumed;

    const signalStops = () =>
      events.filter((ev): ev is StopEvent => ev.type === 'stop' && ev.reason === 'signal');
    await waitFor(() => signalStops().length === RAISERS, 'signal stops');
    const lost = events.filter((ev) => ev.type === 'lost');
    t.true(lost.length >= 1, 'a LOST record arrived');
    const lostCount = lost.reduce((n, ev) => n + Number(ev.type === 'lost' ? ev.count : 0n), 0);
    t.true(lostCount > 0);

    for (const s of signalStops()) {
      await e.resume({ handle: s.thread.handle, stopId: s.stopId, mode: 'cont', signal: 0 });
    }
    await waitFor(() => events.some((ev) => ev.type === 'process-exit'), 'process exit');
    const exit = events.find((ev) => ev.type === 'process-exit');
    t.deepEqual(exit?.type === 'process-exit' ? exit.exit : undefined, { code: 0 });

    // Nothing vanished silently: every thread's two reports arrived or were counted as lost.
    const reports = events.filter((ev) => ev.type === 'thread-new' || ev.type === 'thread-exit');
    const leaderReports = reports.filter((ev) => 'thread' in ev && ev.thread.tid === pid);
    t.deepEqual(
      leaderReports.map((ev) => ev.type),
      [],
      'the leader is the process: no thread reports',
    );
    t.is(reports.length + lostCount, 2 * (storm + RAISERS));
    // Event numbers rise in arrival order, and the gaps are exactly the lost reports.
    const seqs = events.map((ev) => ev.seq);
    t.true(seqs.every((s, i) => i === 0 || s > seqs[i - 1]!));
    // Numbers neither delivered nor inside a LOST range, with the events around them.
    const covered = new Set<bigint>();
    for (const ev of lost) {
      if (ev.type !== 'lost') continue;
      for (let k = 0n; k < ev.count; k++) covered.add(ev.firstSeq + k);
    }
    const unexplained: string[] = [];
    for (let i = 1; i < events.length; i++) {
      for (let s = seqs[i - 1]! + 1n; s < seqs[i]!; s++) {
        if (!covered.has(s))
          unexplained.push(`${s} after ${events[i - 1]!.type}, before ${events[i]!.type}`);
      }
    }
    t.deepEqual(unexplained, [], 'every gap is a counted loss');
    t.is(Number(seqs[seqs.length - 1]! - seqs[0]!) + 1 - seqs.length, lostCount);
    for (const ev of lost) {
      if (ev.type === 'lost') t.false(seqs.includes(ev.firstSeq), 'firstSeq names a lost one');
    }
  },
);
