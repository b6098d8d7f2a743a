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
import {
  formatRegisterInfo,
  type LldbEncoding,
  type LldbFormat,
  type LldbGeneric,
  type LldbRegisterInfo,
  NO_MORE_REGISTERS,
} from '../../rsp/replies/lldb.js';
import type { RegisterDef, RegisterLayout } from '../arch/amd64-registers.js';

export {
  formatRegisterInfo,
  type LldbEncoding,
  type LldbFormat,
  type LldbGeneric,
  type LldbRegisterInfo,
  NO_MORE_REGISTERS,
};

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
