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

function bufs(xstateSize = 0) {
  const gpr = Buffer.alloc(216);
  for (let i = 0; i < 27; i++) gpr.writeBigUInt64LE(BigInt(i + 1) * 0x0101010101010101n, i * 8);
  const fp = Buffer.alloc(xstateSize || 512);
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

test('without all three AVX-512 components there is no avx512 feature', (t) => {
  const l = amd64Layout(2696, XCR0_X87_SSE | XCR0_AVX | 0x20n);
  t.is(l.byName.get('k0'), undefined);
});
