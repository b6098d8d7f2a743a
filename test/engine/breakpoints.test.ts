// Software breakpoints, stepping, registers and memory on a single-threaded target.
import type { EngineError } from '../../native/index.js';
import { capTest, fixture, gpr, Session, sym, symbols, symbolSize } from './_session.js';

capTest(
  ['launch', 'swBreak'],
  'a breakpoint hits with pc rewound, is hidden from reads, and steps over',
  async (t) => {
    const s = await Session.open(t);
    const path = await fixture('spin');
    const syms = await symbols(path);
    const tick = sym(syms, 'tick');
    const counter = sym(syms, 'counter');
    const { pid, stop } = await s.launch(path);
    const before = await s.engine.readMemory(pid, tick, 16);
    await s.engine.setBreakpoint({ pid, kind: 'sw', addr: tick, len: 1 });
    t.deepEqual(await s.engine.readMemory(pid, tick, 16), before, 'int3 hidden from READ_MEM');
    await s.cont(stop);
    let prev = -1n;
    for (let i = 0; i < 5; i++) {
      const hit = await s.nextStop();
      t.is(hit.reason, 'breakpoint');
      t.is(hit.pc, tick);
      t.is(hit.data[0], tick);
      t.is(hit.signo, 5);
      const regs = await s.engine.getRegs(hit.thread.handle, hit.stopId, 'gpr');
      t.is(gpr(regs, 'rip'), tick);
      const c = await s.readU64(pid, counter);
      t.true(c > prev, 'each hit is a new call of tick()');
      prev = c;
      await s.cont(hit);
    }
    const last = await s.nextStop();
    await s.engine.clearBreakpoint({ pid, kind: 'sw', addr: tick, len: 1 });
    t.deepEqual(await s.engine.readMemory(pid, tick, 16), before);
    await s.writeU32(pid, sym(syms, 'exit_code'), 5);
    await s.writeU32(pid, sym(syms, 'stop_flag'), 1);
    await s.cont(last);
    t.deepEqual((await s.nextExit(pid)).exit, { code: 5 });
  },
);

capTest(
  ['launch', 'swBreak'],
  'breakpoint errors: clearing an unknown one is ENOENT, unmapped address fails',
  async (t) => {
    const s = await Session.open(t);
    const { pid } = await s.launch(await fixture('spin'));
    const e1 = await t.throwsAsync(
      s.engine.clearBreakpoint({ pid, kind: 'sw', addr: 0x401000n, len: 1 }),
    );
    t.is((e1 as EngineError).code, 'ENOENT');
    const e2 = await t.throwsAsync(
      s.engine.setBreakpoint({ pid, kind: 'sw', addr: 0x10n, len: 1 }),
    );
    t.truthy((e2 as EngineError).code);
    // Set twice = reference count: one clear leaves it armed.
    const syms = await symbols(await fixture('spin'));
    const tick = sym(syms, 'tick');
    await s.engine.setBreakpoint({ pid, kind: 'sw', addr: tick, len: 1 });
    await s.engine.setBreakpoint({ pid, kind: 'sw', addr: tick, len: 1 });
    await s.engine.clearBreakpoint({ pid, kind: 'sw', addr: tick, len: 1 });
    const [th] = await s.engine.listThreads(pid);
    await s.engine.resume({ handle: th!.handle, stopId: th!.stopId, mode: 'cont' });
    const hit = await s.nextStop();
    t.is(hit.reason, 'breakpoint');
    t.is(hit.pc, tick);
  },
);

capTest(['launch', 'swBreak'], 'single step moves one instruction and reports step', async (t) => {
  const s = await Session.open(t);
  const path = await fixture('spin');
  const syms = await symbols(path);
  const tick = sym(syms, 'tick');
  const { pid, stop } = await s.launch(path);
  await s.engine.setBreakpoint({ pid, kind: 'sw', addr: tick, len: 1 });
  await s.cont(stop);
  const hit = await s.nextStop();
  t.is(hit.pc, tick);
  // tick starts with push %rbp (1 byte), then mov %rsp,%rbp (3 bytes).
  await s.engine.resume({ handle: hit.thread.handle, stopId: hit.stopId, mode: 'step' });
  const s1 = await s.nextStop();
  t.is(s1.reason, 'step');
  t.is(s1.pc, tick + 1n);
  t.is(s1.sp, hit.sp - 8n);
  await s.engine.resume({ handle: s1.thread.handle, stopId: s1.stopId, mode: 'step' });
  const s2 = await s.nextStop();
  t.is(s2.reason, 'step');
  t.is(s2.pc, tick + 4n);
  // The old stop is over.
  const stale = await t.throwsAsync(
    s.engine.resume({ handle: hit.thread.handle, stopId: hit.stopId, mode: 'cont' }),
  );
  t.is((stale as EngineError).code, 'ESTALE');
  await s.cont(s2);
  const again = await s.nextStop();
  t.is(again.reason, 'breakpoint');
  t.is(again.pc, tick);
});

