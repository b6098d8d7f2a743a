// The per-signal stop table and what RESUME does with a stop's signal; siginfo access.
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import type { EngineError } from '../../native/index.js';
import { capTest, capTestExcept, fixture, Session, sym, symbols, until } from './_session.js';

const SIGUSR1 = 10;
const SIGUSR2 = 12;

async function runToSignal(s: Session) {
  const { pid, stop } = await s.launch(await fixture('signals'));
  await s.engine.setOptions(pid, { stopSignals: [SIGUSR1] });
  await s.cont(stop);
  const sig = await s.nextStop();
  return { pid, sig };
}

capTest(
  ['launch', 'signalFilter'],
  'a stopped signal is reported with its siginfo and passed on resume',
  async (t) => {
    const s = await Session.open(t);
    const { pid, sig } = await runToSignal(s);
    t.is(sig.reason, 'signal');
    t.is(sig.signo, SIGUSR1);
    t.is(sig.siginfo.readInt32LE(0), SIGUSR1);
    const si = await s.engine.getSiginfo(sig.thread.handle, sig.stopId);
    t.is(si.readInt32LE(0), SIGUSR1);
    t.deepEqual(si, sig.siginfo);
    await s.cont(sig, 'pass');
    t.deepEqual((await s.nextExit(pid)).exit, { code: 10 });
  },
);

capTest(['launch', 'signalFilter'], 'a stopped signal can be suppressed', async (t) => {
  const s = await Session.open(t);
  const { pid, sig } = await runToSignal(s);
  await s.cont(sig, 0);
  t.deepEqual((await s.nextExit(pid)).exit, { code: 0 });
});

capTest(['launch', 'signalFilter'], 'a stopped signal can be replaced by another', async (t) => {
  const s = await Session.open(t);
  const { pid, sig } = await runToSignal(s);
  await s.cont(sig, SIGUSR2);
  t.deepEqual((await s.nextExit(pid)).exit, { code: 1 });
});

capTest(
  ['launch', 'signalFilter'],
  'a signal outside the stop table is delivered with no event',
  async (t) => {
    const s = await Session.open(t);
    const { pid, stop } = await s.launch(await fixture('signals'));
    await s.engine.setOptions(pid, { stopSignals: [SIGUSR2] });
    await s.cont(stop);
    const exit = await s.nextExit(pid);
    t.deepEqual(exit.exit, { code: 10 });
    t.false(s.events.some((e) => e.type === 'stop'));
  },
);

capTest(
  ['launch', 'siginfoWrite'],
  'SET_SIGINFO changes the signal the handler sees',
  async (t) => {
    const s = await Session.open(t);
    const { pid, sig } = await runToSignal(s);
    const si = Buffer.from(sig.siginfo);
    si.writeInt32LE(SIGUSR2, 0);
    await s.engine.setSiginfo(sig.thread.handle, sig.stopId, si);
    t.is((await s.engine.getSiginfo(sig.thread.handle, sig.stopId)).readInt32LE(0), SIGUSR2);
    await s.cont(sig, 'pass');
    // The siginfo was rewritten but the delivered signal number is the resume's.
    const exit = await s.nextExit(pid);
    t.true('code' in exit.exit);
  },
);

capTest(['launch'], 'GET_SIGINFO at a stop without a signal is EINVAL', async (t) => {
  const s = await Session.open(t);
  const { ref, stop, pid } = await s.launch(await fixture('forks'), ['exit', '0']);
  const err = await t.throwsAsync(s.engine.getSiginfo(ref.handle, stop.stopId));
  t.is((err as EngineError).code, 'EINVAL');
  await s.engine.kill(pid);
  await s.nextExit(pid);
});

capTest(['launch'], 'a signal given at a non-signal stop is delivered', async (t) => {
  const s = await Session.open(t);
  const { pid, stop } = await s.launch(await fixture('spin'));
  await s.engine.resume({
    handle: stop.thread.handle,
    stopId: stop.stopId,
    mode: 'cont',
    signal: 15,
  });
  t.deepEqual((await s.nextExit(pid)).exit, { signal: 15 });
});

