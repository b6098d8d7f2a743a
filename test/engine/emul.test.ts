// Resuming from a breakpoint on each instruction form the emulator runs in place of a
// step-over (kmod/ntrace_emul.c: nop, endbr64, push, mov/lea in every addressing form, mov of
// an immediate). The fixture checks every result against the same operations in C and exits 1
// on any difference; it must exit 0 and report nothing but what the breakpoints ask for.
import { readFileSync } from 'node:fs';
import { backend, capTest, fixture, Session, sym, symbols } from './_session.js';

/** const8 0; end: a condition that is always false. */
const never = Buffer.from('220027', 'hex');

async function start(t: Parameters<typeof Session.open>[0], n: number) {
  const s = await Session.open(t);
  const path = await fixture('emul');
  const syms = await symbols(path);
  const at = [...syms].filter(([name]) => name.startsWith('emul_at_')).map(([, a]) => a);
  at.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const { pid, stop } = await s.launch(path, [String(n)]);
  return { s, pid, stop, at };
}

capTest(
  ['launch', 'swBreak', 'condBytecode'],
  'false conditions on every emulated instruction form: the program computes what it would alone',
  async (t) => {
    const { s, pid, stop, at } = await start(t, 40);
    t.true(at.length >= 20, 'the fixture labels each form');
    for (const addr of at)
      await s.engine.setBreakpoint({
        pid,
        kind: 'sw',
        addr,
        len: 1,
        exprs: { conditions: [never] },
      });
    await s.cont(stop);
    t.deepEqual((await s.nextExit(pid)).exit, { code: 0 });
    t.false(
      s.events.some((e) => e.type === 'stop'),
      'no stop',
    );
  },
);

capTest(
  ['launch', 'swBreak'],
  'continuing from a breakpoint on every emulated instruction form: each hit once, in order, right results',
  async (t) => {
    const rounds = 3;
    const { s, pid, stop, at } = await start(t, rounds);
    for (const addr of at) await s.engine.setBreakpoint({ pid, kind: 'sw', addr, len: 1 });
    let last = stop;
    for (let r = 0; r < rounds; r++) {
      for (const addr of at) {
        await s.cont(last);
        last = await s.nextStop();
        t.is(last.reason, 'breakpoint');
        t.is(last.pc, addr);
      }
    }
    await s.cont(last);
    t.deepEqual((await s.nextExit(pid)).exit, { code: 0 });
  },
);

capTest(
  ['launch', 'swBreak'],
  'an instruction under a breakpoint rewritten between two resumes from it runs as rewritten',
  async (t) => {
    const s = await Session.open(t);
    const path = await fixture('emul-patch');
    const at = sym(await symbols(path), 'patch_at');
    const { pid, stop } = await s.launch(path, ['0']);
    await s.engine.setBreakpoint({ pid, kind: 'sw', addr: at, len: 1 });
    await s.cont(stop);
    const first = await s.nextStop();
    t.is(first.pc, at);
    // The resume runs `mov $1, %eax` from the breakpoint (the userspace engine keeps its bytes).
    await s.cont(first);
    const second = await s.nextStop();
    t.is(second.pc, at);
    // Only the immediate changes, not the byte under the int3: `mov $2, %eax`.
    await s.writeU32(pid, at + 1n, 2);
    t.deepEqual([...(await s.engine.readMemory(pid, at, 5))], [0xb8, 2, 0, 0, 0]);
    await s.cont(second);
    t.deepEqual((await s.nextExit(pid)).exit, { code: 1 * 16 + 2 });
  },
);

capTest(
  ['launch', 'swBreak', 'condBytecode'],
  'false conditions on an instruction the emulator does not run: stepped over from the breakpoint',
  async (t) => {
    const s = await Session.open(t);
    const path = await fixture('emul-patch');
    const at = sym(await symbols(path), 'bump_at');
    const { pid, stop } = await s.launch(path, ['30']);
    await s.engine.setBreakpoint({
      pid,
      kind: 'sw',
      addr: at,
      len: 1,
      exprs: { conditions: [never] },
    });
    await s.cont(stop);
    t.deepEqual((await s.nextExit(pid)).exit, { code: 1 * 16 + 1 });
    t.false(
      s.events.some((e) => e.type === 'stop'),
      'no stop',
    );
  },
);

