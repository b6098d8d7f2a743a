// GDB's amd64 GNU/Linux register numbering and where each register lives in the kernel's
// regsets. Numbers follow gdb/arch/amd64.c amd64_create_target_description: core (0-39), sse
// (40-56), linux orig_rax (57), segments fs_base/gs_base (58-59), avx ymmNh (60-75), then avx512
// and pkeys when XCR0 enables them (no MPX: the kernel dropped it). The g packet is every register in this order, little-endian.
//
// Sources of the bytes:
//   gpr    NT_PRSTATUS, struct user_regs_struct (27 x u64):
//          r15 r14 r13 r12 rbp rbx r11 r10 r9 r8 rax rcx rdx rsi rdi orig_rax rip cs eflags rsp ss
//          fs_base gs_base ds es fs gs
//   fx     the 512-byte fxsave image (NT_PRFPREG, or the first 512 bytes of NT_X86_XSTATE):
//          +0 fcw  +2 fsw  +4 abridged ftw  +6 fop  +8 fip  +16 fdp  +24 mxcsr  +32 st0..7 (16 each)
//          +160 xmm0..15 (16 each)
//   xsave  NT_X86_XSTATE standard format: +576 the upper 128 bits of ymm0..15 (16 each)

export type RegisterSource =
  | { set: 'gpr'; offset: number }
  | { set: 'fx'; offset: number }
  | { set: 'fx-tag' }
  | { set: 'xsave'; offset: number };

export interface RegisterDef {
  name: string;
  /** Width in bytes on the wire. */
  size: number;
  source: RegisterSource;
  feature: string;
  type: string;
  group?: string;
  /** An xsave-area register's component: its XSTATE_BV bit and the bytes it spans. */
  xstate?: XstateComponent;
}

export interface XstateComponent {
  bit: number;
  start: number;
  end: number;
}

/** user_regs_struct slot index of each register GDB wants from NT_PRSTATUS. */
const gprSlot: Record<string, number> = {
  r15: 0,
  r14: 1,
  r13: 2,
  r12: 3,
  rbp: 4,
  rbx: 5,
  r11: 6,
  r10: 7,
  r9: 8,
  r8: 9,
  rax: 10,
  rcx: 11,
  rdx: 12,
  rsi: 13,
  rdi: 14,
  orig_rax: 15,
  rip: 16,
  cs: 17,
  eflags: 18,
  rsp: 19,
  ss: 20,
  fs_base: 21,
  gs_base: 22,
  ds: 23,
  es: 24,
  fs: 25,
  gs: 26,
};

export const GPR_SIZE = 216;
export const FXSAVE_SIZE = 512;
const XSAVE_AVX_OFFSET = 576;
export const XCR0_AVX = 1n << 2n;
export const XCR0_PKRU = 1n << 9n;
/** Opmask, ZMM_Hi256 and Hi16_ZMM: all three or no AVX-512. */
export const XCR0_AVX512 = 0xe0n;
// Intel's standard-format xsave offsets of the AVX-512 components (CPUID leaf 0xD), after MPX's.
const XSAVE_OPMASK_OFFSET = 1088;
const XSAVE_ZMM_HI256_OFFSET = 1152;
const XSAVE_HI16_ZMM_OFFSET = 1664;
const OPMASK_SIZE = 64;
const ZMM_HI256_SIZE = 512;
const HI16_ZMM_SIZE = 1024;
const PKRU_SIZE = 8;

// The xsave header's XSTATE_BV (Intel SDM vol. 1, 13.4.2): a component whose bit is clear is in
// its initial state, whatever its bytes say, and the kernel ignores the bytes of such a component
// on a write. Every user component's bit is below 32, so the low word is enough.
const XSTATE_BV_OFFSET = 512;
const XSTATE_X87 = 1 << 0;
const XSTATE_SSE = 1 << 1;
const XSTATE_AVX = 1 << 2;
const XSTATE_OPMASK = 1 << 5;
const XSTATE_ZMM_HI256 = 1 << 6;
const XSTATE_HI16_ZMM = 1 << 7;
const XSTATE_PKRU = 1 << 9;
const FCTRL_INIT = 0x37f;
const MXCSR_INIT = 0x1f80;
const MXCSR_OFFSET = 24;

