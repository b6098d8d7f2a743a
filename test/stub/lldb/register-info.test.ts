import test from 'ava';
import { amd64Layout, XCR0_AVX } from '../../../stub/arch/amd64-registers.js';
import {
  lldbRegisterInfos,
  NO_MORE_REGISTERS,
  registerInfoReply,
} from '../../../stub/lldb/register-info.js';

// x87 + SSE + AVX enabled, a 1088-byte xsave area: the layout with ymm0h..ymm15h.
const avx = amd64Layout(1088, 0x7n | XCR0_AVX);
const noXsave = amd64Layout(0, 0n);

// lldb-server-16's replies for registers whose name, size and kind are the same in GDB's
// numbering (captured from `lldb-server-16 gdbserver`; its offsets index its own register
// buffer, ours the `g` packet, so the offset is compared separately).
const LLDB_SERVER: Record<string, string> = {
  rax: 'name:rax;bitsize:64;offset:80;encoding:uint;format:hex;set:General Purpose Registers;ehframe:0;dwarf:0;',
  rcx: 'name:rcx;bitsize:64;offset:88;encoding:uint;format:hex;set:General Purpose Registers;ehframe:2;dwarf:2;generic:arg4;',
  rdx: 'name:rdx;bitsize:64;offset:96;encoding:uint;format:hex;set:General Purpose Registers;ehframe:1;dwarf:1;generic:arg3;',
  rdi: 'name:rdi;bitsize:64;offset:112;encoding:uint;format:hex;set:General Purpose Registers;ehframe:5;dwarf:5;generic:arg1;',
  rsi: 'name:rsi;bitsize:64;offset:104;encoding:uint;format:hex;set:General Purpose Registers;ehframe:4;dwarf:4;generic:arg2;',
  rbp: 'name:rbp;bitsize:64;offset:32;encoding:uint;format:hex;set:General Purpose Registers;ehframe:6;dwarf:6;generic:fp;',
  rsp: 'name:rsp;bitsize:64;offset:152;encoding:uint;format:hex;set:General Purpose Registers;ehframe:7;dwarf:7;generic:sp;',
  r8: 'name:r8;bitsize:64;offset:72;encoding:uint;format:hex;set:General Purpose Registers;ehframe:8;dwarf:8;generic:arg5;',
  r9: 'name:r9;bitsize:64;offset:64;encoding:uint;format:hex;set:General Purpose Registers;ehframe:9;dwarf:9;generic:arg6;',
  r15: 'name:r15;bitsize:64;offset:0;encoding:uint;format:hex;set:General Purpose Registers;ehframe:15;dwarf:15;',
  rip: 'name:rip;bitsize:64;offset:128;encoding:uint;format:hex;set:General Purpose Registers;ehframe:16;dwarf:16;generic:pc;',
  mxcsr:
    'name:mxcsr;bitsize:32;offset:248;encoding:uint;format:hex;set:Floating Point Registers;ehframe:64;dwarf:64;',
  st0: 'name:st0;bitsize:80;offset:256;encoding:vector;format:vector-uint8;set:Floating Point Registers;ehframe:33;dwarf:33;',
  st7: 'name:st7;bitsize:80;offset:368;encoding:vector;format:vector-uint8;set:Floating Point Registers;ehframe:40;dwarf:40;',
  xmm0: 'name:xmm0;bitsize:128;offset:384;encoding:vector;format:vector-uint8;set:Floating Point Registers;ehframe:17;dwarf:17;',
  xmm15:
    'name:xmm15;bitsize:128;offset:624;encoding:vector;format:vector-uint8;set:Floating Point Registers;ehframe:32;dwarf:32;',
};

function gOffset(layout: typeof avx, name: string): number {
  const n = layout.byName.get(name)!;
  return layout.regs.slice(0, n).reduce((s, r) => s + r.size, 0);
}

for (const [name, theirs] of Object.entries(LLDB_SERVER)) {
  test(`qRegisterInfo for ${name} matches lldb-server but for the g offset`, (t) => {
    const n = avx.byName.get(name)!;
    const expected = theirs.replace(/offset:\d+;/, `offset:${gOffset(avx, name)};`);
    t.is(registerInfoReply(avx, n), expected);
  });
}

