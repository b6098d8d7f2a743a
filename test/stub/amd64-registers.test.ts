import test from 'ava';
import {
  amd64Layout,
  decodeAll,
  encodeAll,
  readRegister,
  writeRegister,
  XCR0_AVX,
  XCR0_PKRU,
} from '../../stub/arch/amd64-registers.js';
import { amd64TargetXml } from '../../stub/arch/amd64-tdesc.js';

const XCR0_X87_SSE = 3n;
/** XSTATE_BV with x87, SSE, AVX, the AVX-512 components and PKRU in use. */
const IN_USE = 0x2e7;

function bufs(xstateSize = 0) {
  const gpr = Buffer.alloc(216);
  for (let i = 0; i < 27; i++) gpr.writeBigUInt64LE(BigInt(i + 1) * 0x0101010101010101n, i * 8);
  const fp = Buffer.alloc(xstateSize || 512);
  if (xstateSize > 512) fp.writeUInt32LE(IN_USE, 512);
  return { gpr, fp };
}

test('numbering matches gdb amd64 linux: core, sse, orig_rax, segments, avx', (t) => {
  const l = amd64Layout(2696, XCR0_X87_SSE | XCR0_AVX);
  t.is(l.byName.get('rax'), 0);
  t.is(l.byName.get('rip'), 16);
  t.is(l.byName.get('eflags'), 17);
  t.is(l.byName.get('gs'), 23);
  t.is(l.byName.get('st0'), 24);
  t.is(l.byName.get('fop'), 39);
  t.is(l.byName.get('xmm0'), 40);
  t.is(l.byName.get('mxcsr'), 56);
  t.is(l.byName.get('orig_rax'), 57);
  t.is(l.byName.get('fs_base'), 58);
  t.is(l.byName.get('gs_base'), 59);
  t.is(l.byName.get('ymm0h'), 60);
  t.is(l.byName.get('ymm15h'), 75);
  t.is(l.regs.length, 76);
  t.true(l.usesXsave);
});

test('without xstate there is no avx and fxsave is enough', (t) => {
  const l = amd64Layout(0, 0n);
  t.is(l.regs.length, 60);
  t.false(l.usesXsave);
  t.is(l.byName.get('ymm0h'), undefined);
});

test('pkru sits in the last 8 bytes when it is the top xsave feature', (t) => {
  const l = amd64Layout(2440, XCR0_X87_SSE | XCR0_AVX | XCR0_PKRU);
  const i = l.byName.get('pkru')!;
  t.is(i, 76);
  t.deepEqual(l.regs[i]!.source, { set: 'xsave', offset: 2432 });
});

test('gpr registers come from their user_regs_struct slots', (t) => {
  const l = amd64Layout(0, 0n);
  const b = bufs();
  // rax is slot 10, rip slot 16, eflags slot 18 (32 bits on the wire).
  t.is(readRegister(l.regs[l.byName.get('rax')!]!, b).readBigUInt64LE(), 11n * 0x0101010101010101n);
  t.is(readRegister(l.regs[l.byName.get('rip')!]!, b).readBigUInt64LE(), 17n * 0x0101010101010101n);
  const eflags = readRegister(l.regs[l.byName.get('eflags')!]!, b);
  t.is(eflags.length, 4);
  t.is(eflags.readUInt32LE(), 19 * 0x01010101);
});

test('g encoding round-trips through G decoding', (t) => {
  const l = amd64Layout(1024, XCR0_X87_SSE | XCR0_AVX);
  const a = bufs(1024);
  for (let i = 0; i < 1024; i++) a.fp[i] = (i * 7) & 0xff;
  a.fp[4] = 0xff; // all x87 registers in use, so the tag word survives the round trip
  a.fp.writeBigUInt64LE(BigInt(IN_USE), 512);
  const g = encodeAll(l, a);
  t.is(
    g.length,
    l.regs.reduce((n, r) => n + r.size, 0),
  );
  const b = bufs(1024);
  decodeAll(l, b, g);
  t.deepEqual(encodeAll(l, b), g);
});

test('the full x87 tag word is derived from the abridged one', (t) => {
  const l = amd64Layout(0, 0n);
  const b = bufs();
  // st0 = 1.0 (valid), st1 = +0 (zero), top = 0, registers 0 and 1 in use.
  b.fp.writeBigUInt64LE(0x8000000000000000n, 32);
  b.fp.writeUInt16LE(0x3fff, 40);
  b.fp[4] = 0b11;
  const ftag = readRegister(l.regs[l.byName.get('ftag')!]!, b).readUInt32LE();
  t.is(ftag, 0xfff4);
  writeRegister(l.regs[l.byName.get('ftag')!]!, b, Buffer.from([0xff, 0xff, 0, 0]));
  t.is(b.fp[4], 0);
});

