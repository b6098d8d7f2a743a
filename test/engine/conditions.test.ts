// Breakpoint conditions and commands evaluated in the engine (NTRACE_CAP_COND_BYTECODE): GDB
// agent expressions on SET_BP. The fixture calls hit(i) for i = 0 .. n-1; at hit's first
// instruction i is in rdi (gdb's register 5). Bytecodes are assembled here the way gdb emits
// them (reg, const, equal, end; dprintf: args, channel, function, printf, end).
import type { EngineError, OutputEvent } from '../../native/index.js';
import { capTest, fixture, gpr, runToExit, Session, sym, symbols } from './_session.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const u16 = (n: number) => n.toString(16).padStart(4, '0');
/** rdi == n */
const rdiIs = (n: number) => hex(`260005 23${u16(n)} 13 27`);
/** *(int *)16 != 0: the address is never mapped. */
const unmapped = hex('2210 19 27');
/** const8 1; if_goto 0 (forever); const8 0; end: verified (flat stack), cut by the budget. */
const forever = hex('2201 200000 2200 27');
/** printf(fmt, rdi) */
function printfRdi(fmt: string): Buffer {
  const f = Buffer.from(fmt + '\0');
  return Buffer.concat([hex(`260005 2200 2200 3401 ${u16(f.length)}`), f, hex('27')]);
}

async function start(t: Parameters<typeof Session.open>[0], n: number) {
  const s = await Session.open(t);
  const path = await fixture('cond');
  const syms = await symbols(path);
  const { pid, stop } = await s.launch(path, [String(n)]);
  return { s, pid, stop, hit: sym(syms, 'hit'), calls: sym(syms, 'calls') };
}

capTest(
  ['launch', 'swBreak', 'condBytecode'],
  'a conditional breakpoint reports only the hit whose condition is true',
  async (t) => {
    const { s, pid, stop, hit, calls } = await start(t, 2000);
    await s.engine.setBreakpoint({
      pid,
      kind: 'sw',
      addr: hit,
      len: 1,
      exprs: { conditions: [rdiIs(1999)] },
    });
    await s.cont(stop);
    const bp = await s.nextStop();
    t.is(bp.reason, 'breakpoint');
    t.is(bp.pc, hit);
    const regs = await s.engine.getRegs(bp.thread.handle, bp.stopId, 'gpr');
    t.is(gpr(regs, 'rdi'), 1999n);
    t.is(await s.readU64(pid, calls), 1999n, 'every earlier call ran, unreported');
    await s.cont(bp);
    t.deepEqual((await s.nextExit(pid)).exit, { code: 3 });
    t.false(
      s.events.some((e) => e.type === 'stop'),
      'no other stop',
    );
  },
);

capTest(
  ['launch', 'swBreak', 'condBytecode'],
  'several conditions: any true one stops; a SET_BP without expressions makes it unconditional',
  async (t) => {
    const { s, pid, stop, hit } = await start(t, 100);
    const spec = { pid, kind: 'sw' as const, addr: hit, len: 1 };
    await s.engine.setBreakpoint({ ...spec, exprs: { conditions: [rdiIs(20), rdiIs(10)] } });
    await s.cont(stop);
    const rdi = async () => {
      const bp = await s.nextStop();
      return { bp, rdi: gpr(await s.engine.getRegs(bp.thread.handle, bp.stopId, 'gpr'), 'rdi') };
    };
    const a = await rdi();
    t.is(a.rdi, 10n);
    await s.cont(a.bp);
    const b = await rdi();
    t.is(b.rdi, 20n);
    // Replace the list only (no new reference): now rdi == 30.
    await s.engine.setBreakpoint({ ...spec, replace: true, exprs: { conditions: [rdiIs(30)] } });
    await s.cont(b.bp);
    const c = await rdi();
    t.is(c.rdi, 30n);
    // A plain SET_BP sets an empty list (and a second reference): every call stops.
    await s.engine.setBreakpoint(spec);
    await s.cont(c.bp);
    const d = await rdi();
    t.is(d.rdi, 31n);
    await s.engine.clearBreakpoint(spec);
    await s.engine.clearBreakpoint(spec);
    await s.cont(d.bp);
    t.deepEqual((await s.nextExit(pid)).exit, { code: 3 });
  },
);

