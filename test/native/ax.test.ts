// The agent-expression verifier and evaluator (kmod/ntrace_ax.c, shared by both providers), run
// on the host through test/fixtures/ax-harness.c. The bytecodes are gdb 13.1's own: captured from
// the Z0 packets gdb sent with `set breakpoint condition-evaluation target` and `set debug remote
// 1` (dprintf with `set dprintf-style agent`), for a function f(int i, int *p) compiled -O0,
// where gdb addresses i at rbp+16-20 and p at rbp+16-32, and globals s, g, nowhere, st, name,
// x, y, z at the addresses below.
import { execFile } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import fc from 'fast-check';
import { compileFixture } from '../helpers/compile.js';

const kmodDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../kmod');

const harness = compileFixture('ax-harness.c', {
  flags: ['-std=gnu11', '-Wall', '-Wextra', '-Werror', '-I', kmodDir, join(kmodDir, 'ntrace_ax.c')],
});

/** Runs the harness on the given lines; resolves with its answer lines. */
async function ax(lines: string[]): Promise<string[]> {
  const exe = await harness;
  const child = execFile(exe, { maxBuffer: 64 << 20, encoding: 'buffer' });
  const out: Buffer[] = [];
  child.stdout!.on('data', (d: Buffer) => out.push(d));
  const done = new Promise<void>((res, rej) => {
    child.on('error', rej);
    child.on('close', () => res());
  });
  child.stdin!.end(lines.join('\n') + '\n');
  await done;
  return Buffer.concat(out).toString().trimEnd().split('\n');
}

interface Eval {
  result: string;
  value: bigint;
  budgetLeft: number;
  truncated: boolean;
  out: string;
}

function parseEval(line: string): Eval {
  const m = /^eval (.+) ([0-9a-f]+) (\d+) ([01]) ([0-9a-f]*)-$/.exec(line);
  if (!m) throw new Error(`bad harness line: ${line}`);
  return {
    result: m[1]!,
    value: BigInt(`0x${m[2]}`),
    budgetLeft: Number(m[3]),
    truncated: m[4] === '1',
    out: Buffer.from(m[5]!, 'hex').toString('latin1'),
  };
}

/** Little-endian hex of an integer of `bytes` bytes (two's complement for negatives). */
function le(value: bigint | number, bytes: number): string {
  let v = BigInt.asUintN(bytes * 8, BigInt(value));
  let s = '';
  for (let i = 0; i < bytes; i++) {
    s += (v & 0xffn).toString(16).padStart(2, '0');
    v >>= 8n;
  }
  return s;
}

const RBP = 0x7ffe0000n;
const I_ADDR = RBP + 16n - 20n;
const P_ADDR = RBP + 16n - 32n;
const S = 0x555555558040n;
const G = 0x555555558048n;
const NOWHERE = 0x555555558050n;
const ST = 0x555555558060n;
const NAME = 0x555555558080n;
const X = 0x55555555808cn;
const Y = 0x555555558090n;
const Z = 0x555555558094n;

