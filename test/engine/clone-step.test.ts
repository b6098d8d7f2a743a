// All-stop and a thread born during another thread's step (gdb.base/step-over-syscall.exp,
// clone: gdb steps over the `syscall` alone, every other thread stopped). The new thread's first
// stop is not an event of the run: the stepping thread's step goes on and ends as a step. When
// the new thread's stop started the all-stop, the stepping thread was stopped by request
// before its step ended, and the stub, which had asked for no stop, never reported it.
import type { StopEvent } from '../../native/index.js';
import { capTest, fixture, Session, sym, symbols } from './_session.js';

capTest(
  ['launch', 'swBreak', 'allStop'],
  'all-stop: a thread born during a step does not end that step (step over clone)',
  async (t) => {
    const path = await fixture('clone-step');
    const at = sym(await symbols(path), 'clone_syscall');
    const s = await Session.open(t);
    const { stop, pid } = await s.launch(path);
    await s.engine.setOptions(pid, { allStop: true, events: { threadReports: true } });
    const bp = { pid, kind: 'sw', addr: at, len: 1 } as const;
    await s.engine.setBreakpoint(bp);
    // The other threads' latest stops (the idle thread, new threads): resumed with main.
    const held = new Map<bigint, StopEvent>();
    const mainEvent = async () => {
      for (;;) {
        const ev = await s.next(
          (e) => e.type === 'stop' || (e.type === 'process-exit' && e.pid === pid),
        );
        if (ev.type !== 'stop' || ev.thread.tid === pid) return ev;
        held.set(ev.thread.handle, ev);
      }
    };
    const resumeHeld = async () => {
      for (const ev of held.values()) await s.cont(ev).catch(() => {}); // gone since: fine
      held.clear();
    };
    await s.cont(stop);
    let steps = 0;
    for (;;) {
      const hit = await mainEvent();
      if (hit.type !== 'stop') {
        t.deepEqual(hit.type === 'process-exit' && hit.exit, { code: 0 });
        break;
      }
      const others = () => [...held.values()].map((e) => `${e.reason}:${e.signo}@${e.thread.tid}`);
      if (!t.is(hit.reason, 'breakpoint', `other threads: ${others().join(' ')}`)) return;
      // The idle thread (and any new thread still there) stays stopped while main steps.
      await s.engine.clearBreakpoint(bp);
      await s.engine.resume({ handle: hit.thread.handle, stopId: hit.stopId, mode: 'step' });
      const stepped = await mainEvent();
      steps++;
      const what = `step ${steps}, other threads: ${others().join(' ')}`;
      if (!t.is(stepped.type === 'stop' && stepped.reason, 'step', what)) return;
      t.is(stepped.type === 'stop' && stepped.pc, at + 2n);
      await resumeHeld();
      await s.engine.setBreakpoint(bp);
      if (stepped.type === 'stop') await s.cont(stepped);
    }
    t.is(steps, 40);
  },
);
