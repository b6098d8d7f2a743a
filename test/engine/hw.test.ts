// Debug registers (hardware breakpoints and watchpoints) and the xstate regset.
import type { EngineError } from '../../native/index.js';
import { capTest, fixture, Session, sym, symbols } from './_session.js';

const XMM0_OFFSET = 160; // fxsave area: xmm0
const YMM0_HI_OFFSET = 576; // xsave standard format: YMM_Hi128 component

capTest(['launch', 'hwWatch'], 'a write watchpoint reports the data address', async (t) => {
  const s = await Session.open(t);
  const path = await fixture('spin');
  const syms = await symbols(path);
  const watched = sym(syms, 'watched');
  const { pid, stop } = await s.launch(path);
  await s.engine.setBreakpoint({ pid, kind: 'write', addr: watched, len: 8 });
  await s.cont(stop);
  const w = await s.nextStop();
  t.is(w.reason, 'watch');
  t.is(w.data[0], watched);
  t.is(w.data[1], 2n); // NTRACE_BP_WRITE
  const v1 = await s.readU64(pid, watched);
  t.true(v1 > 0n && v1 % 64n === 0n);
  await s.cont(w);
  const w2 = await s.nextStop();
  t.is(w2.reason, 'watch');
  t.is(await s.readU64(pid, watched), v1 + 64n);
  await s.engine.clearBreakpoint({ pid, kind: 'write', addr: watched, len: 8 });
  const bad = await t.throwsAsync(
    s.engine.setBreakpoint({ pid, kind: 'write', addr: watched + 1n, len: 8 }),
  );
  t.is((bad as EngineError).code, 'EINVAL');
  await s.writeU32(pid, sym(syms, 'stop_flag'), 1);
  await s.cont(w2);
  t.deepEqual((await s.nextExit(pid)).exit, { code: 7 });
});

capTest(
  ['launch', 'hwBreak'],
  'a hardware breakpoint stops at the address without touching memory',
  async (t) => {
    const s = await Session.open(t);
    const path = await fixture('spin');
    const syms = await symbols(path);
    const fn = sym(syms, 'store_watched');
    const { pid, stop } = await s.launch(path);
    const before = await s.engine.readMemory(pid, fn, 8);
    await s.engine.setBreakpoint({ pid, kind: 'hw', addr: fn, len: 1 });
    await s.cont(stop);
    const h = await s.nextStop();
    t.is(h.reason, 'hw-breakpoint');
    t.is(h.pc, fn);
    t.is(h.data[0], fn);
    t.deepEqual(await s.engine.readMemory(pid, fn, 8), before);
    await s.cont(h);
    const h2 = await s.nextStop();
    t.is(h2.reason, 'hw-breakpoint', 'resuming executes the instruction and hits on the next call');
    await s.engine.clearBreakpoint({ pid, kind: 'hw', addr: fn, len: 1 });
    // Four slots on x86-64, then ENOSPC.
    for (let i = 0; i < s.info.hwSlots; i++) {
      await s.engine.setBreakpoint({
        pid,
        kind: 'access',
        addr: sym(syms, 'counter') + BigInt(i * 8),
        len: 8,
      });
    }
    const full = await t.throwsAsync(s.engine.setBreakpoint({ pid, kind: 'hw', addr: fn, len: 1 }));
    t.is((full as EngineError).code, 'ENOSPC');
    await s.engine.kill(pid);
    await s.nextExit(pid);
  },
);

capTest(['launch', 'hwWatch'], 'watchpoints apply to threads created later', async (t) => {
  const s = await Session.open(t);
  const path = await fixture('threads');
  const syms = await symbols(path);
  const { pid, stop } = await s.launch(path, ['2']);
  const hits = sym(syms, 'hits'); // hits[1] is written only by worker 1
  await s.engine.setBreakpoint({ pid, kind: 'write', addr: hits + 8n, len: 8 });
  await s.cont(stop);
  const w = await s.nextStop();
  t.is(w.reason, 'watch');
  t.is(w.data[0], hits + 8n);
  t.not(w.thread.tid, pid, 'hit by a worker thread, created after the watch was set');
  await s.engine.kill(pid);
  await s.nextExit(pid);
});

capTest(
  ['launch', 'swBreak', 'xstate'],
  'xstate round trip: read ymm0 and write a new value',
  async (t) => {
    const s = await Session.open(t);
    t.true(s.info.xstateSize >= 832);
    t.true((s.info.xcr0 & 0x7n) === 0x7n, 'x87, SSE and AVX enabled');
    const path = await fixture('ymm');
    const syms = await symbols(path);
    const probe = sym(syms, 'ymm_probe');
    const { pid, stop } = await s.launch(path);
    await s.engine.setBreakpoint({ pid, kind: 'sw', addr: probe, len: 1 });
    await s.cont(stop);
    const hit = await s.nextStop();
    t.is(hit.pc, probe);
    const xs = await s.engine.getRegs(hit.thread.handle, hit.stopId, 'xstate');
    t.is(xs.length, s.info.xstateSize);
    const ymm0 = Buffer.concat([
      xs.subarray(XMM0_OFFSET, XMM0_OFFSET + 16),
      xs.subarray(YMM0_HI_OFFSET, YMM0_HI_OFFSET + 16),
    ]);
    t.deepEqual(
      [...ymm0],
      Array.from({ length: 32 }, (_, i) => i + 1),
    );
    const next = Buffer.from(xs);
    for (let i = 0; i < 16; i++) {
      next[XMM0_OFFSET + i] = 100 + i;
      next[YMM0_HI_OFFSET + i] = 116 + i;
    }
    await s.engine.setRegs(hit.thread.handle, hit.stopId, 'xstate', next);
    const back = await s.engine.getRegs(hit.thread.handle, hit.stopId, 'xstate');
    t.deepEqual(
      back.subarray(YMM0_HI_OFFSET, YMM0_HI_OFFSET + 16),
      next.subarray(YMM0_HI_OFFSET, YMM0_HI_OFFSET + 16),
    );
    await s.engine.clearBreakpoint({ pid, kind: 'sw', addr: probe, len: 1 });
    await s.cont(hit);
    t.deepEqual((await s.nextExit(pid)).exit, { code: 0 });
  },
);