test('fop keeps 11 bits and selectors 16', (t) => {
  const l = amd64Layout(0, 0n);
  const b = bufs();
  b.fp.writeUInt16LE(0xffff, 6);
  b.fp.writeUInt32LE(0xaaaabbbb, 12);
  t.is(readRegister(l.regs[l.byName.get('fop')!]!, b).readUInt32LE(), 0x7ff);
  t.is(readRegister(l.regs[l.byName.get('fiseg')!]!, b).readUInt32LE(), 0xbbbb);
});

test('writing a 32-bit register zero-extends its 64-bit slot', (t) => {
  const l = amd64Layout(0, 0n);
  const b = bufs();
  writeRegister(l.regs[l.byName.get('eflags')!]!, b, Buffer.from([0x46, 0x02, 0, 0]));
  t.is(b.gpr.readBigUInt64LE(18 * 8), 0x246n);
});

test('target.xml names every register with consecutive regnums', (t) => {
  const l = amd64Layout(2696, XCR0_X87_SSE | XCR0_AVX);
  const xml = amd64TargetXml(l);
  t.true(xml.includes('<architecture>i386:x86-64</architecture>'));
  t.true(xml.includes('<osabi>GNU/Linux</osabi>'));
  const regs = [
    ...xml.matchAll(/<reg name="([^"]+)" bitsize="(\d+)" type="[^"]+" regnum="(\d+)"/g),
  ];
  t.is(regs.length, l.regs.length);
  regs.forEach((m, i) => {
    t.is(m[1], l.regs[i]!.name);
    t.is(Number(m[2]), l.regs[i]!.size * 8);
    t.is(Number(m[3]), i);
  });
  for (const f of ['core', 'sse', 'linux', 'segments', 'avx'])
    t.true(xml.includes(`<feature name="org.gnu.gdb.i386.${f}">`));
  t.is(xml.match(/<feature /g)!.length, xml.match(/<\/feature>/g)!.length);
});

test('avx512 follows avx in gdb order, read from the standard xsave offsets', (t) => {
  const XCR0 = XCR0_X87_SSE | XCR0_AVX | 0xe0n | XCR0_PKRU;
  const l = amd64Layout(2696, XCR0);
  t.is(l.byName.get('xmm16'), 76);
  t.is(l.byName.get('ymm16h'), 92);
  t.is(l.byName.get('k0'), 108);
  t.is(l.byName.get('zmm0h'), 116);
  t.is(l.byName.get('zmm31h'), 147);
  t.is(l.byName.get('pkru'), 148);
  t.deepEqual(l.regs[l.byName.get('pkru')!]!.source, { set: 'xsave', offset: 2688 });
  const b = bufs(2696);
  b.fp.writeBigUInt64LE(0x1122334455667788n, 1088 + 8 * 3); // k3
  b.fp.fill(0xab, 1152 + 32 * 2, 1152 + 32 * 3); // zmm2h
  b.fp.fill(0xcd, 1664 + 64 * 1, 1664 + 64 * 2); // zmm17 entirely
  t.is(readRegister(l.regs[l.byName.get('k3')!]!, b).readBigUInt64LE(), 0x1122334455667788n);
  t.deepEqual(readRegister(l.regs[l.byName.get('zmm2h')!]!, b), Buffer.alloc(32, 0xab));
  t.deepEqual(readRegister(l.regs[l.byName.get('xmm17')!]!, b), Buffer.alloc(16, 0xcd));
  t.deepEqual(readRegister(l.regs[l.byName.get('ymm17h')!]!, b), Buffer.alloc(16, 0xcd));
  t.deepEqual(readRegister(l.regs[l.byName.get('zmm17h')!]!, b), Buffer.alloc(32, 0xcd));
  const xml = amd64TargetXml(l);
  t.true(xml.includes('<feature name="org.gnu.gdb.i386.avx512"><vector id="v8bf16"'));
  t.true(xml.includes('<vector id="v2ui128" type="uint128" count="2"/>'));
  t.true(xml.includes('<reg name="zmm31h" bitsize="256" type="v2ui128" regnum="147"/>'));
});

test('avx512 on AMD (no MPX): the components follow avx, at the offsets CPUID gives there', (t) => {
  // CPUID 0xD on an AMD EPYC with AVX-512: opmask 832, ZMM_Hi256 896, Hi16_ZMM 1408, size 2432
  // (2440 with PKRU at 2432). gdb.arch/i386-avx512.exp.
  for (const [size, xcr0] of [
    [2432, XCR0_X87_SSE | XCR0_AVX | 0xe0n],
    [2440, XCR0_X87_SSE | XCR0_AVX | 0xe0n | XCR0_PKRU],
  ] as const) {
    const l = amd64Layout(size, xcr0);
    const reg = (name: string) => l.regs[l.byName.get(name)!]!;
    t.deepEqual(reg('k0').source, { set: 'xsave', offset: 832 });
    t.deepEqual(reg('zmm0h').source, { set: 'xsave', offset: 896 });
    t.deepEqual(reg('xmm16').source, { set: 'xsave', offset: 1408 });
    t.deepEqual(reg('zmm31h').source, { set: 'xsave', offset: 1408 + 64 * 15 + 32 });
    const b = bufs(size);
    b.fp.writeBigUInt64LE(0x1122334455667788n, 832 + 8 * 3);
    t.is(readRegister(reg('k3'), b).readBigUInt64LE(), 0x1122334455667788n);
    // Writing one register of an unused component clears that component's bytes only.
    b.fp.fill(0x5a, 576, size);
    b.fp.writeUInt32LE(0x7, 512);
    writeRegister(reg('k1'), b, Buffer.alloc(8, 1));
    t.is(b.fp.readUInt32LE(512), 0x27);
    t.deepEqual(
      b.fp.subarray(832, 896),
      Buffer.concat([Buffer.alloc(8), Buffer.alloc(8, 1), Buffer.alloc(48)]),
    );
    t.is(b.fp[831], 0x5a);
    t.is(b.fp[896], 0x5a);
  }
  t.is(amd64Layout(2440, XCR0_X87_SSE | XCR0_AVX | 0xe0n | XCR0_PKRU).byName.get('pkru'), 148);
});

