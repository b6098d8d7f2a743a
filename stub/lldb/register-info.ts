// qRegisterInfo<n> (lldbgdbremote.md, "qRegisterInfo<hex-reg-id>"): LLDB's register description,
// one register per packet, used when the client cannot (or will not) read target.xml. Register n
// here is register n of the stub's layout (GDB's amd64 numbering), so p/P/g offsets agree.
//
// Keys and their order are lldb-server's (GDBRemoteCommunicationServerLLGS Handle_qRegisterInfo):
// name, alt-name, bitsize, offset, encoding, format, set, ehframe, dwarf, generic,
// container-regs, invalidate-regs. `offset` is the byte offset in the `g` reply.
//
// Sub-registers (eax, ax, al, ah, mm0, ymm0 = xmm0 + ymm0h) are deliberately not listed: LLDB's
// ABIX86::AugmentRegisterInfo derives them from the full registers by name, and gives up
// entirely if any of them is already present.
import { error, type KeyValue, keyValueReply } from '../../rsp/index.js';
import type { RegisterDef, RegisterLayout } from '../arch/amd64-registers.js';

export type LldbEncoding = 'uint' | 'sint' | 'ieee754' | 'vector';
export type LldbFormat = 'hex' | 'decimal' | 'binary' | 'float' | 'vector-uint8';
export type LldbGeneric =
  | 'pc'
  | 'sp'
  | 'fp'
  | 'ra'
  | 'flags'
  | 'arg1'
  | 'arg2'
  | 'arg3'
  | 'arg4'
  | 'arg5'
  | 'arg6';

export interface LldbRegisterInfo {
  name: string;
  altName?: string;
  bitsize: number;
  offset: number;
  encoding: LldbEncoding;
  format: LldbFormat;
  set: string;
  /** eh_frame and DWARF number (the same on x86-64, as lldb-server reports them). */
  dwarf?: number;
  generic?: LldbGeneric;
  containerRegs?: number[];
  invalidateRegs?: number[];
}

export const SET_GPR = 'General Purpose Registers';
export const SET_FPR = 'Floating Point Registers';
export const SET_AVX = 'Advanced Vector Extensions';
export const SET_PKEYS = 'Memory Protection Keys';

/** System V AMD64 psABI DWARF numbers (figure 3.36). */
const DWARF: Record<string, number> = {
  rax: 0,
  rdx: 1,
  rcx: 2,
  rbx: 3,
  rsi: 4,
  rdi: 5,
  rbp: 6,
  rsp: 7,
  rip: 16,
  eflags: 49,
  es: 50,
  cs: 51,
  ss: 52,
  ds: 53,
  fs: 54,
  gs: 55,
  fs_base: 58,
  gs_base: 59,
  mxcsr: 64,
  fctrl: 65,
  fstat: 66,
};
for (let i = 8; i < 16; i++) DWARF[`r${i}`] = i;
for (let i = 0; i < 16; i++) DWARF[`xmm${i}`] = 17 + i;
for (let i = 0; i < 8; i++) DWARF[`st${i}`] = 33 + i;

const GENERIC: Record<string, LldbGeneric> = {
  rip: 'pc',
  rsp: 'sp',
  rbp: 'fp',
  eflags: 'flags',
  rdi: 'arg1',
  rsi: 'arg2',
  rdx: 'arg3',
  rcx: 'arg4',
  r8: 'arg5',
  r9: 'arg6',
};

function setOf(r: RegisterDef): string {
  switch (r.feature) {
    case 'org.gnu.gdb.i386.sse':
      return SET_FPR;
    case 'org.gnu.gdb.i386.avx':
      return SET_AVX;
    case 'org.gnu.gdb.i386.pkeys':
      return SET_PKEYS;
    case 'org.gnu.gdb.i386.core':
      return r.group === 'float' || /^st\d$/.test(r.name) ? SET_FPR : SET_GPR;
    default:
      // linux (orig_rax) and segments (fs_base, gs_base) are general-purpose state.
      return SET_GPR;
  }
}

function isVector(r: RegisterDef): boolean {
  return /^(st\d|xmm\d+|ymm\d+h)$/.test(r.name);
}

/** The description of every register of `layout`, in register-number order. */
export function lldbRegisterInfos(layout: RegisterLayout): LldbRegisterInfo[] {
  let offset = 0;
  return layout.regs.map((r) => {
    const vector = isVector(r);
    const info: LldbRegisterInfo = {
      name: r.name,
      bitsize: r.size * 8,
      offset,
      encoding: vector ? 'vector' : 'uint',
      format: vector ? 'vector-uint8' : 'hex',
      set: setOf(r),
    };
    offset += r.size;
    const dwarf = DWARF[r.name];
    if (dwarf !== undefined) info.dwarf = dwarf;
    const generic = GENERIC[r.name];
    if (generic !== undefined) info.generic = generic;
    return info;
  });
}

function regList(nums: readonly number[]): string {
  return nums.map((n) => n.toString(16)).join(',');
}

/** One register's `key:value;` description. */
export function formatRegisterInfo(info: LldbRegisterInfo): string {
  const kv: KeyValue[] = [['name', info.name]];
  if (info.altName !== undefined) kv.push(['alt-name', info.altName]);
  kv.push(
    ['bitsize', info.bitsize],
    ['offset', info.offset],
    ['encoding', info.encoding],
    ['format', info.format],
    ['set', info.set],
  );
  if (info.dwarf !== undefined) kv.push(['ehframe', info.dwarf], ['dwarf', info.dwarf]);
  if (info.generic !== undefined) kv.push(['generic', info.generic]);
  if (info.containerRegs?.length) kv.push(['container-regs', regList(info.containerRegs)]);
  if (info.invalidateRegs?.length) kv.push(['invalidate-regs', regList(info.invalidateRegs)]);
  return keyValueReply(kv);
}

/** lldb-server's reply past the last register (and LLDB's signal to stop asking). */
export const NO_MORE_REGISTERS = error(0x45);

const cache = new WeakMap<RegisterLayout, string[]>();

/** The reply to `qRegisterInfo<regnum>`. */
export function registerInfoReply(layout: RegisterLayout, regnum: number): string {
  let replies = cache.get(layout);
  if (!replies) {
    replies = lldbRegisterInfos(layout).map(formatRegisterInfo);
    cache.set(layout, replies);
  }
  return replies[regnum] ?? NO_MORE_REGISTERS;
}
