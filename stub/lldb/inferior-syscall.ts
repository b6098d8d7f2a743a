// `_M<size>,<perms>` / `_m<addr>` (lldbgdbremote.md): memory allocated inside the debuggee, for
// LLDB's expression evaluator. The debuggee makes the mmap/munmap itself: save its registers,
// put `syscall; int3` at an executable address, point rip there with the arguments loaded, let
// the thread run until it traps, read rax, then restore the code bytes and every register
// (lldb-server does the same in NativeProcessLinux::Syscall, at the start of the first
// executable mapping).
import { TargetError } from '../target.js';
import type { MapsEntry } from './memory-region.js';

/** What an injected syscall needs from the target; the session maps it onto one thread. */
export interface InferiorCallIO {
  /** The thread's NT_PRSTATUS block (struct user_regs_struct, 216 bytes). */
  readRegs(): Promise<Buffer>;
  writeRegs(gpr: Buffer): Promise<void>;
  readMem(addr: bigint, length: number): Promise<Buffer>;
  writeMem(addr: bigint, data: Buffer): Promise<void>;
  /**
   * Resumes only this thread (a single-step or a continue: both end at the int3 that follows
   * the syscall) and resolves with the host signal it stopped with.
   */
  singleStepOrContinueUntilTrap(): Promise<number>;
}

/** struct user_regs_struct byte offsets (asm/ptrace.h, x86-64). */
const REG = {
  r10: 7 * 8,
  r9: 8 * 8,
  r8: 9 * 8,
  rax: 10 * 8,
  rdx: 12 * 8,
  rsi: 13 * 8,
  rdi: 14 * 8,
  orig_rax: 15 * 8,
  rip: 16 * 8,
} as const;

export const GPR_BYTES = 216;
/** `syscall` then `int3`: the int3 stops a continue, a single-step stops before it anyway. */
export const SYSCALL_TRAMPOLINE = Buffer.from([0x0f, 0x05, 0xcc]);
const SIGTRAP = 5;
/** Resumes allowed before the syscall instruction has run (see injectSyscall). */
const MAX_ATTEMPTS = 3;

const SYS_MMAP = 9n;
const SYS_MUNMAP = 11n;
const PROT_READ = 1n;
const PROT_WRITE = 2n;
const PROT_EXEC = 4n;
const MAP_PRIVATE = 0x02n;
const MAP_ANONYMOUS = 0x20n;

const U64 = (1n << 64n) - 1n;

/**
 * Where to put the trampoline: the start of the first executable mapping that is not the vDSO
 * or vsyscall page (which cannot be written), else the current pc.
 */
export function syscallSite(maps: readonly MapsEntry[], pc: bigint): bigint {
  const e = maps.find((m) => m.execute && m.name !== '[vdso]' && m.name !== '[vsyscall]');
  return e ? e.start : pc;
}

/**
 * Runs syscall `nr` with up to six arguments in the debuggee and returns its raw result, after
 * putting back the code bytes and registers it borrowed. A negative result in -4095..-1 is
 * thrown as a TargetError carrying the errno.
 */