/** The tracee's voluntary context switches: each ptrace-stop it enters is one. */
function switches(tid: number): number {
  const s = readFileSync(`/proc/${tid}/status`, 'utf8');
  const m = /\nvoluntary_ctxt_switches:\s*(\d+)/.exec(s);
  if (!m) throw new Error('no voluntary_ctxt_switches');
  return Number(m[1]);
}

// gdb's step over its breakpoint (z0, vCont;s, Z0): from a breakpoint on an instruction the
// emulator runs, the userspace engine runs it and makes up the step's stop, the thread never
// leaving the breakpoint's stop. What the client sees must be a real step's: the next
// instruction, the program's results (the fixture checks them), the siginfo of a step.
capTest(
  ['launch', 'swBreak'],
  'stepping from a breakpoint on every emulated instruction form: a step stop at the next instruction, with a step siginfo',
  async (t) => {
    const rounds = 2;
    const { s, pid, stop, at } = await start(t, rounds);
    for (const addr of at) await s.engine.setBreakpoint({ pid, kind: 'sw', addr, len: 1 });
    let last = stop;
    for (let r = 0; r < rounds; r++) {
      for (const addr of at) {
        await s.cont(last);
        last = await s.nextStop();
        t.is(last.reason, 'breakpoint');
        t.is(last.pc, addr);
        const before = switches(last.thread.tid);
        await s.engine.resume({ handle: last.thread.handle, stopId: last.stopId, mode: 'step' });
        const step = await s.nextStop();
        t.is(step.reason, 'step');
        t.true(step.pc > addr && step.pc < addr + 16n, 'the next instruction');
        // The userspace engine's own fact: no ptrace-stop entered, so the step was emulated.
        if (backend !== 'kernel')
          t.is(switches(step.thread.tid), before, 'the tracee did not run: the emulator did');
        // The kernel provider has no siginfo at a step's stop (GET_SIGINFO: EINVAL there).
        if (backend !== 'kernel') {
          const si = await s.engine.getSiginfo(step.thread.handle, step.stopId);
          t.is(si.readInt32LE(0), 5, 'SIGTRAP');
          t.is(si.readInt32LE(8), 2, 'TRAP_TRACE, as a single step leaves it');
          t.is(si.readBigUInt64LE(16), step.pc, 'si_addr: the pc after the step');
        }
        last = step;
      }
    }
    await s.cont(last);
    t.deepEqual((await s.nextExit(pid)).exit, { code: 0 });
  },
);

// A stop requested in the same tick as the step (gdb's all-stop collection does so): the step's
// own stop answers it, reported once, as a step.
capTest(
  ['launch', 'swBreak'],
  'a stop requested with an emulated step in the same tick is the step, reported once',
  async (t) => {
    const { s, pid, stop, at } = await start(t, 1);
    await s.engine.setBreakpoint({ pid, kind: 'sw', addr: at[0]!, len: 1 });
    await s.cont(stop);
    const hit = await s.nextStop();
    t.is(hit.pc, at[0]);
    await Promise.all([
      s.engine.resume({ handle: hit.thread.handle, stopId: hit.stopId, mode: 'step' }),
      s.engine.stop(pid),
    ]);
    const step = await s.nextStop();
    t.is(step.reason, 'step');
    t.true(step.pc > at[0]!);
    await s.engine.clearBreakpoint({ pid, kind: 'sw', addr: at[0]!, len: 1 });
    await s.cont(step);
    t.deepEqual((await s.nextExit(pid)).exit, { code: 0 });
    t.false(
      s.events.some((e) => e.type === 'stop'),
      'launch, hit, step: no other stop',
    );
  },
);