capTest(
  ['launch', 'swBreak', 'rangeStep'],
  'range step runs the whole range in the engine and stops outside it',
  async (t) => {
    const s = await Session.open(t);
    const path = await fixture('spin');
    const syms = await symbols(path);
    const fn = sym(syms, 'range_fn');
    const size = await symbolSize(path, 'range_fn');
    const { pid, stop } = await s.launch(path);
    await s.engine.setBreakpoint({ pid, kind: 'sw', addr: fn, len: 1 });
    await s.cont(stop);
    const hit = await s.nextStop();
    t.is(hit.pc, fn);
    const ret = await s.readU64(pid, hit.sp); // return address on the stack at entry
    await s.engine.clearBreakpoint({ pid, kind: 'sw', addr: fn, len: 1 });
    await s.engine.resume({
      handle: hit.thread.handle,
      stopId: hit.stopId,
      mode: 'range-step',
      range: { start: fn, end: fn + size },
    });
    const out = await s.nextStop();
    t.is(out.reason, 'step');
    t.is(out.pc, ret, 'stopped at the first instruction outside the range: the return address');
    t.is(s.events.filter((e) => e.type === 'stop').length, 0, 'no stop per instruction');
  },
);

capTest(['launch', 'swBreak'], 'GPR round trip, and SET_REGS moves the pc', async (t) => {
  const s = await Session.open(t);
  const path = await fixture('spin');
  const syms = await symbols(path);
  const launched = await s.launch(path);
  const { pid, ref } = launched;
  // Run into tick() first: by then libc is initialised and escape() can call _exit.
  await s.engine.setBreakpoint({ pid, kind: 'sw', addr: sym(syms, 'tick'), len: 1 });
  await s.cont(launched.stop);
  const stop = await s.nextStop();
  await s.engine.clearBreakpoint({ pid, kind: 'sw', addr: sym(syms, 'tick'), len: 1 });
  const regs = await s.engine.getRegs(ref.handle, stop.stopId, 'gpr');
  await s.engine.setRegs(ref.handle, stop.stopId, 'gpr', regs);
  t.deepEqual(await s.engine.getRegs(ref.handle, stop.stopId, 'gpr'), regs);
  const changed = Buffer.from(regs);
  changed.writeBigUInt64LE(0x1122334455667788n, 40); // rbx
  await s.engine.setRegs(ref.handle, stop.stopId, 'gpr', changed);
  const back = await s.engine.getRegs(ref.handle, stop.stopId, 'gpr');
  t.is(gpr(back, 'rbx'), 0x1122334455667788n);
  const fpr = await s.engine.getRegs(ref.handle, stop.stopId, 'fpr');
  t.is(fpr.length, 512);
  await s.engine.setRegs(ref.handle, stop.stopId, 'fpr', fpr);
  // Jump to escape(), which exits 42. Keep the stack 16-byte aligned minus the call's push.
  const jump = Buffer.from(back);
  jump.writeBigUInt64LE(sym(syms, 'escape'), 128);
  jump.writeBigUInt64LE((gpr(back, 'rsp') & ~0xfn) - 8n, 152);
  await s.engine.setRegs(ref.handle, stop.stopId, 'gpr', jump);
  const bad = await t.throwsAsync(
    s.engine.setRegs(ref.handle, stop.stopId, 'gpr', Buffer.alloc(100)),
  );
  t.is((bad as EngineError).code, 'EINVAL');
  await s.cont(stop);
  t.deepEqual((await s.nextExit(pid)).exit, { code: 42 });
});