// gdb 13.1's Z0 conditions (X len,bytes) and dprintf commands (cmds:1,X len,bytes).
const GDB = {
  iEq1999: '26000622100222ec1608021916202307cf1327',
  derefPGt3: '26000622100222e01608021a19162022032b1427',
  s2Eq120: '2500005555555580402202022a4017160822781327',
  xAndYOrZ:
    '25000055555555808c191620200012210029250000555555558090191620200024210029220121002b22002000' +
    '422500005555555580941916202000422200210044220127',
  stbAndC2EqG:
    '25000055555555806022040218161022ff16081420001a2100492500005555555580602208022202220804022a' +
    '401a16402500005555555580481a164013200044210049220121004b220027',
  rdiEq7: '260005164022071327',
  iMod3Eq2: '26000622100222ec160802191620220307162022021327',
  ucharIGt200: '26000622100222ec1608021916202a082300c82b1427',
  shortINeg: '26000622100222ec160802191620161022001427',
  gTimes2Ge10: '2500005555555580481a16402202041640220a140e27',
  ripFsbaseEflags:
    '2600102a402200130e20000f21002326003a16402200130e20001e2100232201210025220020002b21003b2600' +
    '112a2020003621003b220121003d220027',
  derefAddr8: '220819162022011327',
  iGt1000AndPEq5:
    '26000622100222ec1608021916202303e82b1420001921003626000622100222e01608021a19162022051320' +
    '00312100362201210038220027',
  iMinus3Neg: '26000622100222ec160802191620220303162022001427',
  iShl62: '26000622100222ec160802191620223e0916402200130e27',
  negGDiv2: '22002500005555555580481a1640031640220205164022fe16081327',
  gShr1Eq2: '2500005555555580481a164022010a164022021327',
  negGShr60: '22002500005555555580481a16400316402a40223c2a400b2a40220f2a401327',
  notIAnd1: '26000622100222ec16080219162012162022010f27',
  // dprintf f,"plain\n"
  printfPlain: '2200220034000008706c61696e5c6e0027',
  // dprintf f,"i=%d p=%p *p=%u x=%x c=%c g=%ld %lu %lx %% s=%s\n", i, p, *p, i, 65+(i&7), g, g, g, name
  printfAll:
    '2500005555555580801a2500005555555580481a16402500005555555580481a16402500005555555580481a1640' +
    '224126000622100222ec16080219162022070f02162026000622100222ec16080219162026000622100222e01608' +
    '021a19162026000622100222e01608021a26000622100222ec1608021916202200220034090032693d256420703d' +
    '2570202a703d257520783d257820633d256320673d256c6420256c7520256c7820252520733d25735c6e0027',
  // dprintf f,"[%5d|%-5d|%05d|%s|%10s|%-8s|%.3s]\n", i, i, i, nowhere, name, name, name
  printfWidths:
    '2500005555555580801a2500005555555580801a2500005555555580801a2500005555555580501a2600062210' +
    '0222ec16080219162026000622100222ec16080219162026000622100222ec1608021916202200220034070024' +
    '5b2535647c252d35647c253035647c25737c253130737c252d38737c252e33735d5c6e0027',
};

const hex = (b: bigint) => b.toString(16);
const mem = (addr: bigint, bytes: string) => `mem ${hex(addr)} ${bytes}`;
const frame = (i: number, p?: bigint) => [
  'reg 6 ' + hex(RBP),
  mem(I_ADDR, le(i, 4)),
  ...(p === undefined ? [] : [mem(P_ADDR, le(p, 8))]),
];

async function evalWith(setup: string[], code: string): Promise<Eval> {
  const lines = await ax([...setup, `eval ${code}`]);
  return parseEval(lines[lines.length - 1]!);
}

async function cond(setup: string[], code: string): Promise<bigint | string> {
  const e = await evalWith(setup, code);
  return e.result === 'ok' ? e.value : e.result;
}

test("gdb's conditions verify, with the depth they need", async (t) => {
  const names = Object.keys(GDB) as (keyof typeof GDB)[];
  const lines = await ax(
    names.map((n) => `verify ${GDB[n]} ${n.startsWith('printf') ? '' : 'value'}`),
  );
  names.forEach((n, k) => {
    t.regex(lines[k]!, /^verify ok [1-9]\d*$/, n);
  });
});

test('i == 1999 and *p > 3: locals through rbp, signed 32-bit loads', async (t) => {
  t.is(await cond(frame(1999), GDB.iEq1999), 1n);
  t.is(await cond(frame(1998), GDB.iEq1999), 0n);
  const p = 0x1000n;
  t.is(await cond([...frame(0, p), mem(p, le(4, 4))], GDB.derefPGt3), 1n);
  t.is(await cond([...frame(0, p), mem(p, le(3, 4))], GDB.derefPGt3), 0n);
  t.is(await cond([...frame(0, p), mem(p, le(-5, 4))], GDB.derefPGt3), 0n, 'signed compare');
});

test('a condition whose memory is unreadable fails (the engine then stops)', async (t) => {
  t.is(await cond(['reg 6 ' + hex(RBP)], GDB.iEq1999), 'memory');
  t.is(await cond(frame(0, 0x1000n), GDB.derefPGt3), 'memory', 'p points nowhere');
  t.is(await cond([], GDB.derefAddr8), 'memory');
  t.is(await cond([], GDB.iEq1999), 'register', 'no rbp');
});

