// The LLDB packets a Session serves over a FakeTarget: `_M`/`_m` through an injected syscall
// whose stop never reaches the client, QSaveRegisterState/QRestoreRegisterState, LLDB-style
// `x`, and A/qLaunchSuccess/vAttach against a --multi server with no process yet.
import test from 'ava';
import { capabilitiesOf } from '../../../stub/capabilities.js';
import type { LaunchRequest } from '../../../stub/launch-settings.js';
import { readMaps, SYSCALL_TRAMPOLINE, syscallSite } from '../../../stub/lldb/index.js';
import type { TargetProvider } from '../../../stub/session.js';
import type { ResumeAction, Target } from '../../../stub/target.js';
import { TargetError } from '../../../stub/target.js';
import { FakeTarget } from '../../helpers/fake-target.js';
import { connectSession, type Harness } from '../../helpers/rsp-client.js';

const LLDB_FEATURES = 'qSupported:xmlRegisters=i386,arm,mips,arc;multiprocess+';
const GDB_FEATURES = 'qSupported:multiprocess+;xmlRegisters=i386;qRelocInsn+;vContSupported+';

/** user_regs_struct slots (asm/ptrace.h). */
const SLOT = { r10: 7, r8: 9, rax: 10, rdx: 12, rsi: 13, rdi: 14, orig_rax: 15, rip: 16 };

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

test('QSaveRegisterState and QRestoreRegisterState with the thread suffix', async (t) => {
  const fake = new FakeTarget(1000, [1000, 1001]);
  const h = await connectSession(fake.asTarget());
  try {
    await h.client.request(LLDB_FEATURES);
    t.is(await h.client.request('QThreadSuffixSupported'), 'OK');
    const rax = (tid: number) => fake.gpr.get(tid)!.readBigUInt64LE(SLOT.rax * 8);
    fake.gpr.get(1001)!.writeBigUInt64LE(0x1111n, SLOT.rax * 8);
    fake.fpr.get(1001)![0] = 0x7f;
    t.is(await h.client.request('QSaveRegisterState;thread:3e9;'), '1');
    t.is(await h.client.request('P0=2222000000000000;thread:3e9;'), 'OK');
    t.is(rax(1001), 0x2222n);
    fake.fpr.get(1001)![0] = 0;
    t.is(await h.client.request('QSaveRegisterState;thread:3e9;'), '2');
    t.is(await h.client.request('QRestoreRegisterState:1;thread:3e9;'), 'OK');
    t.is(rax(1001), 0x1111n);
    t.is(fake.fpr.get(1001)![0], 0x7f);
    // The other thread is untouched, and the cache shows what the thread holds.
    t.is(rax(1000), 0n);
    t.is(await h.client.request('p0;thread:3e9;'), '1111000000000000');
    // A restore consumes its id; an unknown id is an error.
    t.is(await h.client.request('QRestoreRegisterState:1;thread:3e9;'), 'E16');
    t.is(await h.client.request('QRestoreRegisterState:2;thread:3e9;'), 'OK');
    t.is(rax(1001), 0x2222n);
    // Without a suffix: the current thread.
    t.is(await h.client.request('QSaveRegisterState'), '3');
  } finally {
    await h.close();
  }
});

test('x: raw bytes for LLDB (x0,0 is OK), the empty reply for GDB', async (t) => {
  const data = Buffer.from([0x23, 0x24, 0x7d, 0x2a, 0x00, 0x41, 0xff]);
  const lldb = new FakeTarget().map(0x5000n, Buffer.from(data));
  const h = await connectSession(lldb.asTarget());
  try {
    await h.client.request(LLDB_FEATURES);
    t.is(await h.client.request('x0,0'), 'OK');
    // The framer has undone the `}` escapes of #, $, } and * already.
    t.deepEqual(Buffer.from(await h.client.request('x5000,7'), 'latin1'), data);
    // A read running off the mapping returns what was readable; nothing readable is an error.
    t.deepEqual(Buffer.from(await h.client.request('x5005,10'), 'latin1'), data.subarray(5));
    t.is(await h.client.request('x9000,4'), 'E05');
  } finally {
    await h.close();
  }
  const gdb = new FakeTarget().map(0x5000n, Buffer.from(data));
  const g = await connectSession(gdb.asTarget());
  try {
    await g.client.request(GDB_FEATURES);
    t.is(await g.client.request('x5000,7'), '');
  } finally {
    await g.close();
  }
});