capTest(
  ['launch', 'hwWatch', 'swBreak'],
  'a read watchpoint reports reads, not writes',
  async (t) => {
    const s = await Session.open(t);
    const path = await fixture('spin');
    const syms = await symbols(path);
    const counter = sym(syms, 'counter');
    const watched = sym(syms, 'watched'); // only ever stored to
    const { pid, stop } = await s.launch(path);
    await s.engine.setBreakpoint({ pid, kind: 'read', addr: counter, len: 8 });
    await s.cont(stop);
    const r = await s.nextStop();
    t.is(r.reason, 'watch');
    t.deepEqual(r.data.slice(0, 2), [counter, 3n]); // NTRACE_BP_READ
    await s.engine.clearBreakpoint({ pid, kind: 'read', addr: counter, len: 8 });
    // Now a read watch on a variable that is only written: the two stores before range_fn()
    // (at counter 64 and 128) must not stop.
    await s.engine.setBreakpoint({ pid, kind: 'read', addr: watched, len: 8 });
    await s.engine.setBreakpoint({ pid, kind: 'sw', addr: sym(syms, 'range_fn'), len: 1 });
    await s.cont(r);
    const b = await s.nextStop();
    t.is(b.reason, 'breakpoint');
    t.is(await s.readU64(pid, watched), 128n);
    await s.engine.kill(pid);
    await s.nextExit(pid);
  },
);

// gdb takes every watchpoint out and puts it back at each stop (z2, Z2), and the engine writes
// only the debug registers that changed since its last write: each pattern below must still
// reach the kernel.
capTest(
  ['launch', 'hwWatch'],
  'a watchpoint taken out and put back at each stop, then moved to another variable and length, keeps triggering where it is',
  async (t) => {
    const s = await Session.open(t);
    const path = await fixture('spin');
    const syms = await symbols(path);
    const watched = sym(syms, 'watched');
    const counter = sym(syms, 'counter');
    const { pid, stop } = await s.launch(path);
    const watch = { pid, kind: 'write' as const, addr: watched, len: 8 };
    await s.engine.setBreakpoint(watch);
    await s.cont(stop);
    let at = await s.nextStop();
    let last = await s.readU64(pid, watched);
    for (let i = 0; i < 3; i++) {
      await s.engine.clearBreakpoint(watch);
      await s.engine.setBreakpoint(watch);
      await s.cont(at);
      at = await s.nextStop();
      t.is(at.reason, 'watch');
      t.is(at.data[0], watched);
      const v = await s.readU64(pid, watched);
      t.is(v, last + 64n, 'the next store, none missed');
      last = v;
    }
    // Same slot, another address and length: the next write of counter (4 of its bytes).
    await s.engine.clearBreakpoint(watch);
    await s.engine.setBreakpoint({ pid, kind: 'write', addr: counter, len: 4 });
    await s.cont(at);
    at = await s.nextStop();
    t.is(at.reason, 'watch');
    t.is(at.data[0], counter);
    t.is(await s.readU64(pid, counter), last + 1n, "tick()'s store, not watched's");
    // And back: watched's next store, not counter's.
    await s.engine.clearBreakpoint({ pid, kind: 'write', addr: counter, len: 4 });
    await s.engine.setBreakpoint(watch);
    await s.cont(at);
    at = await s.nextStop();
    t.is(at.reason, 'watch');
    t.is(at.data[0], watched);
    t.is(await s.readU64(pid, watched), last + 64n);
    await s.engine.kill(pid);
    await s.nextExit(pid);
  },
);

// The kernel clears a thread's debug registers when it execs: the same watchpoint set again in
// the new image (a -no-pie program execing itself: the same address) must be written again.
capTest(
  ['launch', 'hwWatch', 'execEvents'],
  'a watchpoint set again after an exec, at the same address, triggers in the new image',
  async (t) => {
    const s = await Session.open(t);
    const path = await fixture('forks');
    const self = sym(await symbols(path), 'self'); // main's first store, in each image
    const { pid, stop } = await s.launch(path, ['exec']);
    await s.engine.setOptions(pid, { events: { exec: true } });
    const watch = { pid, kind: 'write' as const, addr: self, len: 8 };
    await s.engine.setBreakpoint(watch);
    await s.cont(stop);
    const w1 = await s.nextStop();
    t.is(w1.reason, 'watch');
    await s.cont(w1);
    const x = await s.nextStop();
    t.is(x.reason, 'exec');
    await s.engine.setBreakpoint(watch);
    await s.cont(x);
    const w2 = await s.nextStop();
    t.is(w2.reason, 'watch', "the new image's store to self");
    t.is(w2.data[0], self);
    await s.cont(w2);
    t.deepEqual((await s.nextExit(pid)).exit, { code: 9 });
  },
);