test('s[2] == 120, (unsigned char)i > 200, (short)i < 0, i % 3 == 2, ~i & 1', async (t) => {
  t.is(await cond([mem(S, '616278646566')], GDB.s2Eq120), 1n);
  t.is(await cond([mem(S, '616279646566')], GDB.s2Eq120), 0n);
  t.is(await cond(frame(0x1c9), GDB.ucharIGt200), 1n);
  t.is(await cond(frame(200), GDB.ucharIGt200), 0n);
  t.is(await cond(frame(0x8000), GDB.shortINeg), 1n);
  t.is(await cond(frame(0x7fff), GDB.shortINeg), 0n);
  t.is(await cond(frame(5), GDB.iMod3Eq2), 1n);
  t.is(await cond(frame(-1), GDB.iMod3Eq2), 0n, 'signed remainder: -1 % 3 == -1');
  t.is(await cond(frame(2), GDB.notIAnd1), 1n);
  t.is(await cond(frame(3), GDB.notIAnd1), 0n);
  t.is(await cond(frame(2), GDB.iMinus3Neg), 1n);
  t.is(await cond(frame(3), GDB.iMinus3Neg), 0n);
});

test('x && y || z over the whole truth table', async (t) => {
  for (let bits = 0; bits < 8; bits++) {
    const [x, y, z] = [bits & 1, (bits >> 1) & 1, (bits >> 2) & 1];
    const setup = [mem(X, le(x, 4)), mem(Y, le(y, 4)), mem(Z, le(z, 4))];
    t.is(await cond(setup, GDB.xAndYOrZ), BigInt((x && y) || z), `x=${x} y=${y} z=${z}`);
  }
});

test('i > 1000 && *p == 5 short-circuits: no read of *p when i is small', async (t) => {
  t.is(await cond(frame(10, 0x1000n), GDB.iGt1000AndPEq5), 0n);
  t.is(await cond([...frame(1001, 0x1000n), mem(0x1000n, le(5, 4))], GDB.iGt1000AndPEq5), 1n);
  t.is(await cond(frame(1001, 0x1000n), GDB.iGt1000AndPEq5), 'memory');
});

test('struct fields, 64-bit globals, shifts and signed division', async (t) => {
  // struct S { int a; short b; long c[3]; } st at ST; long g at G.
  const st = (b: number, c2: number) =>
    mem(ST, le(1, 4) + le(b, 2) + '0000' + le(3, 8) + le(4, 8) + le(c2, 8));
  t.is(await cond([st(-2, 5), mem(G, le(5, 8))], GDB.stbAndC2EqG), 1n);
  t.is(await cond([st(-1, 5), mem(G, le(5, 8))], GDB.stbAndC2EqG), 0n);
  t.is(await cond([st(-2, 4), mem(G, le(5, 8))], GDB.stbAndC2EqG), 0n);
  t.is(await cond([mem(G, le(5, 8))], GDB.gTimes2Ge10), 1n);
  t.is(await cond([mem(G, le(4, 8))], GDB.gTimes2Ge10), 0n);
  t.is(await cond([mem(G, le(5, 8))], GDB.negGDiv2), 1n, '-5 / 2 == -2 (truncation)');
  t.is(await cond([mem(G, le(3, 8))], GDB.negGDiv2), 0n);
  t.is(await cond([mem(G, le(5, 8))], GDB.gShr1Eq2), 1n);
  t.is(await cond([mem(G, le(-5, 8))], GDB.gShr1Eq2), 0n, 'arithmetic shift: -5 >> 1 == -3');
  t.is(await cond([mem(G, le(1, 8))], GDB.negGShr60), 1n);
  t.is(await cond([mem(G, le(0, 8))], GDB.negGShr60), 0n);
  t.is(await cond(frame(1), GDB.iShl62), 1n);
  t.is(await cond(frame(4), GDB.iShl62), 0n, 'bits shifted out of 64');
});