function gpr(
  name: string,
  size: number,
  type: string,
  feature = 'org.gnu.gdb.i386.core',
): RegisterDef {
  return { name, size, source: { set: 'gpr', offset: gprSlot[name]! * 8 }, feature, type };
}

function fx(name: string, size: number, offset: number, type: string, group?: string): RegisterDef {
  const feature =
    name.startsWith('xmm') || name === 'mxcsr' ? 'org.gnu.gdb.i386.sse' : 'org.gnu.gdb.i386.core';
  return { name, size, source: { set: 'fx', offset }, feature, type, ...(group ? { group } : {}) };
}

/**
 * Where the AVX-512 components start in this machine's standard-format xsave area (the kernel's
 * NT_X86_XSTATE): CPUID leaf 0xD gives each component's offset, and they differ by vendor. AMD
 * (Zen 4) has no MPX and packs opmask right after AVX (832, 896, 1408; gdb 13 and its gdbserver
 * read Intel's 1088/1152/1664 there and show other registers' bytes; gdb 14 reads the layout from
 * CPUID). Without CPUID here, the offsets come from the area's end: Hi16_ZMM is the last
 * component below PKRU (bit 9) and the three are contiguous on both vendors. With a component
 * above PKRU enabled (AMX: Intel only) Intel's fixed offsets hold.
 */
function avx512Offsets(
  xstateSize: number,
  xcr0: bigint,
): { opmask: number; zmmHi256: number; hi16Zmm: number } | undefined {
  if (xcr0 >= 1n << 10n) {
    if (xstateSize < XSAVE_HI16_ZMM_OFFSET + HI16_ZMM_SIZE) return undefined;
    return {
      opmask: XSAVE_OPMASK_OFFSET,
      zmmHi256: XSAVE_ZMM_HI256_OFFSET,
      hi16Zmm: XSAVE_HI16_ZMM_OFFSET,
    };
  }
  const end = xstateSize - ((xcr0 & XCR0_PKRU) !== 0n ? PKRU_SIZE : 0);
  const hi16Zmm = end - HI16_ZMM_SIZE;
  const zmmHi256 = hi16Zmm - ZMM_HI256_SIZE;
  const opmask = zmmHi256 - OPMASK_SIZE;
  if (opmask < XSAVE_AVX_OFFSET + 256) return undefined;
  return { opmask, zmmHi256, hi16Zmm };
}

export interface RegisterLayout {
  regs: RegisterDef[];
  byName: Map<string, number>;
  /** Whether any register needs NT_X86_XSTATE rather than the 512-byte fxsave. */
  usesXsave: boolean;
}

/**
 * The register list for a target whose xsave area has `xstateSize` bytes with features `xcr0`
 * enabled (both 0 without xstate: core, sse, linux and segments only).
 */
