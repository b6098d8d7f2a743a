// NTRACE_CAP_STOP_REGS: a STOP record carries the thread's GPRs, and they are exactly what
// GET_REGS answers at that stop, whatever the stop's reason.
import type { StopEvent } from '../../native/index.js';
import { capTest, fixture, gpr, Session, sym, symbols } from './_session.js';

const SIGUSR1 = 10;

async function sameAsGetRegs(s: Session, stop: StopEvent): Promise<Buffer> {
  const regs = await s.engine.getRegs(stop.thread.handle, stop.stopId, 'gpr');
  if (stop.regs === undefined) throw new Error(`stop ${stop.reason} came without registers`);
  if (!stop.regs.equals(regs)) throw new Error(`stop ${stop.reason}: registers differ`);
  return stop.regs;
}

capTest(
  ['launch', 'stopRegs', 'swBreak'],
  'launch, breakpoint and step stops carry the GET_REGS registers',
  async (t) => {
    const s = await Session.open(t);
    const path = await fixture('spin');
    const tick = sym(await symbols(path), 'tick');
    const { pid, stop } = await s.launch(path);
    t.is(stop.reason, 'launch');
    t.is(gpr(await sameAsGetRegs(s, stop), 'rip'), stop.pc);
    await s.engine.setBreakpoint({ pid, kind: 'sw', addr: tick, len: 1 });
    await s.cont(stop);
    const hit = await s.nextStop();
    t.is(hit.reason, 'breakpoint');
    const r = await sameAsGetRegs(s, hit);
    t.is(gpr(r, 'rip'), tick, 'the pc is rewound in the record too');
    t.is(gpr(r, 'rsp'), hit.sp);
    let cur = hit;
    for (let i = 0; i < 3; i++) {
      await s.engine.resume({ handle: cur.thread.handle, stopId: cur.stopId, mode: 'step' });
      cur = await s.nextStop();
      t.is(cur.reason, 'step');
      t.is(gpr(await sameAsGetRegs(s, cur), 'rip'), cur.pc);
    }
    // After SET_REGS the next stop's record reflects the new value.
    const changed = Buffer.from(await sameAsGetRegs(s, cur));
    changed.writeBigUInt64LE(0x1234n, 80); // rax
    await s.engine.setRegs(cur.thread.handle, cur.stopId, 'gpr', changed);
    await s.engine.resume({ handle: cur.thread.handle, stopId: cur.stopId, mode: 'step' });
    const after = await s.nextStop();
    await sameAsGetRegs(s, after);
    t.pass();
  },
);

capTest(
  ['launch', 'stopRegs', 'signalFilter'],
  'signal and requested stops carry the GET_REGS registers',
  async (t) => {
    const s = await Session.open(t);
    const sig = await s.launch(await fixture('signals'));
    await s.engine.setOptions(sig.pid, { stopSignals: [SIGUSR1] });
    await s.cont(sig.stop);
    const got = await s.nextStop();
    t.is(got.reason, 'signal');
    t.is(gpr(await sameAsGetRegs(s, got), 'rsp'), got.sp);
    await s.cont(got, 0);
    await s.nextExit(sig.pid);

    const spin = await s.launch(await fixture('spin'));
    await s.cont(spin.stop);
    await s.engine.stop(spin.pid);
    const req = await s.nextStop();
    t.is(req.reason, 'requested');
    t.is(gpr(await sameAsGetRegs(s, req), 'rip'), req.pc);
  },
);

capTest(
  ['launch', 'stopRegs', 'syscallEntryStop', 'syscallExitStop'],
  'syscall stops carry the GET_REGS registers',
  async (t) => {
    const s = await Session.open(t);
    const { stop } = await s.launch(await fixture('spin'));
    // The launch stop is inside execve: its exit comes first, then the next syscall's entry.
    let cur = stop;
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) {
      await s.engine.resume({ handle: cur.thread.handle, stopId: cur.stopId, mode: 'syscall' });
      cur = await s.nextStop();
      const r = await sameAsGetRegs(s, cur);
      if (cur.reason === 'syscall-entry') t.is(gpr(r, 'origRax'), cur.data[0]);
      else if (cur.reason === 'syscall-exit') t.is(gpr(r, 'rax'), cur.data[1]);
      else t.fail(`unexpected stop ${cur.reason}`);
      seen.add(cur.reason);
    }
    t.deepEqual([...seen].sort(), ['syscall-entry', 'syscall-exit']);
  },
);