test("registers in gdb's amd64 numbering, from a user_regs_struct image", async (t) => {
  // user_regs_struct slots: rdi 14, rip 16, eflags 18, fs_base 21.
  const image = (slots: Record<number, bigint>) => {
    let s = '';
    for (let k = 0; k < 27; k++) s += le(slots[k] ?? 0n, 8);
    return `regs ${s}`;
  };
  t.is(await cond([image({ 14: 7n })], GDB.rdiEq7), 1n);
  t.is(await cond([image({ 14: 8n })], GDB.rdiEq7), 0n);
  t.is(await cond(['reg 5 7'], GDB.rdiEq7), 1n, 'reg 5 is rdi');
  t.is(await cond([image({ 16: 0x401000n, 21: 0x7f00n, 18: 0x246n })], GDB.ripFsbaseEflags), 1n);
  t.is(await cond([image({ 16: 0x401000n, 21: 0n, 18: 0x246n })], GDB.ripFsbaseEflags), 0n);
  // eflags is 32 bits wide: bits above are not part of it.
  t.is(await cond([image({ 16: 1n, 21: 1n, 18: 1n << 40n })], GDB.ripFsbaseEflags), 0n);
  // Every GPR by its gdb number: reg N; end.
  const order = [10, 5, 11, 12, 13, 14, 4, 19, 9, 8, 7, 6, 3, 2, 1, 0, 16];
  const slots: Record<number, bigint> = {};
  for (let k = 0; k < 27; k++) slots[k] = 0x1000n + BigInt(k);
  const lines = await ax([
    image(slots),
    ...order.map((_, n) => `eval 26${n.toString(16).padStart(4, '0')}27`),
    'eval 26003927',
    'eval 26003b27',
    'eval 26001827',
  ]);
  order.forEach((slot, n) => {
    t.is(parseEval(lines[1 + n]!).value, 0x1000n + BigInt(slot), `reg ${n}`);
  });
  t.is(parseEval(lines[1 + order.length]!).value, 0x1000n + 15n, 'reg 57 is orig_rax');
  t.is(parseEval(lines[2 + order.length]!).value, 0x1000n + 22n, 'reg 59 is gs_base');
  t.is(parseEval(lines[3 + order.length]!).result, 'register', 'reg 24 (st0) is not in the image');
});

test('dprintf: the formats gdb passes through, escapes processed', async (t) => {
  t.is((await evalWith([], GDB.printfPlain)).out, 'plain\n');
  const p = 0x7ffe1234n;
  const all = await evalWith(
    [
      ...frame(5, p),
      mem(p, le(-1, 4)),
      mem(G, le(-1, 8)),
      mem(NAME, le(0x2000n, 8)),
      mem(0x2000n, Buffer.alloc(64, 'alice\0').toString('hex')),
    ],
    GDB.printfAll,
  );
  t.is(all.result, 'ok');
  t.is(
    all.out,
    'i=5 p=0x7ffe1234 *p=4294967295 x=5 c=F g=-1 18446744073709551615 ffffffffffffffff % s=alice\n',
  );
  const widths = await evalWith(
    [
      ...frame(42),
      mem(NOWHERE, le(0, 8)),
      mem(NAME, le(0x2000n, 8)),
      mem(0x2000n, Buffer.alloc(64, 'alice\0').toString('hex')),
    ],
    GDB.printfWidths,
  );
  t.is(widths.out, '[   42|42   |00042|(null)|     alice|alice   |ali]\n');
});

test('dprintf: a string that is not readable fails, a full buffer truncates', async (t) => {
  const bad = await evalWith(
    [...frame(42), mem(NOWHERE, le(16, 8)), mem(NAME, le(0x2000n, 8))],
    GDB.printfWidths,
  );
  t.is(bad.result, 'memory');
  const small = await evalWith(['outcap 4'], GDB.printfPlain);
  t.is(small.result, 'ok');
  t.is(small.out, 'plai');
  t.true(small.truncated);
});

/** printf bytecode: const8 0 const8 0 printf nargs "fmt" end, args pushed before. */
function printf(fmt: string, args: number[] = []): string {
  const f = Buffer.from(fmt + '\0');
  const pushes = [...args].reverse().map((a) => `23${a.toString(16).padStart(4, '0')}`);
  return (
    pushes.join('') +
    '22002200' +
    '34' +
    args.length.toString(16).padStart(2, '0') +
    f.length.toString(16).padStart(4, '0') +
    f.toString('hex') +
    '27'
  );
}