capTest(
  ['launch'],
  'memory round trip on data and read-only text, short reads at unmapped pages',
  async (t) => {
    const s = await Session.open(t);
    const path = await fixture('spin');
    const syms = await symbols(path);
    const { pid, stop } = await s.launch(path);
    const counter = sym(syms, 'counter');
    const pattern = Buffer.from('0123456789abcdef');
    t.is(await s.engine.writeMemory(pid, counter, pattern.subarray(0, 8)), 8);
    t.deepEqual(await s.engine.readMemory(pid, counter, 8), pattern.subarray(0, 8));
    const text = sym(syms, 'escape');
    const orig = await s.engine.readMemory(pid, text, 16);
    t.is(await s.engine.writeMemory(pid, text, pattern), 16);
    t.deepEqual(await s.engine.readMemory(pid, text, 16), pattern);
    await s.engine.writeMemory(pid, text, orig);
    t.deepEqual(await s.engine.readMemory(pid, text, 16), orig);
    // Find the end of the mapping that holds `counter` and read across it.
    const maps = (await import('node:fs')).readFileSync(`/proc/${pid}/maps`, 'utf8');
    let end = 0n;
    for (const line of maps.split('\n')) {
      const [range] = line.split(' ');
      if (!range) continue;
      const [lo, hi] = range.split('-').map((x) => BigInt(`0x${x}`));
      if (lo! <= counter && counter < hi!) end = hi!;
    }
    t.true(end > 0n);
    const nextMapped = maps.includes(`${end.toString(16)}-`);
    if (!nextMapped) {
      const short = await s.engine.readMemory(pid, end - 16n, 64);
      t.is(short.length, 16);
      const none = await t.throwsAsync(s.engine.readMemory(pid, end + 4096n * 1024n, 8));
      t.is((none as EngineError).code, 'EIO');
    }
    const zero = await t.throwsAsync(s.engine.readMemory(pid, 0n, 8));
    t.is((zero as EngineError).code, 'EIO');
    await s.engine.kill(pid);
    await s.nextExit(pid);
    t.pass(stop.reason);
  },
);

capTest(
  ['launch', 'swBreak'],
  'WRITE_MEM under a breakpoint updates the saved byte and keeps the breakpoint',
  async (t) => {
    const s = await Session.open(t);
    const path = await fixture('spin');
    const syms = await symbols(path);
    const tick = sym(syms, 'tick');
    const { pid, stop } = await s.launch(path);
    const orig = await s.engine.readMemory(pid, tick, 4);
    await s.engine.setBreakpoint({ pid, kind: 'sw', addr: tick, len: 1 });
    await s.engine.writeMemory(pid, tick, Buffer.from([0x90, orig[1]!, orig[2]!, orig[3]!]));
    t.is((await s.engine.readMemory(pid, tick, 1))[0], 0x90);
    await s.engine.writeMemory(pid, tick, orig);
    t.deepEqual(await s.engine.readMemory(pid, tick, 4), orig);
    await s.cont(stop);
    const hit = await s.nextStop();
    t.is(hit.reason, 'breakpoint');
    t.is(hit.pc, tick);
  },
);

capTest(
  ['launch', 'swBreak'],
  'a pc moved onto a breakpoint hits it at once (no step-over: gdb jump, permanent int3)',
  async (t) => {
    const s = await Session.open(t);
    const path = await fixture('spin');
    const syms = await symbols(path);
    const tick = sym(syms, 'tick');
    const escapeFn = sym(syms, 'escape');
    const { pid, stop } = await s.launch(path);
    await s.engine.setBreakpoint({ pid, kind: 'sw', addr: tick, len: 1 });
    await s.cont(stop);
    const hit = await s.nextStop();
    t.is(hit.pc, tick);
    // gdbserver steps over a breakpoint only for a thread whose pc is still where it stopped;
    // `jump` to a line with a breakpoint must stop there before running anything.
    await s.engine.setBreakpoint({ pid, kind: 'sw', addr: escapeFn, len: 1 });
    const regs = await s.engine.getRegs(hit.thread.handle, hit.stopId, 'gpr');
    const moved = Buffer.from(regs);
    moved.writeBigUInt64LE(escapeFn, 128);
    await s.engine.setRegs(hit.thread.handle, hit.stopId, 'gpr', moved);
    await s.cont(hit);
    const at = await s.nextStop();
    t.is(at.reason, 'breakpoint', 'escape() would exit 42 had the engine stepped over');
    t.is(at.pc, escapeFn);
    t.is(at.sp, hit.sp, 'nothing ran');
    // Resumed from where it stopped, it steps over as before: tick's breakpoint comes next.
    await s.engine.clearBreakpoint({ pid, kind: 'sw', addr: escapeFn, len: 1 });
    const back = Buffer.from(regs);
    await s.engine.setRegs(at.thread.handle, at.stopId, 'gpr', back);
    await s.engine.setBreakpoint({ pid, kind: 'sw', addr: escapeFn, len: 1 });
    await s.cont(at);
    const again = await s.nextStop();
    t.is(again.reason, 'breakpoint');
    t.is(again.pc, tick, 'moved back onto tick: hit at once as well');
    t.is(again.sp, hit.sp);
    const counter = sym(syms, 'counter');
    const before = await s.readU64(pid, counter);
    await s.cont(again);
    const next = await s.nextStop();
    t.is(next.reason, 'breakpoint');
    t.is(next.pc, tick, 'the next call of tick(), stepped over from the unchanged pc');
    t.is(await s.readU64(pid, counter), before + 1n);
  },
);
