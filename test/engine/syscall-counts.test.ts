// What the userspace engine's own system calls cost per breakpoint hit and watchpoint hit,
// counted by the engine (RecordChannel.syscallCounts), never timed: each bound is
// what gdb's hit needs, and the build before each cut fails it (bench/RESULTS.md, session 16,
// H3). Userspace only (the kernel provider makes no ptrace calls). Serial: the counts are this
// thread's.
import test, { type ExecutionContext } from 'ava';
import type { SyscallCounts } from '../../native/addon.js';
import type { StopEvent } from '../../native/index.js';
import { hardwareDebugWorks, NO_HW_DEBUG } from '../helpers/hw-debug.js';
import { backend, fixture, Session, sym, symbols } from './_session.js';

const userspace = backend !== 'kernel';
const ROUNDS = 20;

function counter(s: Session): () => SyscallCounts {
  const read = () => s.engine.channel.syscallCounts()!;
  const start = read();
  return () => {
    const now = read();
    const ptrace: Record<string, number> = {};
    for (const [k, v] of Object.entries(now.ptrace)) ptrace[k] = (v ?? 0) - (start.ptrace[k] ?? 0);
    return {
      ptrace,
      sigaction: now.sigaction - start.sigaction,
      memReads: now.memReads - start.memReads,
    };
  };
}

const n = (c: SyscallCounts, req: string) => c.ptrace[req] ?? 0;

function serial(title: string, fn: (t: ExecutionContext) => Promise<void>): void {
  if (userspace) test.serial(title, fn);
  // Skipped on the kernel provider: the module stops threads itself, no ptrace call to count.
  else test.serial.skip(`${title} [skipped: the kernel provider makes no ptrace calls]`, fn);
}

// gdb's hit: the breakpoint's stop, a step from it (z0 leaves our int3 in place: the emulator
// runs the instruction and makes the step's stop up), a continue to the next hit.
serial('a gdb-style breakpoint hit: one GETREGS, one SETREGS and one GETSIGINFO', async (t) => {
  const s = await Session.open(t);
  const path = await fixture('cond');
  const { pid, stop } = await s.launch(path, [String(ROUNDS + 3)]);
  const hit = sym(await symbols(path), 'hit');
  await s.engine.setBreakpoint({ pid, kind: 'sw', addr: hit, len: 1 });
  await s.cont(stop);
  let at: StopEvent = await s.nextStop();
  const count = counter(s);
  for (let i = 0; i < ROUNDS; i++) {
    await s.engine.resume({ handle: at.thread.handle, stopId: at.stopId, mode: 'step' });
    const step = await s.nextStop();
    t.is(step.reason, 'step');
    await s.cont(step);
    at = await s.nextStop();
    t.is(at.reason, 'breakpoint');
    t.is(at.pc, hit);
  }
  const c = count();
  t.log(JSON.stringify(c));
  // The hit's registers and siginfo are read once; the pc's rewind goes out with the emulated
  // step's one register write; the made-up step's stop reads nothing back (before: 2 of each).
  t.is(n(c, 'GETREGS'), ROUNDS);
  t.is(n(c, 'SETREGS'), ROUNDS);
  t.is(n(c, 'GETSIGINFO'), ROUNDS);
});

// gdb takes every watchpoint out and puts it back at each stop (z2, Z2).
const watchTitle =
  'a watchpoint taken out and put back at each stop: no debug register written, no memory read';
// Skipped where the debug registers never trigger (some VMs): no watch hit to count.
if (!(await hardwareDebugWorks())) test.skip(`${watchTitle} [skipped: ${NO_HW_DEBUG}]`, () => {});
else
  serial(watchTitle, async (t) => {
    const s = await Session.open(t);
    const path = await fixture('spin');
    const watched = sym(await symbols(path), 'watched');
    const { pid, stop } = await s.launch(path);
    const watch = { pid, kind: 'write' as const, addr: watched, len: 8 };
    await s.engine.setBreakpoint(watch);
    await s.cont(stop);
    let at = await s.nextStop();
    const count = counter(s);
    for (let i = 0; i < ROUNDS; i++) {
      await s.engine.clearBreakpoint(watch);
      await s.engine.setBreakpoint(watch);
      await s.cont(at);
      at = await s.nextStop();
      t.is(at.reason, 'watch');
      t.is(at.data[0], watched);
    }
    const c = count();
    t.log(JSON.stringify(c));
    // The removal waits for a resume that never comes before the watchpoint is back (before:
    // DR7 off, DR7 on and DR6's clear per hit, about 14 us each for DR7 here).
    t.is(n(c, 'POKEUSER'), 0);
    t.is(n(c, 'PEEKUSER'), ROUNDS, 'DR6, once per hit');
    // A write watchpoint needs no value (before: read at Z2 and at the hit, for read ones only).
    t.is(c.memReads, 0);
    await s.engine.kill(pid);
    await s.nextExit(pid);
  });