interface MultiSetup {
  h: Harness;
  launched: LaunchRequest[];
  attached: number[];
}

/** A --multi session with no process; the provider hands out FakeTargets or fails. */
async function multi(fail?: TargetError): Promise<MultiSetup> {
  const launched: LaunchRequest[] = [];
  const attached: number[] = [];
  const make = (pid: number): Target => new FakeTarget(pid, [pid]).asTarget();
  const provider: TargetProvider = {
    capabilities: capabilitiesOf(make(1)),
    async launch(req) {
      launched.push(req);
      if (fail) throw fail;
      return make(2000);
    },
    async attach(pid) {
      attached.push(pid);
      if (fail) throw fail;
      return make(pid);
    },
  };
  const h = await connectSession(undefined, { provider, multi: true });
  return { h, launched, attached };
}

const hex = (s: string) => Buffer.from(s).toString('hex');
const aPacket = (args: string[]) =>
  `A${args.map((a, i) => `${hex(a).length},${i},${hex(a)}`).join(',')}`;

test('LLDB against --multi with no process: the connect queries, then A and qLaunchSuccess', async (t) => {
  const { h, launched } = await multi();
  try {
    await h.client.request(LLDB_FEATURES);
    t.is(await h.client.request('QThreadSuffixSupported'), 'OK');
    t.is(await h.client.request('QListThreadsInStopReply'), 'OK');
    t.regex(await h.client.request('vCont?'), /^vCont;c;C;s;S/);
    // lldb-server's answer: `l` would make LLDB assume a bare-metal process with pid 1.
    t.is(await h.client.request('qfThreadInfo'), 'OK');
    t.is(await h.client.request('qLaunchSuccess'), 'OK');
    t.is(await h.client.request(aPacket(['/bin/prog', 'a b', ''])), 'OK');
    t.deepEqual(launched[0]!.argv, ['/bin/prog', 'a b', '']);
    // Started directly, as lldb-server does: LLDB never asks for a shell.
    t.falsy(launched[0]!.shell);
    t.is(await h.client.request('qLaunchSuccess'), 'OK');
    t.regex(await h.client.request('qProcessInfo'), /^pid:7d0;|^E/);
    // The launch stop, as lldb-server reports it: SIGSTOP, with the thread list asked for.
    t.regex(await h.client.request('?'), /^T13.*thread:p7d0\.7d0;.*threads:/);
  } finally {
    await h.close();
  }
});

test('A that fails: its error, then qLaunchSuccess says why', async (t) => {
  const { h } = await multi(new TargetError('no such file', 2, false, 'ENOENT'));
  try {
    await h.client.request(LLDB_FEATURES);
    t.is(await h.client.request(aPacket(['/nonexistent'])), 'E02');
    t.is(await h.client.request('qLaunchSuccess'), 'Elaunch failed: ENOENT');
    t.is(await h.client.request('?'), 'W00');
  } finally {
    await h.close();
  }
});

test('vAttach from LLDB needs no `!` on a --multi server; GDB still needs extended mode', async (t) => {
  const lldb = await multi();
  try {
    await lldb.h.client.request(LLDB_FEATURES);
    t.regex(await lldb.h.client.request('vAttach;1234'), /^T13.*thread:p1234\.1234;/);
    t.deepEqual(lldb.attached, [0x1234]);
  } finally {
    await lldb.h.close();
  }
  const gdb = await multi();
  try {
    await gdb.h.client.request(GDB_FEATURES);
    t.is(await gdb.h.client.request('qfThreadInfo'), 'l');
    t.is(await gdb.h.client.request('vAttach;1234'), '');
    t.is(await gdb.h.client.request('!'), 'OK');
    t.regex(await gdb.h.client.request('vAttach;1234'), /^T05/);
  } finally {
    await gdb.h.close();
  }
});
