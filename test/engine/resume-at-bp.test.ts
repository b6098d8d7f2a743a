// A breakpoint set at a thread's pc after the thread stopped there for another reason (a stop
// request, a step's end) is hit at once on resume, not stepped over: gdbserver steps over only
// breakpoints gdb does not expect to hit (linux-low.cc, thread_needs_step_over); gdb does its
// own step-overs and puts a breakpoint at a stopped thread's pc to catch it there
// (gdb.threads/signal-while-stepping-over-bp-other-thread.exp ran a loop more otherwise).
import { capTest, fixture, Session, sym, symbolSize, symbols } from './_session.js';

/** spin launched and stopped at its first call of tick(), with that breakpoint cleared. */
async function atTick(s: Session) {
  const path = await fixture('spin');
  const syms = await symbols(path);
  const tick = sym(syms, 'tick');
  const { stop, pid } = await s.launch(path);
  await s.engine.setBreakpoint({ pid, kind: 'sw', addr: tick, len: 1 });
  await s.cont(stop);
  const hit = await s.nextStop();
  await s.engine.clearBreakpoint({ pid, kind: 'sw', addr: tick, len: 1 });
  return { path, syms, tick, pid, hit };
}

capTest(
  ['launch', 'swBreak'],
  "a breakpoint set where a step ended is hit at once on resume (the step's end is no hit)",
  async (t) => {
    const s = await Session.open(t);
    const { tick, pid, hit } = await atTick(s);
    t.is(hit.reason, 'breakpoint');
    t.is(hit.pc, tick);
    await s.engine.resume({ handle: hit.thread.handle, stopId: hit.stopId, mode: 'step' });
    const stepped = await s.nextStop();
    t.is(stepped.reason, 'step');
    t.not(stepped.pc, tick);
    // A breakpoint at the step's end, and tick's again: stepped over, the thread would run on
    // to the next call of tick() and report that one.
    await s.engine.setBreakpoint({ pid, kind: 'sw', addr: stepped.pc, len: 1 });
    await s.engine.setBreakpoint({ pid, kind: 'sw', addr: tick, len: 1 });
    await s.cont(stepped);
    const at = await s.nextStop();
    t.is(at.reason, 'breakpoint');
    t.is(at.pc, stepped.pc, 'the breakpoint at the stopped pc, before anything ran');
    // Resumed from that hit, the thread steps over it as before: tick's comes next.
    await s.cont(at);
    const next = await s.nextStop();
    t.is(next.reason, 'breakpoint');
    t.is(next.pc, tick);
  },
);

capTest(
  ['launch', 'swBreak'],
  'a breakpoint set where a stop request left a thread is hit at once on resume',
  async (t) => {
    const s = await Session.open(t);
    const { path, syms, tick, pid, hit } = await atTick(s);
    const end = tick + (await symbolSize(path, 'tick'));
    const counter = sym(syms, 'counter');
    // Every instruction of tick() runs once per call, and each call adds one to counter: a
    // thread stopped inside tick() and stepped over a breakpoint there meets it again one call
    // later, with counter one higher. Stopped elsewhere, it is let run and stopped again.
    let last = hit;
    for (let i = 0; i < 1000; i++) {
      await s.cont(last);
      await s.engine.stop(pid);
      last = await s.nextStop();
      t.is(last.reason, 'requested');
      if (last.pc >= tick && last.pc < end) break;
    }
    t.true(last.pc >= tick && last.pc < end, 'a stop inside tick()');
    const before = await s.readU64(pid, counter);
    await s.engine.setBreakpoint({ pid, kind: 'sw', addr: last.pc, len: 1 });
    await s.cont(last);
    const at = await s.nextStop();
    t.is(at.reason, 'breakpoint');
    t.is(at.pc, last.pc);
    t.is(await s.readU64(pid, counter), before, 'no call of tick() ran before the hit');
  },
);