export function amd64Layout(xstateSize: number, xcr0: bigint): RegisterLayout {
  const regs: RegisterDef[] = [];
  for (const n of ['rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi']) regs.push(gpr(n, 8, 'int64'));
  regs.push(gpr('rbp', 8, 'data_ptr'), gpr('rsp', 8, 'data_ptr'));
  for (let i = 8; i < 16; i++) regs.push(gpr(`r${i}`, 8, 'int64'));
  regs.push(gpr('rip', 8, 'code_ptr'), gpr('eflags', 4, 'i386_eflags'));
  for (const n of ['cs', 'ss', 'ds', 'es', 'fs', 'gs']) regs.push(gpr(n, 4, 'int32'));
  for (let i = 0; i < 8; i++) regs.push(fx(`st${i}`, 10, 32 + 16 * i, 'i387_ext'));
  // fctrl..fop are 32-bit on the wire but narrower in fxsave; see readRegister.
  regs.push(fx('fctrl', 4, 0, 'int', 'float'), fx('fstat', 4, 2, 'int', 'float'));
  regs.push({
    name: 'ftag',
    size: 4,
    source: { set: 'fx-tag' },
    feature: 'org.gnu.gdb.i386.core',
    type: 'int',
    group: 'float',
  });
  regs.push(fx('fiseg', 4, 12, 'int', 'float'), fx('fioff', 4, 8, 'int', 'float'));
  regs.push(fx('foseg', 4, 20, 'int', 'float'), fx('fooff', 4, 16, 'int', 'float'));
  regs.push(fx('fop', 4, 6, 'int', 'float'));
  for (let i = 0; i < 16; i++) regs.push(fx(`xmm${i}`, 16, 160 + 16 * i, 'vec128'));
  regs.push(fx('mxcsr', 4, 24, 'i386_mxcsr', 'vector'));
  regs.push(gpr('orig_rax', 8, 'int', 'org.gnu.gdb.i386.linux'));
  regs.push(gpr('fs_base', 8, 'int', 'org.gnu.gdb.i386.segments'));
  regs.push(gpr('gs_base', 8, 'int', 'org.gnu.gdb.i386.segments'));
  let usesXsave = false;
  if (xstateSize >= XSAVE_AVX_OFFSET + 256 && (xcr0 & XCR0_AVX) !== 0n) {
    usesXsave = true;
    for (let i = 0; i < 16; i++) {
      regs.push({
        name: `ymm${i}h`,
        size: 16,
        source: { set: 'xsave', offset: XSAVE_AVX_OFFSET + 16 * i },
        feature: 'org.gnu.gdb.i386.avx',
        type: 'uint128',
        xstate: { bit: XSTATE_AVX, start: XSAVE_AVX_OFFSET, end: XSAVE_AVX_OFFSET + 256 },
      });
    }
  }
  // AVX-512 (gdb/features/i386/64bit-avx512.xml order): xmm16-31, ymm16h-31h, k0-7,
  // zmm0h-31h. xmm/ymm/zmm 16-31 live in Hi16_ZMM (64 bytes each), the upper halves of
  // zmm0-15 in ZMM_Hi256 (32 bytes each).
  const z = (xcr0 & XCR0_AVX512) === XCR0_AVX512 ? avx512Offsets(xstateSize, xcr0) : undefined;
  if (z) {
    usesXsave = true;
    const f = 'org.gnu.gdb.i386.avx512';
    const opmask = { bit: XSTATE_OPMASK, start: z.opmask, end: z.opmask + OPMASK_SIZE };
    const zmmHi256 = { bit: XSTATE_ZMM_HI256, start: z.zmmHi256, end: z.zmmHi256 + ZMM_HI256_SIZE };
    const hi16Zmm = { bit: XSTATE_HI16_ZMM, start: z.hi16Zmm, end: z.hi16Zmm + HI16_ZMM_SIZE };
    const x = (
      name: string,
      size: number,
      xstate: XstateComponent,
      at: number,
      type: string,
    ): RegisterDef => ({
      name,
      size,
      source: { set: 'xsave', offset: xstate.start + at },
      feature: f,
      type,
      xstate,
    });
    for (let i = 16; i < 32; i++) regs.push(x(`xmm${i}`, 16, hi16Zmm, 64 * (i - 16), 'vec128'));
    for (let i = 16; i < 32; i++)
      regs.push(x(`ymm${i}h`, 16, hi16Zmm, 64 * (i - 16) + 16, 'uint128'));
    for (let i = 0; i < 8; i++) regs.push(x(`k${i}`, 8, opmask, 8 * i, 'uint64'));
    for (let i = 0; i < 16; i++) regs.push(x(`zmm${i}h`, 32, zmmHi256, 32 * i, 'v2ui128'));
    for (let i = 16; i < 32; i++)
      regs.push(x(`zmm${i}h`, 32, hi16Zmm, 64 * (i - 16) + 32, 'v2ui128'));
  }
  // PKRU is the highest user component below AMX, so when it is the top enabled feature it
  // occupies the last 8 bytes of the standard-format area whatever the vendor's layout (AMD and
  // Intel place it at different offsets). Other layouts are not guessed at.
  if ((xcr0 & XCR0_PKRU) !== 0n && xcr0 < 1n << 10n && xstateSize > 2048) {
    usesXsave = true;
    regs.push({
      name: 'pkru',
      size: 4,
      source: { set: 'xsave', offset: xstateSize - PKRU_SIZE },
      feature: 'org.gnu.gdb.i386.pkeys',
      type: 'uint32',
      xstate: { bit: XSTATE_PKRU, start: xstateSize - PKRU_SIZE, end: xstateSize },
    });
  }
  const byName = new Map(regs.map((r, i) => [r.name, i]));
  return { regs, byName, usesXsave };
}

