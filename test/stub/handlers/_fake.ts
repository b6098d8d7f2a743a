// The fake process most handler tests talk to: one thread (or the tids given), a page of
// counting bytes mapped at 0x401000.
import { FakeTarget } from '../../helpers/fake-target.js';

export const PID = 1000;

export function fake(tids = [PID]): FakeTarget {
  const f = new FakeTarget(PID, tids);
  const mem = Buffer.alloc(0x1000);
  for (let i = 0; i < mem.length; i++) mem[i] = i;
  f.map(0x401000n, mem);
  return f;
}

/** qSupported as LLDB sends it (stub/lldb/client-flavour.ts tells it from GDB's). */
export const LLDB_FEATURES = 'qSupported:xmlRegisters=i386,arm,mips,arc;multiprocess+';
export const GDB_FEATURES =
  'qSupported:multiprocess+;xmlRegisters=i386;qRelocInsn+;vContSupported+';

/** user_regs_struct slots (asm/ptrace.h). */
export const SLOT = { r10: 7, r8: 9, rax: 10, rdx: 12, rsi: 13, rdi: 14, orig_rax: 15, rip: 16 };
