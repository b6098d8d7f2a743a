// stub/tracepoints/agent-expr.ts against the bytecodes gdb compiles (GDB manual, "Bytecode
// Descriptions"), over an in-memory context.
import test from 'ava';
import { type AxContext, evalAgentExpr } from '../../../stub/tracepoints/agent-expr.js';

function context(regs: bigint[] = [], mem = new Map<bigint, number>()) {
  const recorded: { addr: bigint; length: number; untilZero: boolean }[] = [];
  const vars = new Map<number, bigint>();
  const traced: number[] = [];
  const ctx: AxContext = {
    register: (n) => regs[n] ?? 0n,
    readMemory: async (addr, length) => {
      const out = Buffer.alloc(length);
      for (let i = 0; i < length; i++) out[i] = mem.get(addr + BigInt(i)) ?? 0;
      return out;
    },
    getVariable: (n) => vars.get(n) ?? 0n,
    setVariable: (n, v) => vars.set(n, v),
    recordMemory: async (addr, length, untilZero) => {
      recorded.push({ addr, length, untilZero });
    },
    recordVariable: (n) => traced.push(n),
  };
  return { ctx, recorded, vars, traced };
}

const run = (hex: string, ctx = context().ctx) => evalAgentExpr(Buffer.from(hex, 'hex'), ctx);

test('constants and arithmetic, signed and unsigned', async (t) => {
  // const8 7; const8 5; sub; end
  t.deepEqual(await run('2207220503' + '27'), { ok: true, value: 2n });
  // const8 5; const8 7; sub => -2 (two's complement)
  t.deepEqual(await run('2205220703' + '27'), { ok: true, value: (1n << 64n) - 2n });
  // -2 / 2 signed = -1; unsigned is huge
  t.deepEqual(await run('22052207032202' + '05' + '27'), { ok: true, value: (1n << 64n) - 1n });
  t.deepEqual(await run('2207220306' + '27'), { ok: true, value: 2n });
  t.deepEqual(await run('2207220308' + '27'), { ok: true, value: 1n });
  // const16 0x1234; const32; const64
  t.deepEqual(await run('231234' + '27'), { ok: true, value: 0x1234n });
  t.deepEqual(await run('25' + '0102030405060708' + '27'), {
    ok: true,
    value: 0x0102030405060708n,
  });
  t.deepEqual(await run('22002201' + '05' + '27'), { ok: true, value: 0n });
  t.deepEqual(await run('22012200' + '05' + '27'), { ok: false, error: 'divide by zero' });
});

test('comparisons, ext, zero_ext, log_not, bit ops', async (t) => {
  t.deepEqual(await run('2203220513' + '27'), { ok: true, value: 0n });
  // 0xff ext 8 => -1 ; -1 < 0 signed
  t.deepEqual(await run('22ff1608' + '2200' + '14' + '27'), { ok: true, value: 1n });
  t.deepEqual(await run('22ff1608' + '2200' + '15' + '27'), { ok: true, value: 0n });
  t.deepEqual(await run('231234' + '2a08' + '27'), { ok: true, value: 0x34n });
  t.deepEqual(await run('2200' + '0e' + '27'), { ok: true, value: 1n });
  t.deepEqual(await run('22f0220f' + '10' + '27'), { ok: true, value: 0xffn });
  t.deepEqual(await run('2201' + '12' + '27'), { ok: true, value: (1n << 64n) - 2n });
});

test('registers, memory references and jumps', async (t) => {
  const mem = new Map<bigint, number>([
    [0x1000n, 0x78],
    [0x1001n, 0x56],
    [0x1002n, 0x34],
    [0x1003n, 0x12],
  ]);
  const { ctx } = context([0n, 0x1000n], mem);
  // reg 1; ref32; end
  t.deepEqual(await run('260001' + '19' + '27', ctx), { ok: true, value: 0x12345678n });
  t.deepEqual(await run('260001' + '17' + '27', ctx), { ok: true, value: 0x78n });
  // const8 1; if_goto 8; const8 9; end; (8:) const8 4; end
  t.deepEqual(await run('2201' + '200008' + '2209' + '27' + '2204' + '27'), {
    ok: true,
    value: 4n,
  });
  t.deepEqual(await run('2200' + '200008' + '2209' + '27' + '2204' + '27'), {
    ok: true,
    value: 9n,
  });
  t.deepEqual(await run('21ffff'), { ok: false, error: 'invalid goto' });
});

test('stack ops: dup, pop, swap, pick, rot', async (t) => {
  t.deepEqual(await run('2201' + '28' + '02' + '27'), { ok: true, value: 2n });
  t.deepEqual(await run('22012202' + '29' + '27'), { ok: true, value: 1n });
  t.deepEqual(await run('22012202' + '2b' + '03' + '27'), { ok: true, value: 1n });
  t.deepEqual(await run('220122022203' + '3201' + '27'), { ok: true, value: 2n });
  // 1 2 3 rot => 3 1 2: the top is 2, then 1
  t.deepEqual(await run('220122022203' + '33' + '27'), { ok: true, value: 2n });
  t.deepEqual(await run('220122022203' + '33' + '29' + '27'), { ok: true, value: 1n });
  t.deepEqual(await run('02'), { ok: false, error: 'stack underflow' });
  t.deepEqual(await run('22'), { ok: false, error: 'truncated expression' });
});

test('trace ops record, variables get, set and trace', async (t) => {
  const c = context();
  // const16 0x1000; const8 8; trace; const16 0x2000; trace_quick 4; trace16 0x100; pop;
  // const16 0x3000; const8 16; tracenz; end
  const r = await run(
    '231000' +
      '2208' +
      '0c' +
      '232000' +
      '0d04' +
      '300100' +
      '29' +
      '233000' +
      '2210' +
      '2f' +
      '27',
    c.ctx,
  );
  t.true(r.ok);
  t.deepEqual(c.recorded, [
    { addr: 0x1000n, length: 8, untilZero: false },
    { addr: 0x2000n, length: 4, untilZero: false },
    { addr: 0x2000n, length: 0x100, untilZero: false },
    { addr: 0x3000n, length: 16, untilZero: true },
  ]);
  // const8 5; setv 1; getv 1; add; tracev 1; end
  t.deepEqual(await run('2205' + '2d0001' + '2c0001' + '02' + '2e0001' + '27', c.ctx), {
    ok: true,
    value: 10n,
  });
  t.is(c.vars.get(1), 5n);
  t.deepEqual(c.traced, [1]);
});

test('what gdbserver refuses: floats, printf, unknown opcodes', async (t) => {
  t.deepEqual(await run('01'), { ok: false, error: 'unhandled opcode' });
  t.deepEqual(await run('34'), { ok: false, error: 'unhandled opcode' });
  t.deepEqual(await run('ee'), { ok: false, error: 'unrecognized opcode' });
});