/** The regsets a register file holds: gpr always, fx either standalone or inside xsave. */
export interface RegisterBuffers {
  gpr: Buffer;
  /** NT_X86_XSTATE when the layout uses it, else the NT_PRFPREG fxsave image. */
  fp: Buffer;
}

/** The full 16-bit x87 tag word from fxsave's abridged one (as gdb's i387_fxsave_to_cache). */
function fullTagWord(fxs: Buffer): number {
  const abridged = fxs[4]!;
  const top = (fxs.readUInt16LE(2) >> 11) & 7;
  let tag = 0;
  for (let phys = 7; phys >= 0; phys--) {
    let t = 3; // empty
    if (abridged & (1 << phys)) {
      const st = (phys - top + 8) % 8;
      const base = 32 + 16 * st;
      const exponent = fxs.readUInt16LE(base + 8) & 0x7fff;
      const mantissa = fxs.readBigUInt64LE(base);
      if (exponent === 0x7fff) t = 2;
      else if (exponent === 0) t = mantissa === 0n ? 1 : 2;
      else t = mantissa >> 63n ? 0 : 2;
    }
    tag |= t << (2 * phys);
  }
  return tag;
}

/** Whether `fp` is an xsave area (with its header) rather than a bare fxsave image. */
function isXsave(fp: Buffer): boolean {
  return fp.length >= XSAVE_AVX_OFFSET;
}

/** The XSTATE_BV bit of the component holding `r`; 0 for mxcsr, which two components share. */
function componentOf(r: RegisterDef): number {
  const src = r.source;
  if (src.set === 'fx-tag') return XSTATE_X87;
  if (src.set === 'fx') {
    if (src.offset === MXCSR_OFFSET) return 0;
    return src.offset >= 160 ? XSTATE_SSE : XSTATE_X87;
  }
  return r.xstate?.bit ?? 0;
}

/**
 * The value of a register whose component is in its initial state, as gdbserver's
 * i387_xsave_to_cache gives it: fctrl 0x37f, ftag all empty, mxcsr 0x1f80, everything else 0.
 * Undefined when the bytes in the buffer are to be read.
 */
function initValue(r: RegisterDef, fp: Buffer): Buffer | undefined {
  if (!isXsave(fp)) return undefined;
  const bv = fp.readUInt32LE(XSTATE_BV_OFFSET);
  const bit = componentOf(r);
  const out = Buffer.alloc(r.size);
  if (bit === 0) {
    if (r.source.set !== 'fx' || (bv & (XSTATE_SSE | XSTATE_AVX)) !== 0) return undefined;
    out.writeUInt32LE(MXCSR_INIT);
    return out;
  }
  if ((bv & bit) !== 0) return undefined;
  if (r.name === 'fctrl') out.writeUInt32LE(FCTRL_INIT);
  else if (r.name === 'ftag') out.writeUInt32LE(0xffff);
  return out;
}

// The xmm registers' bytes in the legacy area (SSE's component).
const SSE_BYTES = [160, 416] as const;

/**
 * Before one of its registers is written, puts a component that was in its initial state into
 * `fp` with its initial values and marks it in use (gdbserver's i387_cache_to_xsave): the kernel
 * then takes the component's bytes, and its other registers keep the values gdb was shown.
 */
function claimComponent(r: RegisterDef, fp: Buffer): void {
  const bv = fp.readUInt32LE(XSTATE_BV_OFFSET);
  let bit = componentOf(r);
  // mxcsr is restored when SSE or AVX is in use: claim SSE when neither is.
  if (bit === 0) bit = (bv & (XSTATE_SSE | XSTATE_AVX)) === 0 ? XSTATE_SSE : 0;
  if (bit === 0 || (bv & bit) !== 0) return;
  if (bit === XSTATE_X87) {
    // fcw fsw ftw fop fip fdp, and st0-7; mxcsr and its mask (24-31) are not x87's.
    fp.fill(0, 0, MXCSR_OFFSET).writeUInt16LE(FCTRL_INIT, 0);
    fp.fill(0, 32, 160);
  } else {
    const [from, to] = r.xstate ? [r.xstate.start, r.xstate.end] : SSE_BYTES;
    fp.fill(0, from, Math.min(to, fp.length));
  }
  if (bit === XSTATE_SSE && (bv & XSTATE_AVX) === 0) fp.writeUInt32LE(MXCSR_INIT, MXCSR_OFFSET);
  fp.writeUInt32LE((bv | bit) >>> 0, XSTATE_BV_OFFSET);
}

