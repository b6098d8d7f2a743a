// The `_M`/`_m` machinery on a real debuggee: EngineTarget (the ntrace engine) stopped at its
// first instruction, an mmap and a munmap injected through targetCallIO, the result checked in
// /proc/<pid>/maps, and the registers and code found as they were.
import test from 'ava';
import { openEngine } from '../../../native/index.js';
import { EngineTarget } from '../../../stub/engine-target.js';
import {
  readMaps,
  SYSCALL_TRAMPOLINE,
  syscallSite,
  targetAllocator,
} from '../../../stub/lldb/index.js';
import type { TargetStop } from '../../../stub/target.js';
import { compileFixture } from '../../helpers/compile.js';

test('mmap and munmap injected into a stopped debuggee', async (t) => {
  const prog = await compileFixture('lldb-spin.c');
  const engine = await openEngine();
  const target = await EngineTarget.launch(engine, { path: prog, argv: [prog], env: [] });
  try {
    const base = target;
    const thread = base.threads()[0]!;
    // The session's listener, reduced to what the call needs: the next stop.
    let pending: ((s: TargetStop) => void) | undefined;
    base.onStop((s) => {
      const p = pending;
      pending = undefined;
      p?.(s);
    });
    const nextStop = () =>
      new Promise<TargetStop>((resolve) => {
        pending = resolve;
      });
    const gprBefore = await base.readRegisters(thread, 'gpr');
    const pc = gprBefore.readBigUInt64LE(16 * 8);
    const site = syscallSite(await readMaps(base.pid), pc);
    const codeBefore = await base.readMemory(site, SYSCALL_TRAMPOLINE.length);
    const alloc = targetAllocator(base, () => thread, nextStop);

    const addr = await alloc.allocate(0x3000, { read: true, write: true, execute: true });
    t.is(addr & 0xfffn, 0n);
    const region = (await readMaps(base.pid)).find((m) => m.start <= addr && addr < m.end);
    t.truthy(region);
    t.true(region!.read && region!.write && region!.execute);
    t.true(region!.end - addr >= 0x3000n);
    // The memory is really there for the debugger to use.
    t.is(await base.writeMemory(addr, Buffer.from('lldb')), 4);
    t.deepEqual(await base.readMemory(addr, 4), Buffer.from('lldb'));

    await alloc.deallocate(addr);
    const after = (await readMaps(base.pid)).find((m) => m.start <= addr && addr < m.end);
    t.is(after, undefined);
    t.deepEqual(await base.readRegisters(thread, 'gpr'), gprBefore);
    t.deepEqual(await base.readMemory(site, SYSCALL_TRAMPOLINE.length), codeBefore);
  } finally {
    await target.kill().catch(() => {});
    await target.close().catch(() => {});
    await engine.close();
  }
});
