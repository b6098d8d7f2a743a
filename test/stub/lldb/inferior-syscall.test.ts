import test from 'ava';
import {
  GPR_BYTES,
  type InferiorCallIO,
  InferiorAllocator,
  injectSyscall,
  protFlags,
  SYSCALL_TRAMPOLINE,
  syscallSite,
} from '../../../stub/lldb/inferior-syscall.js';
import { parseMaps } from '../../../stub/lldb/memory-region.js';
import { TargetError } from '../../../stub/target.js';

const OFF = {
  r10: 56,
  r9: 64,
  r8: 72,
  rax: 80,
  rdx: 96,
  rsi: 104,
  rdi: 112,
  orig_rax: 120,
  rip: 128,
};
const CODE = 0x401000n;

interface Call {
  nr: bigint;
  args: bigint[];
  origRax: bigint;
}

/**
 * A one-thread debuggee in miniature: memory is one code page, and "running" decodes the bytes
 * at rip. `syscall` runs the fake kernel, then the int3 traps.
 */
class FakeInferior implements InferiorCallIO {
  gpr = Buffer.alloc(GPR_BYTES);
  code = Buffer.alloc(0x1000, 0x90);
  calls: Call[] = [];
  /** What the fake kernel returns. */
  kernel: (c: Call) => bigint = () => 0n;
  /** Signal the run ends with (5 = SIGTRAP). */
  stopSignal = 5;
  failRun = false;
  /** Stopped inside a syscall: the next resume only finishes it (rax = 0, rip unchanged). */
  inSyscall = false;

  constructor() {
    for (let i = 0; i < GPR_BYTES / 8; i++)
      this.gpr.writeBigUInt64LE(BigInt(0x1111 * (i + 1)), i * 8);
    this.gpr.writeBigUInt64LE(0x401234n, OFF.rip);
    this.gpr.writeBigUInt64LE(0xfffffffffffffdfcn, OFF.rax); // -EINTR: an interrupted syscall
    this.gpr.writeBigUInt64LE(35n, OFF.orig_rax); // nanosleep
  }
  reg(name: keyof typeof OFF): bigint {
    return this.gpr.readBigUInt64LE(OFF[name]);
  }
  async readRegs() {
    return Buffer.from(this.gpr);
  }
  async writeRegs(gpr: Buffer) {
    this.gpr = Buffer.from(gpr);
  }
  async readMem(addr: bigint, length: number) {
    const off = Number(addr - CODE);
    if (off < 0 || off + length > this.code.length) throw new TargetError('EIO', 5);
    return Buffer.from(this.code.subarray(off, off + length));
  }
  async writeMem(addr: bigint, data: Buffer) {
    const off = Number(addr - CODE);
    if (off < 0 || off + data.length > this.code.length) throw new TargetError('EIO', 5);
    data.copy(this.code, off);
  }
  async singleStepOrContinueUntilTrap() {
    if (this.failRun) throw new TargetError('ESRCH', 3);
    if (this.inSyscall) {
      this.inSyscall = false;
      this.gpr.writeBigUInt64LE(0n, OFF.rax);
      return 5;
    }
    const off = Number(this.reg('rip') - CODE);
    if (this.code[off] !== 0x0f || this.code[off + 1] !== 0x05) return 11; // SIGSEGV-ish
    const call: Call = {
      nr: this.reg('rax'),
      args: (['rdi', 'rsi', 'rdx', 'r10', 'r8', 'r9'] as const).map((r) => this.reg(r)),
      origRax: this.reg('orig_rax'),
    };
    this.calls.push(call);
    this.gpr.writeBigUInt64LE(BigInt.asUintN(64, this.kernel(call)), OFF.rax);
    this.gpr.writeBigUInt64LE(this.reg('rip') + 3n, OFF.rip);
    return this.stopSignal;
  }
}

test('the trampoline is syscall; int3', (t) => {
  t.deepEqual([...SYSCALL_TRAMPOLINE], [0x0f, 0x05, 0xcc]);
});

test('injectSyscall loads the arguments, returns rax and restores code and registers', async (t) => {
  const f = new FakeInferior();
  const regsBefore = Buffer.from(f.gpr);
  const codeBefore = Buffer.from(f.code);
  f.kernel = () => 0x7ffff7fbe000n;
  const r = await injectSyscall(f, CODE + 0x10n, 9n, [
    0n,
    0x2000n,
    7n,
    0x22n,
    (1n << 64n) - 1n,
    0n,
  ]);
  t.is(r, 0x7ffff7fbe000n);
  t.deepEqual(f.calls, [
    { nr: 9n, args: [0n, 0x2000n, 7n, 0x22n, (1n << 64n) - 1n, 0n], origRax: (1n << 64n) - 1n },
  ]);
  t.deepEqual(f.gpr, regsBefore);
  t.deepEqual(f.code, codeBefore);
});