capTest(
  ['launch', 'swBreak', 'condBytecode'],
  'a condition that faults or loops stops at the first hit (the debugger decides)',
  async (t) => {
    for (const cond of [unmapped, forever]) {
      const { s, pid, stop, hit } = await start(t, 10);
      await s.engine.setBreakpoint({
        pid,
        kind: 'sw',
        addr: hit,
        len: 1,
        exprs: { conditions: [cond] },
      });
      await s.cont(stop);
      const bp = await s.nextStop();
      t.is(bp.reason, 'breakpoint');
      t.is(gpr(await s.engine.getRegs(bp.thread.handle, bp.stopId, 'gpr'), 'rdi'), 0n);
      await s.close();
    }
  },
);

capTest(
  ['launch', 'swBreak', 'condBytecode'],
  'malformed bytecode is refused with EINVAL and sets nothing; REPLACE of nothing is ENOENT',
  async (t) => {
    const { s, pid, hit } = await start(t, 10);
    const spec = { pid, kind: 'sw' as const, addr: hit, len: 1 };
    for (const bad of [hex('ff27'), hex('0227'), hex('2201'), hex('210000'), hex('27')]) {
      const e = await t.throwsAsync(
        s.engine.setBreakpoint({ ...spec, exprs: { conditions: [bad] } }),
      );
      t.is((e as EngineError).code, 'EINVAL', bad.toString('hex'));
    }
    const gone = await t.throwsAsync(s.engine.clearBreakpoint(spec));
    t.is((gone as EngineError).code, 'ENOENT', 'the refused breakpoint was not set');
    const e = await t.throwsAsync(
      s.engine.setBreakpoint({ ...spec, replace: true, exprs: { conditions: [rdiIs(1)] } }),
    );
    t.is((e as EngineError).code, 'ENOENT');
  },
);

capTest(
  ['launch', 'swBreak', 'condBytecode'],
  "dprintf: a breakpoint's printf command reports text for every call and never stops",
  async (t) => {
    const n = 50;
    const { s, pid, stop, hit } = await start(t, n);
    await s.engine.setBreakpoint({
      pid,
      kind: 'sw',
      addr: hit,
      len: 1,
      exprs: { commands: [printfRdi('i=%ld\\n')] },
    });
    await s.cont(stop);
    t.deepEqual((await s.nextExit(pid)).exit, { code: 3 });
    const out = s.events.filter((e): e is OutputEvent => e.type === 'output');
    t.deepEqual(
      out.map((o) => o.text.toString()),
      Array.from({ length: n }, (_, i) => `i=${i}\n`),
    );
    t.true(out.every((o) => o.addr === hit && o.thread.tgid === pid && !o.truncated));
    t.false(
      s.events.some((e) => e.type === 'stop'),
      'the program never stopped',
    );
  },
);

capTest(
  ['launch', 'swBreak', 'condBytecode'],
  'dprintf with a condition prints only where it holds',
  async (t) => {
    const { s, pid, stop, hit } = await start(t, 30);
    await s.engine.setBreakpoint({
      pid,
      kind: 'sw',
      addr: hit,
      len: 1,
      exprs: { conditions: [rdiIs(7), rdiIs(25)], commands: [printfRdi('<%lx>')] },
    });
    await s.cont(stop);
    t.deepEqual((await s.nextExit(pid)).exit, { code: 3 });
    const out = s.events.filter((e): e is OutputEvent => e.type === 'output');
    t.deepEqual(
      out.map((o) => o.text.toString()),
      ['<7>', '<19>'],
    );
  },
);