test('printf conversions against C semantics', async (t) => {
  const cases: [string, number[], string][] = [
    ['%d|%i|%u', [65535, 7, 65535], '65535|7|65535'],
    ['%x|%X|%#x|%#o|%o', [0xbeef, 0xbeef, 0xbeef, 8, 8], 'beef|BEEF|0xbeef|010|10'],
    ['%+d|% d|%+d', [5, 5, 0], '+5| 5|+0'],
    ['%8.3d|%-8.3d|%08d', [7, 7, 7], '     007|007     |00000007'],
    ['%.0d|%#x|%5c|%-3c|', [0, 0, 0x41, 0x42], '|0|    A|B  |'],
    ['%hhd|%hd|%hhu', [0xff, 0xffff, 0x1ff], '-1|-1|255'],
    ['%p|%10p|%-7p|', [0x1234, 0, 0], '0x1234|     (nil)|(nil)  |'],
    ['100%% \\t\\"q\\"\\\\', [], '100% \t"q"\\'],
  ];
  const lines = await ax(cases.map(([f, a]) => `eval ${printf(f, a)}`));
  cases.forEach(([f, , want], k) => {
    t.is(parseEval(lines[k]!).out, want, f);
  });
});

test('malformed bytecode is refused by the verifier, each for its reason', async (t) => {
  const cases: [string, string, string][] = [
    ['-', 'value', 'empty'],
    ['ff27', '', 'unknown opcode'],
    ['220122020c27', '', 'unknown opcode'], // trace: collection only, never in a condition
    ['220101', '', 'unknown opcode'], // float
    ['2300', '', 'truncated operand'],
    ['2500000000', '', 'truncated operand'],
    ['22011600', '', 'bad operand'], // ext 0
    ['22012a4127', '', 'bad operand'], // zero_ext 65
    ['2100ff27', '', 'bad jump target'], // past the end
    ['22052000012227', '', 'bad jump target'], // into const8's operand
    ['0227', '', 'stack underflow'],
    ['2201320127', '', 'stack underflow'], // pick 1 with one item
    ['2201220133' + '27', '', 'stack underflow'], // rot needs three
    ['22' + '01'.repeat(1) + '2201'.repeat(64) + '27', '', 'stack overflow'],
    ['2201210000', '', 'stack overflow'], // a loop that grows the stack
    ['2201', '', 'runs off the end'],
    ['210000', '', 'no reachable end'],
    ['27', 'value', 'condition without a value'],
    ['22012000072200' + '27', 'value', 'condition without a value'], // one path: empty
    [printf('plain', [1]), '', 'bad printf format'], // wrong argument count
    [printf('%f', [1]), '', 'bad printf format'],
    [printf('%n', [1]), '', 'bad printf format'],
    [printf('%ls', [1]), '', 'bad printf format'],
    [printf('\\q'), '', 'bad printf format'],
    ['220022003400000461626327', '', 'bad printf format'], // no NUL at the end
    ['2200220034000004610062002700', '', 'bad printf format'], // NUL inside
  ];
  const lines = await ax(cases.map(([code, flag]) => `verify ${code} ${flag}`));
  cases.forEach(([code, , want], k) => {
    t.is(lines[k]!, `verify ${want} 0`, code);
  });
});