test('a thread stopped inside a syscall gets its registers loaded again', async (t) => {
  const f = new FakeInferior();
  f.inSyscall = true;
  const regsBefore = Buffer.from(f.gpr);
  f.kernel = (c) => (c.nr === 39n ? 1234n : -38n);
  t.is(await injectSyscall(f, CODE, 39n, []), 1234n);
  t.is(f.calls.length, 1);
  t.deepEqual(f.gpr, regsBefore);
});

test('a kernel error becomes a TargetError with the errno, and state is restored', async (t) => {
  const f = new FakeInferior();
  const regsBefore = Buffer.from(f.gpr);
  f.kernel = () => -12n; // ENOMEM
  const err = await t.throwsAsync(injectSyscall(f, CODE, 9n, [0n, 1n]), {
    instanceOf: TargetError,
  });
  t.is(err?.errno, 12);
  t.deepEqual(f.gpr, regsBefore);
  t.is(f.code[0], 0x90);
});

test('a stop by another signal fails and restores', async (t) => {
  const f = new FakeInferior();
  f.stopSignal = 11;
  const regsBefore = Buffer.from(f.gpr);
  await t.throwsAsync(injectSyscall(f, CODE, 11n, [0n, 0n]), { message: /signal 11/ });
  t.deepEqual(f.gpr, regsBefore);
  t.is(f.code[0], 0x90);
});

test('a failed run still restores code and registers', async (t) => {
  const f = new FakeInferior();
  f.failRun = true;
  const regsBefore = Buffer.from(f.gpr);
  await t.throwsAsync(injectSyscall(f, CODE, 9n, []), { message: 'ESRCH' });
  t.deepEqual(f.gpr, regsBefore);
  t.is(f.code[0], 0x90);
});

test('unreadable code at the site is refused before anything changes', async (t) => {
  const f = new FakeInferior();
  const regsBefore = Buffer.from(f.gpr);
  await t.throwsAsync(injectSyscall(f, 0x10n, 9n, []), { instanceOf: TargetError });
  t.deepEqual(f.gpr, regsBefore);
  t.is(f.calls.length, 0);
});

test('InferiorAllocator: _M maps with the requested protection, _m unmaps that size', async (t) => {
  const f = new FakeInferior();
  let next = 0x7ffff7fbe000n;
  f.kernel = (c) => {
    if (c.nr === 9n) {
      const a = next;
      next -= 0x1000n;
      return a;
    }
    return 0n;
  };
  const alloc = new InferiorAllocator(async () => ({ io: f, site: CODE }));
  const a = await alloc.allocate(0x1000, { read: true, write: false, execute: true });
  t.is(a, 0x7ffff7fbe000n);
  t.deepEqual(f.calls[0]!.args.slice(0, 4), [0n, 0x1000n, 5n, 0x22n]);
  const b = await alloc.allocate(0x2000, { read: true, write: true, execute: false });
  t.is(b, 0x7ffff7fbd000n);
  await alloc.deallocate(a);
  t.is(f.calls[2]!.nr, 11n);
  t.deepEqual(f.calls[2]!.args.slice(0, 2), [a, 0x1000n]);
  t.deepEqual([...alloc.allocations.keys()], [b]);
  await t.throwsAsync(alloc.deallocate(a), { instanceOf: TargetError });
  await t.throwsAsync(alloc.allocate(0, { read: true, write: false, execute: false }));
});

test('protection bits', (t) => {
  t.is(protFlags({ read: true, write: true, execute: true }), 7n);
  t.is(protFlags({ read: false, write: true, execute: false }), 2n);
});

test('syscallSite: first executable mapping that is not vdso/vsyscall, else the pc', (t) => {
  const maps = parseMaps(
    '7ffff7fc8000-7ffff7fca000 r-xp 0 0:0 0 [vdso]\n555555555000-555555556000 r-xp 1000 fe:00 1 /bin/p\n',
  );
  t.is(syscallSite(maps, 0x1234n), 0x555555555000n);
  t.is(syscallSite(parseMaps('7ffff7fc8000-7ffff7fca000 r-xp 0 0:0 0 [vdso]\n'), 0x1234n), 0x1234n);
});
