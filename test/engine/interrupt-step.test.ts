// A single-step that the engine's own interrupt ends before the step's trap is seen
// (gdb.threads/interrupt-while-step-over.exp in non-stop: a SIGTRAP one past the breakpoint).
import type { ExecutionContext } from 'ava';
import { capTest, fixture, Session, sym, symbols, taskState, until } from './_session.js';

const SIGTRAP = 5;
const SIGUSR1 = 10;

/** step-syscall launched and stopped at the breakpoint on its syscall instruction. */
async function atBlockSyscall(t: ExecutionContext) {
  const path = await fixture('step-syscall');
  const at = sym(await symbols(path), 'block_syscall');
  const s = await Session.open(t);
  const { stop, pid } = await s.launch(path);
  await s.engine.setBreakpoint({ pid, kind: 'sw', addr: at, len: 1 });
  await s.cont(stop);
  const hit = await s.nextStop();
  t.is(hit.reason, 'breakpoint');
  return { s, pid, at, hit };
}

capTest(
  ['swBreak'],
  'a step-over ended by a stop request: the step trap still queued is not reported after the next resume',
  async (t) => {
    const { s, pid, at, hit } = await atBlockSyscall(t);
    // The step over the breakpoint enters pause() and waits there: the step's trap is raised
    // only when the call returns, which the stop request makes it do (then restarts it).
    await s.cont(hit);
    await until(() => taskState(pid) === 'S', 'the thread to wait in pause()');
    await s.engine.stop(pid);
    const requested = await s.nextStop();
    t.is(requested.reason, 'requested');
    // pause() restarts from its syscall instruction: with the breakpoint there, it would hit.
    await s.engine.clearBreakpoint({ pid, kind: 'sw', addr: at, len: 1 });
    await s.cont(requested);
    // Back in pause(), or stopped again (by the stale trap, without the fix).
    await until(() => taskState(pid) !== 'R', 'the thread to wait in pause() again');
    process.kill(pid, 'SIGUSR1');
    const next = await s.nextStop();
    t.not(next.signo, SIGTRAP, 'a stale step trap reported');
    t.is(next.signo, SIGUSR1);
  },
);

capTest(
  ['swBreak'],
  "a client's single step whose instruction ran, then a stop request: the stop is the step's end",
  async (t) => {
    const { s, pid, at, hit } = await atBlockSyscall(t);
    // The client's step runs the syscall instruction into pause(); the stop request ends the
    // call, and the step's trap comes with it. gdbserver reports that trap (the step's end):
    // a REQUESTED stop told gdb the step had not ended although the pc had moved
    // (gdb.threads/signal-while-stepping-over-bp-other-thread.exp).
    await s.engine.resume({ handle: hit.thread.handle, stopId: hit.stopId, mode: 'step' });
    await until(() => taskState(pid) === 'S', 'the thread to wait in pause()');
    await s.engine.stop(pid);
    const ended = await s.nextStop();
    t.is(ended.reason, 'step');
    t.is(ended.signo, SIGTRAP);
    // Reported once: the queued trap does not come again after the next resume.
    await s.engine.clearBreakpoint({ pid, kind: 'sw', addr: at, len: 1 });
    await s.cont(ended);
    await until(() => taskState(pid) !== 'R', 'the thread to wait in pause() again');
    process.kill(pid, 'SIGUSR1');
    const next = await s.nextStop();
    t.is(next.signo, SIGUSR1);
  },
);
