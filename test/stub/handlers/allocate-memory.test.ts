// `_M` and `_m` (stub/handlers/allocate-memory.ts, deallocate-memory.ts) over a FakeTarget: an
// injected mmap/munmap syscall whose stop never reaches the client, its failures, and the
// debuggee put back as it was.
import test from 'ava';
import { readMaps, SYSCALL_TRAMPOLINE, syscallSite } from '../../../stub/lldb/index.js';
import type { ResumeAction } from '../../../stub/target.js';
import { TargetError } from '../../../stub/target.js';
import { FakeTarget } from '../../helpers/fake-target.js';
import { connectSession } from '../../helpers/rsp-client.js';
import { LLDB_FEATURES, SLOT } from './_fake.js';

/**
 * A FakeTarget whose single-step runs the `syscall` at rip: it records the call, puts the
 * result in rax and reports the SIGTRAP of the step. Its pid is this test process's, so the
 * allocator finds real /proc maps; the trampoline site is mapped as fake memory.
 */
class SyscallFake extends FakeTarget {
  readonly syscalls: bigint[][] = [];
  mmapResult = 0x7f0000010000n;

  constructor() {
    super(process.pid, [process.pid]);
  }

  override async resume(actions: ResumeAction[]): Promise<void> {
    const thread = actions[0]!.thread!;
    const g = this.gpr.get(thread.tid)!;
    const slot = (n: number) => g.readBigUInt64LE(n * 8);
    const rip = slot(SLOT.rip);
    const code = await this.readMemory(rip, 2);
    if (
      actions.length !== 1 ||
      actions[0]!.mode !== 'step' ||
      !code.equals(Buffer.from([0x0f, 0x05]))
    ) {
      throw new TargetError('not an injected syscall', 22);
    }
    const nr = slot(SLOT.rax);
    this.syscalls.push([
      nr,
      slot(SLOT.rdi),
      slot(SLOT.rsi),
      slot(SLOT.rdx),
      slot(SLOT.r10),
      slot(SLOT.r8),
      slot(SLOT.orig_rax),
    ]);
    g.writeBigUInt64LE(nr === 9n ? this.mmapResult : 0n, SLOT.rax * 8);
    g.writeBigUInt64LE(rip + 2n, SLOT.rip * 8);
    setImmediate(() =>
      this.report({ kind: 'stopped', thread, signal: 5, cause: { type: 'step' } }),
    );
  }
}

async function syscallSetup() {
  const fake = new SyscallFake();
  const pc = fake.gpr.get(process.pid)!.readBigUInt64LE(SLOT.rip * 8);
  const site = syscallSite(await readMaps(process.pid), pc);
  const code = Buffer.from([0x55, 0x48, 0x89, 0xe5]);
  fake.map(site, Buffer.from(code));
  const h = await connectSession(fake.asTarget());
  await h.client.request(LLDB_FEATURES);
  return { fake, site, code, h };
}

test('_M and _m run mmap and munmap in the debuggee and report no stop for them', async (t) => {
  const { fake, site, code, h } = await syscallSetup();
  try {
    const gprBefore = Buffer.from(fake.gpr.get(process.pid)!);
    t.is(await h.client.request('_M1000,rwx'), '00007f0000010000');
    // mmap(NULL, 0x1000, PROT_READ|WRITE|EXEC, MAP_PRIVATE|MAP_ANONYMOUS, -1, ...), and a
    // thread stopped in a syscall must not restart it (orig_rax -1).
    t.deepEqual(fake.syscalls[0], [9n, 0n, 0x1000n, 7n, 0x22n, (1n << 64n) - 1n, (1n << 64n) - 1n]);
    // Registers and code are back as they were.
    t.deepEqual(fake.gpr.get(process.pid), gprBefore);
    t.deepEqual(fake.regions[0]!.data.subarray(0, 4), code);
    t.deepEqual(await fake.readMemory(site, SYSCALL_TRAMPOLINE.length), code.subarray(0, 3));
    // The step's stop was taken internally: the next reply is qC's, not a stop reply.
    t.is(
      await h.client.request('qC'),
      `QCp${process.pid.toString(16)}.${process.pid.toString(16)}`,
    );

    t.is(await h.client.request('_M2000,r'), '00007f0000010000');
    t.is(fake.syscalls[1]![3], 1n);
    t.is(await h.client.request('_m7f0000010000'), 'OK');
    t.deepEqual(fake.syscalls[2]!.slice(0, 3), [11n, 0x7f0000010000n, 0x2000n]);
    // Only what _M returned can be freed (lldb-server answers Eff).
    t.is(await h.client.request('_m7f0000010000'), 'Eff');
    t.is(fake.syscalls.length, 3);
    t.deepEqual(fake.gpr.get(process.pid), gprBefore);
  } finally {
    await h.close();
  }
});

test('_M that the kernel refuses is Eff, and the debuggee is put back', async (t) => {
  const { fake, code, h } = await syscallSetup();
  try {
    fake.mmapResult = BigInt.asUintN(64, -12n); // -ENOMEM
    const gprBefore = Buffer.from(fake.gpr.get(process.pid)!);
    t.is(await h.client.request('_M1000,rw'), 'Eff');
    t.deepEqual(fake.gpr.get(process.pid), gprBefore);
    t.deepEqual(fake.regions[0]!.data, code);
    t.is(await h.client.request('_Mzz,rw'), 'E01');
  } finally {
    await h.close();
  }
});

test('a resume that fails: Eff, and the next _M works', async (t) => {
  const { fake, h } = await syscallSetup();
  try {
    const resume = fake.resume.bind(fake);
    fake.resume = async () => {
      fake.resume = resume;
      throw new TargetError('no such thread', 3);
    };
    t.is(await h.client.request('_M1000,rw'), 'Eff');
    t.is(await h.client.request('_M1000,rw'), '00007f0000010000');
  } finally {
    await h.close();
  }
});

test('a process that ends under the injected call: Eff, and `?` reports the exit', async (t) => {
  const { fake, h } = await syscallSetup();
  try {
    fake.resume = async () => {
      setImmediate(() => fake.report({ kind: 'exited', pid: process.pid, code: 3 }));
    };
    t.is(await h.client.request('_M1000,rw'), 'Eff');
    // The exit was the call's to take, and is now the stop `?` reports.
    t.regex(await h.client.request('?'), /^W03/);
  } finally {
    await h.close();
  }
});