export async function injectSyscall(
  io: InferiorCallIO,
  site: bigint,
  nr: bigint,
  args: readonly bigint[],
): Promise<bigint> {
  if (args.length > 6) throw new RangeError('at most six syscall arguments');
  const saved = await io.readRegs();
  if (saved.length < GPR_BYTES) throw new TargetError('short register block', 5);
  const savedCode = await io.readMem(site, SYSCALL_TRAMPOLINE.length);
  if (savedCode.length !== SYSCALL_TRAMPOLINE.length) {
    throw new TargetError(`cannot read code at 0x${site.toString(16)}`, 5);
  }
  const regs = Buffer.from(saved);
  const put = (off: number, v: bigint) => regs.writeBigUInt64LE(v & U64, off);
  put(REG.rip, site);
  put(REG.rax, nr);
  // orig_rax -1: a thread stopped inside an interrupted syscall must not have the kernel
  // "restart" it (rewind rip, reload rax) when it resumes into ours.
  put(REG.orig_rax, U64);
  const argRegs = [REG.rdi, REG.rsi, REG.rdx, REG.r10, REG.r8, REG.r9];
  for (const [i, a] of args.entries()) put(argRegs[i]!, a);
  let result: bigint | undefined;
  let failure: unknown;
  await io.writeMem(site, SYSCALL_TRAMPOLINE);
  try {
    // A thread stopped inside a syscall (e.g. at the exec event) first finishes that syscall
    // when resumed, and a single-step traps right there, before any instruction runs; the
    // kernel may also have set rax meanwhile. So load the registers again and go once more.
    for (let attempt = 0; attempt < MAX_ATTEMPTS && result === undefined; attempt++) {
      await io.writeRegs(regs);
      const signal = await io.singleStepOrContinueUntilTrap();
      if (signal !== SIGTRAP) {
        failure = new TargetError(`injected syscall stopped by signal ${signal}`, 5);
        break;
      }
      const after = await io.readRegs();
      const rip = after.readBigUInt64LE(REG.rip);
      if (rip === site + 2n || rip === site + 3n) result = after.readBigUInt64LE(REG.rax);
      else if (rip !== site) {
        failure = new TargetError(`injected syscall ended at 0x${rip.toString(16)}`, 5);
        break;
      }
    }
    if (result === undefined && failure === undefined) {
      failure = new TargetError('injected syscall did not run', 5);
    }
  } catch (err) {
    failure = err;
  } finally {
    // Always put the debuggee back as it was, even when the call failed.
    await io.writeMem(site, savedCode);
    await io.writeRegs(saved);
  }
  if (failure !== undefined) throw failure;
  const signed = BigInt.asIntN(64, result!);
  if (signed < 0n && signed >= -4095n) {
    throw new TargetError(`syscall ${nr} failed: errno ${-signed}`, Number(-signed));
  }
  return result!;
}

export interface Permissions {
  read: boolean;
  write: boolean;
  execute: boolean;
}

export function protFlags(p: Permissions): bigint {
  return (p.read ? PROT_READ : 0n) | (p.write ? PROT_WRITE : 0n) | (p.execute ? PROT_EXEC : 0n);
}

/**
 * The allocations made for one process: `_m` carries only the address, so the size is
 * remembered here (lldb-server keeps the same map).
 */
/** Where and through which thread a call runs; asked afresh for every call. */
export interface CallSite {
  io: InferiorCallIO;
  /** Address for the trampoline (see syscallSite). */
  site: bigint;
}

export class InferiorAllocator {
  private readonly sizes = new Map<bigint, bigint>();

  constructor(private readonly callSite: () => Promise<CallSite>) {}

  /** mmap(NULL, size, prot, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) in the debuggee. */
  async allocate(size: number, perms: Permissions): Promise<bigint> {
    if (!Number.isSafeInteger(size) || size <= 0) throw new TargetError('bad size', 22);
    const len = BigInt(size);
    const { io, site } = await this.callSite();
    const addr = await injectSyscall(io, site, SYS_MMAP, [
      0n,
      len,
      protFlags(perms),
      MAP_PRIVATE | MAP_ANONYMOUS,
      U64,
      0n,
    ]);
    this.sizes.set(addr, len);
    return addr;
  }

  /** munmap of a block `allocate` returned; anything else is EINVAL. */
  async deallocate(addr: bigint): Promise<void> {
    const len = this.sizes.get(addr);
    if (len === undefined) throw new TargetError(`0x${addr.toString(16)} was not allocated`, 22);
    const { io, site } = await this.callSite();
    await injectSyscall(io, site, SYS_MUNMAP, [addr, len]);
    this.sizes.delete(addr);
  }

  get allocations(): ReadonlyMap<bigint, bigint> {
    return this.sizes;
  }
}