test('register numbers are the stub layout numbers (GDB amd64 order)', (t) => {
  t.is(registerInfoReply(avx, 0).split(';')[0], 'name:rax');
  t.is(registerInfoReply(avx, 1).split(';')[0], 'name:rbx');
  t.is(registerInfoReply(avx, 16).split(';')[0], 'name:rip');
  t.is(
    registerInfoReply(avx, 0x11),
    'name:eflags;bitsize:32;offset:136;encoding:uint;format:hex;set:General Purpose Registers;ehframe:49;dwarf:49;generic:flags;',
  );
});

test('segment selectors, x87 control and the Linux/segment-base registers', (t) => {
  const r = (name: string) => registerInfoReply(avx, avx.byName.get(name)!);
  t.is(
    r('cs'),
    'name:cs;bitsize:32;offset:140;encoding:uint;format:hex;set:General Purpose Registers;ehframe:51;dwarf:51;',
  );
  t.is(
    r('fctrl'),
    'name:fctrl;bitsize:32;offset:244;encoding:uint;format:hex;set:Floating Point Registers;ehframe:65;dwarf:65;',
  );
  t.is(
    r('fop'),
    'name:fop;bitsize:32;offset:272;encoding:uint;format:hex;set:Floating Point Registers;',
  );
  t.is(
    r('orig_rax'),
    'name:orig_rax;bitsize:64;offset:536;encoding:uint;format:hex;set:General Purpose Registers;',
  );
  t.is(
    r('fs_base'),
    'name:fs_base;bitsize:64;offset:544;encoding:uint;format:hex;set:General Purpose Registers;ehframe:58;dwarf:58;',
  );
});

test('AVX upper halves are described so LLDB composes ymmN from xmmN and ymmNh', (t) => {
  const n = avx.byName.get('ymm0h')!;
  t.is(
    registerInfoReply(avx, n),
    'name:ymm0h;bitsize:128;offset:560;encoding:vector;format:vector-uint8;set:Advanced Vector Extensions;',
  );
  t.is(registerInfoReply(avx, avx.byName.get('ymm15h')!).split(';')[0], 'name:ymm15h');
});

test('E45 after the last register, and for a layout without AVX after gs_base', (t) => {
  t.is(registerInfoReply(avx, avx.regs.length), NO_MORE_REGISTERS);
  t.is(registerInfoReply(avx, 0x1000), 'E45');
  t.is(registerInfoReply(noXsave, noXsave.regs.length - 1).split(';')[0], 'name:gs_base');
  t.is(registerInfoReply(noXsave, noXsave.regs.length), 'E45');
});

test('offsets tile the g packet exactly', (t) => {
  const infos = lldbRegisterInfos(avx);
  let off = 0;
  for (const [i, info] of infos.entries()) {
    t.is(info.offset, off, info.name);
    t.is(info.bitsize, avx.regs[i]!.size * 8);
    off += avx.regs[i]!.size;
  }
  t.is(
    off,
    avx.regs.reduce((s, r) => s + r.size, 0),
  );
});

test('no sub-registers are listed (LLDB derives eax/ax/al/mm0/ymm0 itself)', (t) => {
  const names = new Set(lldbRegisterInfos(avx).map((i) => i.name));
  for (const sub of ['eax', 'ax', 'al', 'ah', 'r8d', 'mm0', 'ymm0']) t.false(names.has(sub), sub);
  for (const full of ['rax', 'st0', 'xmm0', 'ymm0h']) t.true(names.has(full), full);
});

test('generic roles: pc sp fp flags arg1..arg6', (t) => {
  const generic = Object.fromEntries(
    lldbRegisterInfos(avx)
      .filter((i) => i.generic)
      .map((i) => [i.generic!, i.name]),
  );
  t.deepEqual(generic, {
    pc: 'rip',
    sp: 'rsp',
    fp: 'rbp',
    flags: 'eflags',
    arg1: 'rdi',
    arg2: 'rsi',
    arg3: 'rdx',
    arg4: 'rcx',
    arg5: 'r8',
    arg6: 'r9',
  });
});