test('without all three AVX-512 components there is no avx512 feature', (t) => {
  const l = amd64Layout(2696, XCR0_X87_SSE | XCR0_AVX | 0x20n);
  t.is(l.byName.get('k0'), undefined);
});

test('components in their initial state read as gdbserver shows them, whatever their bytes', (t) => {
  const l = amd64Layout(2696, XCR0_X87_SSE | XCR0_AVX | 0xe0n | XCR0_PKRU);
  const b = bufs(2696);
  b.fp.fill(0x5a, 0, 2696);
  b.fp.writeBigUInt64LE(0n, 512); // XSTATE_BV: nothing in use (a program before its first FPU use)
  const read = (name: string) => readRegister(l.regs[l.byName.get(name)!]!, b);
  t.is(read('fctrl').readUInt32LE(), 0x37f);
  t.is(read('fstat').readUInt32LE(), 0);
  t.is(read('ftag').readUInt32LE(), 0xffff);
  t.is(read('mxcsr').readUInt32LE(), 0x1f80);
  t.deepEqual(read('st0'), Buffer.alloc(10));
  t.deepEqual(read('xmm3'), Buffer.alloc(16));
  t.deepEqual(read('ymm3h'), Buffer.alloc(16));
  t.deepEqual(read('k1'), Buffer.alloc(8));
  t.is(read('pkru').readUInt32LE(), 0);
  // SSE in use: mxcsr is the buffer's.
  b.fp.writeUInt32LE(2, 512);
  t.is(read('mxcsr').readUInt32LE(), 0x5a5a5a5a);
});

test('writing a register of a component in its initial state marks it in use, from its initial values', (t) => {
  // gdb.arch/amd64-init-x87-values.exp: `set $fstat=...` before the program's first x87
  // instruction; the kernel ignores the x87 bytes unless XSTATE_BV says they are in use.
  const l = amd64Layout(2696, XCR0_X87_SSE | XCR0_AVX | 0xe0n | XCR0_PKRU);
  const b = bufs(2696);
  b.fp.fill(0x5a, 0, 2696);
  b.fp.writeBigUInt64LE(0n, 512);
  const reg = (name: string) => l.regs[l.byName.get(name)!]!;
  const u32 = (v: number) => {
    const out = Buffer.alloc(4);
    out.writeUInt32LE(v);
    return out;
  };
  t.is(writeRegister(reg('fstat'), b, u32(0x3800)), 'fp');
  t.is(b.fp.readUInt32LE(512), 1); // x87 only
  t.is(readRegister(reg('fstat'), b).readUInt32LE(), 0x3800);
  t.is(readRegister(reg('fctrl'), b).readUInt32LE(), 0x37f); // the others keep their init values
  t.is(readRegister(reg('ftag'), b).readUInt32LE(), 0xffff);
  t.deepEqual(readRegister(reg('st7'), b), Buffer.alloc(10));
  // mxcsr needs SSE (or AVX) in use; the xmm registers stay zero.
  writeRegister(reg('mxcsr'), b, u32(0x9f80));
  t.is(b.fp.readUInt32LE(512), 3);
  t.is(readRegister(reg('mxcsr'), b).readUInt32LE(), 0x9f80);
  t.deepEqual(readRegister(reg('xmm0'), b), Buffer.alloc(16));
  // An unchanged value claims nothing (a G packet writes every register back).
  writeRegister(reg('k2'), b, Buffer.alloc(8));
  writeRegister(reg('pkru'), b, Buffer.alloc(4));
  t.is(b.fp.readUInt32LE(512), 3);
  writeRegister(reg('pkru'), b, u32(0x55555554));
  t.is(b.fp.readUInt32LE(512), 0x203);
  t.is(readRegister(reg('pkru'), b).readUInt32LE(), 0x55555554);
  writeRegister(reg('zmm20h'), b, Buffer.alloc(32, 1));
  t.is(b.fp.readUInt32LE(512), 0x283);
  t.deepEqual(readRegister(reg('xmm20'), b), Buffer.alloc(16)); // the rest of Hi16_ZMM: zero
});
