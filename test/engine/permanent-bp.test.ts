// A breakpoint set on an int3 the program carries itself (gdb's "permanent breakpoint",
// gdb.base/bp-permanent.exp): gdb still inserts its own there, with conditions. Stepping over
// it runs the program's int3; that ends the step-over past it, as gdbserver does, instead of
// being taken for the breakpoint's next hit (with a false condition: forever).
import { capTest, fixture, Session, sym, symbols } from './_session.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const u32 = (n: bigint) => n.toString(16).padStart(8, '0');
/** *(long *)addr == n (const32 addr, ref64, const8 n, equal, end) */
const longIs = (addr: bigint, n: number) =>
  hex(`24${u32(addr)} 1a 22${n.toString(16).padStart(2, '0')} 13 27`);

capTest(
  ['launch', 'swBreak', 'condBytecode'],
  "a conditional breakpoint on the program's own int3: false hits run on past it",
  async (t) => {
    const s = await Session.open(t);
    const path = await fixture('permanent-bp');
    const syms = await symbols(path);
    const at = sym(syms, 'perm_int3');
    const calls = sym(syms, 'calls');
    const { pid, stop } = await s.launch(path, ['5']);
    await s.engine.setBreakpoint({
      pid,
      kind: 'sw',
      addr: at,
      len: 1,
      exprs: { conditions: [longIs(calls, 2)] },
    });
    await s.cont(stop);
    const bp = await s.nextStop();
    t.is(bp.reason, 'breakpoint');
    t.is(bp.pc, at);
    t.is(await s.readU64(pid, calls), 2n, 'the two false hits ran on past the int3');
    t.is(await s.readU64(pid, sym(syms, 'traps')), 0n, 'no trap reached the program');
    // Resumed from the hit, the step-over runs the int3 and goes on: the rest are false.
    await s.cont(bp);
    t.deepEqual((await s.nextExit(pid)).exit, { code: 4 });
    t.false(
      s.events.some((e) => e.type === 'stop'),
      'no other stop',
    );
  },
);
