// InferiorCallIO over the stub's Target: the registers and memory of one thread, and a
// single-step of that thread alone. The session owns the stop listener, so it passes
// `nextStop`, a promise for the next stop that it must divert from the client while the
// injected call runs (no stop reply may reach the wire for it).
import type { BaseOps, Ptid, TargetStop } from '../target.js';
import { TargetError } from '../target.js';
import { type InferiorCallIO, InferiorAllocator, syscallSite } from './inferior-syscall.js';
import { readMaps } from './memory-region.js';

/** rip in struct user_regs_struct. */
const RIP_OFFSET = 16 * 8;

export function targetCallIO(
  base: BaseOps,
  thread: Ptid,
  nextStop: () => Promise<TargetStop>,
): InferiorCallIO {
  return {
    readRegs: () => base.readRegisters(thread, 'gpr'),
    writeRegs: (gpr) => base.writeRegisters(thread, 'gpr', gpr),
    readMem: (addr, length) => base.readMemory(addr, length),
    async writeMem(addr, data) {
      const n = await base.writeMemory(addr, data);
      if (n !== data.length) throw new TargetError(`short write at 0x${addr.toString(16)}`, 5);
    },
    async singleStepOrContinueUntilTrap() {
      const stopped = nextStop();
      await base.resume([{ thread, mode: 'step', signal: 0 }]);
      const stop = await stopped;
      if (stop.kind !== 'stopped') {
        throw new TargetError('the process ended during an injected syscall', 3, true);
      }
      return stop.signal;
    },
  };
}

/**
 * The `_M`/`_m` allocator of one process: each call runs on `currentThread()` (LLDB's Hg
 * choice), with the trampoline at the start of the first executable mapping.
 */
export function targetAllocator(
  base: BaseOps,
  currentThread: () => Ptid,
  nextStop: () => Promise<TargetStop>,
): InferiorAllocator {
  return new InferiorAllocator(async () => {
    const thread = currentThread();
    const pc = (await base.readRegisters(thread, 'gpr')).readBigUInt64LE(RIP_OFFSET);
    return {
      io: targetCallIO(base, thread, nextStop),
      site: syscallSite(await readMaps(base.pid), pc),
    };
  });
}