test('well-formed code runs: rot, swap, pick, pop, dup, getv/setv, ref16, extensions', async (t) => {
  const lines = await ax([
    'eval 2201220222033327', // 1 2 3 rot => 3 1 2: top 2
    'eval 22012202220333292927', // ... pop pop => 3
    'eval 22012202330', // (rot with two items: not verified, refused at run time)
    'eval 220122022b27', // swap => 1
    'eval 22072208320127', // pick 1 => 7
    'eval 2207282927', // dup pop => 7
    'eval 22052d0003292c000327', // setv 3 = 5; getv 3 => 5
    mem(0x1000n, '3412'),
    'eval 2310001827', // ref16 at 0x1000 => 0x1234 (little-endian)
    'eval 22ff164027', // ext 64: unchanged
    'eval 22ff160827', // ext 8: -1
    'eval 25ffffffffffffffff2a4027', // zero_ext 64: unchanged
    'eval 25ffffffffffffffff2a0127', // zero_ext 1: 1
    'eval 220122400927', // 1 << 64 => 0
    'eval 22ff1608224a0a27', // -1 >> 74 (signed) => -1
    'eval 258000000000000000' + '22ff1608' + '0527', // INT64_MIN / -1 => INT64_MIN
    'eval 258000000000000000' + '22ff1608' + '0727', // INT64_MIN % -1 => 0
    'eval 220122000527', // 1 / 0
    'tsv off',
    'eval 2c000327',
  ]);
  const v = (k: number) => parseEval(lines[k]!);
  t.is(v(0).value, 2n);
  t.is(v(1).value, 3n);
  t.is(v(2).result, 'invalid');
  t.is(v(3).value, 1n);
  t.is(v(4).value, 7n);
  t.is(v(5).value, 7n);
  t.is(v(6).value, 5n);
  t.is(v(8).value, 0x1234n);
  t.is(v(9).value, 0xffn);
  t.is(v(10).value, 0xffffffffffffffffn);
  t.is(v(11).value, 0xffffffffffffffffn);
  t.is(v(12).value, 1n);
  t.is(v(13).value, 0n);
  t.is(v(14).value, 0xffffffffffffffffn);
  t.is(v(15).value, 0x8000000000000000n);
  t.is(v(16).value, 0n);
  t.is(v(17).result, 'division by zero');
  t.is(v(19).result, 'trace state variable');
});

test('a looping condition is cut by the budget', async (t) => {
  // const8 1; if_goto 0 (forever); const8 0; end. Verified: the loop keeps the stack flat.
  const loop = '22012000002200' + '27';
  const [verdict, , e] = await ax([`verify ${loop} value`, 'budget 1000', `eval ${loop}`]);
  t.is(verdict, 'verify ok 1');
  const r = parseEval(e!);
  t.is(r.result, 'budget');
  t.is(r.budgetLeft, 0);
  const done = parseEval((await ax(['budget 1000', `eval ${GDB.printfPlain}`]))[1]!);
  t.is(done.budgetLeft, 1000 - 4, 'one unit per instruction');
});

test('unverified garbage never escapes the code or the stack at run time', async (t) => {
  const progs = fc.sample(fc.uint8Array({ minLength: 1, maxLength: 24 }), {
    numRuns: 3000,
    seed: 14,
  });
  const lines = await ax([
    'budget 500',
    ...progs.map((p) => `eval ${Buffer.from(p).toString('hex')}`),
  ]);
  t.is(lines.length, progs.length + 1, 'the harness answered every evaluation');
  for (const l of lines.slice(1))
    t.regex(l, /^eval (ok|memory|register|budget|division by zero|trace state variable|invalid) /);
});

test('verified code never fails as malformed at run time', async (t) => {
  // Programs over the opcodes gdb uses, with small operands, ending in `end`.
  const op = fc.oneof(
    fc.constantFrom(
      '02',
      '03',
      '04',
      '05',
      '07',
      '09',
      '0a',
      '0e',
      '0f',
      '13',
      '14',
      '28',
      '29',
      '2b',
      '33',
    ),
    fc.integer({ min: 0, max: 255 }).map((n) => `22${n.toString(16).padStart(2, '0')}`),
    fc.integer({ min: 1, max: 64 }).map((n) => `16${n.toString(16).padStart(2, '0')}`),
    fc.integer({ min: 0, max: 3 }).map((n) => `32${n.toString(16).padStart(2, '0')}`),
    fc.integer({ min: 0, max: 40 }).map((n) => `20${n.toString(16).padStart(4, '0')}`),
    fc.integer({ min: 0, max: 40 }).map((n) => `21${n.toString(16).padStart(4, '0')}`),
  );
  const progs = fc
    .sample(fc.array(op, { minLength: 1, maxLength: 12 }), { numRuns: 4000, seed: 7 })
    .map((ops) => ops.join('') + '27');
  const lines = await ax(['budget 2000', ...progs.flatMap((p) => [`verify ${p}`, `eval ${p}`])]);
  let verified = 0;
  for (let k = 0; k < progs.length; k++) {
    const v = lines[1 + 2 * k]!;
    const e = parseEval(lines[2 + 2 * k]!);
    if (!v.startsWith('verify ok ')) continue;
    verified++;
    t.not(e.result, 'invalid', progs[k]!);
  }
  t.true(verified > 100, `enough programs pass the verifier (${verified})`);
});