capTest(
  ['launch', 'signalFilter'],
  'a passed SIGSTOP job-stops the process until SIGCONT',
  async (t) => {
    const s = await Session.open(t);
    const path = await fixture('spin');
    const syms = await symbols(path);
    const counter = sym(syms, 'counter');
    const { pid, stop } = await s.launch(path);
    await s.engine.setOptions(pid, { stopSignals: [] });
    await s.engine.resume({
      handle: stop.thread.handle,
      stopId: stop.stopId,
      mode: 'cont',
      signal: 19,
    });
    // Delivered, the SIGSTOP puts the process in a job-control stop, where it stays.
    await until(() => {
      const st = readFileSync(`/proc/${pid}/status`, 'utf8');
      return /State:\s+[tT]/.test(st);
    }, 'the job-control stop');
    const c0 = await s.readU64(pid, counter);
    t.is(s.events.filter((e) => e.type === 'stop').length, 0, 'no STOP record for it');
    process.kill(pid, 'SIGCONT');
    await until(() => {
      const b = Buffer.alloc(8);
      const fd = openSync(`/proc/${pid}/mem`, 'r');
      readSync(fd, b, 0, 8, Number(counter));
      closeSync(fd);
      return b.readBigUInt64LE(0) > c0;
    }, 'the counter to move after SIGCONT');
    await s.writeU32(pid, sym(syms, 'stop_flag'), 1);
    t.deepEqual((await s.nextExit(pid)).exit, { code: 7 });
  },
);

async function readU32(s: Session, pid: number, addr: bigint): Promise<number> {
  return (await s.engine.readMemory(pid, addr, 4)).readUInt32LE(0);
}

/** sigstep.c stopped at its breakpoint in spot(), with SIGUSR1 passed by the stop table. */
async function atSpot(s: Session) {
  const path = await fixture('sigstep');
  const syms = await symbols(path);
  const { pid, stop } = await s.launch(path);
  await s.engine.setOptions(pid, { stopSignals: [SIGUSR2] });
  const spot = sym(syms, 'spot');
  await s.engine.setBreakpoint({ pid, kind: 'sw', addr: spot, len: 1 });
  await s.cont(stop);
  const hit = await s.nextStop();
  return { pid, syms, spot, hit };
}

// The kernel module cannot stop a signal the program ignores: SIG_IGN signals are discarded
// when sent unless the thread is ptraced (kmod/README.md).
const KMOD_IGNORED_SIGNALS = {
  backend: 'kernel',
  why: 'the module cannot stop a signal the program ignores (kmod/README.md)',
};

capTest(
  ['launch', 'signalFilter', 'swBreak'],
  'stepping: a passed signal is reported, and a step that delivers it ends at the handler',
  async (t) => {
    const s = await Session.open(t);
    const { pid, syms, spot, hit } = await atSpot(s);
    t.is(hit.reason, 'breakpoint');
    // Pending while the thread is stopped: it comes at the next resume, before any instruction.
    process.kill(pid, 'SIGUSR1');
    await s.engine.resume({ handle: hit.thread.handle, stopId: hit.stopId, mode: 'step' });
    const sig = await s.nextStop();
    // gdbserver never passes a signal silently to a stepping thread: gdb decides how to step
    // around the handler (delivered under the step, the step would end inside it).
    t.is(sig.reason, 'signal');
    t.is(sig.signo, SIGUSR1);
    t.is(sig.pc, spot);
    await s.engine.resume({
      handle: sig.thread.handle,
      stopId: sig.stopId,
      mode: 'step',
      signal: 'pass',
    });
    const entry = await s.nextStop();
    t.is(entry.reason, 'step', 'the kernel ends the step at the handler: a step, not a SIGTRAP');
    t.is(entry.pc, sym(syms, 'on_signal'));
    await s.cont(entry);
    const back = await s.nextStop();
    t.is(back.reason, 'breakpoint', 'the handler returned to the breakpoint');
    t.is(back.pc, spot);
    t.is(await readU32(s, pid, sym(syms, 'handled')), 1);
  },
);

capTestExcept(
  KMOD_IGNORED_SIGNALS,
  ['launch', 'signalFilter', 'swBreak'],
  'a resume that delivers a signal from a breakpoint comes back to it, not stepped over',
  async (t) => {
    const s = await Session.open(t);
    const { pid, syms, spot, hit } = await atSpot(s);
    const rounds = sym(syms, 'rounds');
    const before = await readU32(s, pid, rounds);
    process.kill(pid, 'SIGUSR2'); // ignored by the program, stopped by the table
    await s.cont(hit);
    const sig = await s.nextStop();
    t.is(sig.reason, 'signal');
    t.is(sig.signo, SIGUSR2);
    t.is(sig.pc, spot);
    // gdb continues with the signal to come back here (its step-resume breakpoint): the ignored
    // signal leaves the thread on the breakpoint, which hits at once.
    await s.cont(sig, 'pass');
    const again = await s.nextStop();
    t.is(again.reason, 'breakpoint');
    t.is(again.pc, spot);
    t.is(again.sp, hit.sp);
    t.is(await readU32(s, pid, rounds), before, 'the loop did not go round');
  },
);