capTest(
  ['launch', 'hwBreak', 'condBytecode'],
  'a hardware breakpoint with a condition reports only the true hit',
  async (t) => {
    const { s, pid, stop, hit } = await start(t, 100);
    await s.engine.setBreakpoint({
      pid,
      kind: 'hw',
      addr: hit,
      len: 1,
      exprs: { conditions: [rdiIs(42)] },
    });
    await s.cont(stop);
    const bp = await s.nextStop();
    t.is(bp.reason, 'hw-breakpoint');
    t.is(gpr(await s.engine.getRegs(bp.thread.handle, bp.stopId, 'gpr'), 'rdi'), 42n);
    await s.engine.clearBreakpoint({ pid, kind: 'hw', addr: hit, len: 1 });
    await s.cont(bp);
    t.deepEqual((await s.nextExit(pid)).exit, { code: 3 });
  },
);

capTest(
  ['launch', 'swBreak', 'condBytecode'],
  "another thread's false hits never let a true hit run past the lifted breakpoint",
  async (t) => {
    // The spinner thread's hit(0) is false, stepped over again and again; each step-over lifts
    // the int3 for a moment. Main's hit(1) is true and must stop every time.
    const n = 200;
    const s = await Session.open(t);
    const path = await fixture('cond-threads');
    const hit = sym(await symbols(path), 'hit');
    const { pid, stop } = await s.launch(path, [String(n)]);
    await s.engine.setBreakpoint({
      pid,
      kind: 'sw',
      addr: hit,
      len: 1,
      exprs: { conditions: [rdiIs(1)] },
    });
    await s.cont(stop);
    let stops = 0;
    await runToExit(t, s, pid, 3, async (ev) => {
      if (ev.reason === 'breakpoint') {
        t.is(ev.thread.tid, pid, 'only the calls of main are true');
        stops++;
      }
      await s.cont(ev);
    });
    t.is(stops, n, 'every true hit stopped');
  },
);

capTest(
  ['launch', 'swBreak', 'condBytecode'],
  'a stop of the process while every thread streams false hits reports every thread',
  async (t) => {
    // gdb.threads/interrupt-while-step-over.exp's 'interrupt -a' in small: the tracer meets
    // the STOP command while statuses of false hits keep coming from every thread (and goes
    // from a status straight to the next ones, tracer.cc's skip_read_). Every thread's stop
    // must be reported, the oldest (main) too, however often the newer ones re-stop.
    const spinners = 8;
    const s = await Session.open(t);
    const path = await fixture('cond-spinners');
    const hit = sym(await symbols(path), 'hit');
    const { pid, stop } = await s.launch(path, [String(spinners)]);
    const spec = { pid, kind: 'sw' as const, addr: hit, len: 1 };
    // main's hit(1) stops once it has created the spinners, which run on.
    await s.engine.setBreakpoint({ ...spec, exprs: { conditions: [rdiIs(1)] } });
    await s.cont(stop);
    let held = [await s.nextStop((e) => e.thread.tgid === pid)];
    t.is(held[0].reason, 'breakpoint');
    t.is(held[0].thread.tid, pid);
    // Never true from now on: every call of every thread is a false hit.
    await s.engine.setBreakpoint({ ...spec, replace: true, exprs: { conditions: [rdiIs(2)] } });
    for (let round = 0; round < 20; round++) {
      for (const h of held) await s.cont(h);
      await s.engine.stop(pid);
      const tids = new Set<number>();
      held = [];
      while (tids.size < spinners + 1) {
        const ev = await s.nextStop((e) => e.thread.tgid === pid);
        // A spinner whose first stop the engine had not seen yet reports that one instead.
        t.true(
          ev.reason === 'requested' || (round === 0 && ev.reason === 'new-thread'),
          `round ${round}: no other stop (${ev.reason})`,
        );
        t.false(tids.has(ev.thread.tid), `round ${round}: one stop per thread`);
        tids.add(ev.thread.tid);
        held.push(ev);
      }
      t.true(tids.has(pid), `round ${round}: main stopped`);
    }
  },
);