/** Fills `out` (size bytes) with register `r` read from `bufs`. */
export function readRegister(r: RegisterDef, bufs: RegisterBuffers): Buffer {
  if (r.source.set !== 'gpr') {
    const init = initValue(r, bufs.fp);
    if (init) return init;
  }
  const out = Buffer.alloc(r.size);
  const src = r.source;
  switch (src.set) {
    case 'gpr':
      bufs.gpr.copy(out, 0, src.offset, src.offset + r.size);
      break;
    case 'fx-tag':
      out.writeUInt32LE(fullTagWord(bufs.fp));
      break;
    case 'fx': {
      // fcw/fsw/fop and the selectors are 16 bits in fxsave, the offsets 32; gdb wants 32.
      const width = fxWidth(r.name, r.size);
      bufs.fp.copy(out, 0, src.offset, src.offset + width);
      if (r.name === 'fop') out.writeUInt32LE(out.readUInt32LE() & 0x7ff);
      break;
    }
    case 'xsave':
      if (bufs.fp.length >= src.offset + r.size)
        bufs.fp.copy(out, 0, src.offset, src.offset + r.size);
      break;
  }
  return out;
}

function fxWidth(name: string, size: number): number {
  return name === 'fctrl' ||
    name === 'fstat' ||
    name === 'fop' ||
    name === 'fiseg' ||
    name === 'foseg'
    ? 2
    : size;
}

/** Stores `value` (r.size bytes) into `bufs`; reports which regset changed. */
export function writeRegister(r: RegisterDef, bufs: RegisterBuffers, value: Buffer): 'gpr' | 'fp' {
  const src = r.source;
  if (src.set !== 'gpr' && isXsave(bufs.fp)) {
    // Only a changed value claims its component (a G packet rewrites every register).
    if (readRegister(r, bufs).equals(value.subarray(0, r.size))) return 'fp';
    claimComponent(r, bufs.fp);
  }
  switch (src.set) {
    case 'gpr':
      // 32-bit registers (eflags, selectors) sit in 64-bit slots: zero-extend.
      bufs.gpr.fill(0, src.offset, src.offset + 8);
      value.copy(bufs.gpr, src.offset, 0, r.size);
      return 'gpr';
    case 'fx-tag': {
      const full = value.readUInt32LE();
      let abridged = 0;
      for (let i = 0; i < 8; i++) if (((full >> (2 * i)) & 3) !== 3) abridged |= 1 << i;
      bufs.fp[4] = abridged;
      return 'fp';
    }
    case 'fx':
      value.copy(bufs.fp, src.offset, 0, fxWidth(r.name, r.size));
      return 'fp';
    case 'xsave':
      if (bufs.fp.length >= src.offset + r.size) value.copy(bufs.fp, src.offset, 0, r.size);
      return 'fp';
  }
}

/** The g packet payload: every register in order. */
export function encodeAll(layout: RegisterLayout, bufs: RegisterBuffers): Buffer {
  return Buffer.concat(layout.regs.map((r) => readRegister(r, bufs)));
}

/** Applies a G packet payload; a short payload updates only the registers it covers. */
export function decodeAll(
  layout: RegisterLayout,
  bufs: RegisterBuffers,
  data: Buffer,
): Set<'gpr' | 'fp'> {
  const changed = new Set<'gpr' | 'fp'>();
  let off = 0;
  for (const r of layout.regs) {
    if (off + r.size > data.length) break;
    changed.add(writeRegister(r, bufs, data.subarray(off, off + r.size)));
    off += r.size;
  }
  return changed;
}

/** GDB register numbers expedited in stop replies: rbp, rsp, rip (what gdbserver sends). */
export const EXPEDITED = ['rbp', 'rsp', 'rip'] as const;
