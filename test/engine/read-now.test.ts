// readMemoryInto: a memory read answered in the caller's turn with no record (the userspace
// engine), with readMemory's data and errors; it declines whenever the record path's answer could
// come in another order, and readMemory serves.
import { readFileSync } from 'node:fs';
import { loadAddon, type NativeChannel } from '../../native/addon.js';
import type { EngineError } from '../../native/index.js';
import { backend, capTest, fixture, Session, sym, symbols } from './_session.js';

/** A session with the spin fixture launched, and its two variables' addresses. */
async function launchSpin(t: Parameters<typeof Session.open>[0]) {
  const s = await Session.open(t);
  const path = await fixture('spin');
  const syms = await symbols(path);
  const { pid } = await s.launch(path);
  return { s, pid, tick: sym(syms, 'tick'), counter: sym(syms, 'counter') };
}

/** Code and errno of a failed call, or 'ok'. */
function failure(f: () => unknown): string {
  try {
    f();
    return 'ok';
  } catch (err) {
    const e = err as EngineError;
    return `${e.code} ${e.errno}`;
  }
}

async function failureOf(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => 'ok',
    (e: EngineError) => `${e.code} ${e.errno}`,
  );
}

capTest(
  ['launch', 'swBreak'],
  'readMemoryInto: readMemory bytes and errors, with no record',
  async (t) => {
    const { s, pid, tick, counter } = await launchSpin(t);
    const into = Buffer.alloc(70000, 0xee);
    if (backend === 'kernel') {
      t.is(s.engine.readMemoryInto(pid, tick, 64, into), undefined);
      await s.close();
      return;
    }
    // Our int3 is hidden as readMemory hides it.
    await s.engine.setBreakpoint({ pid, kind: 'sw', addr: tick + 1n, len: 1 });
    const want = await s.engine.readMemory(pid, tick, 64);
    t.is(s.engine.readMemoryInto(pid, tick, 64, into), 64);
    t.deepEqual(into.subarray(0, 64), want);
    // Across the end of a mapping: the same short read; past it, the same error.
    const maps = readFileSync(`/proc/${pid}/maps`, 'utf8');
    let end = 0n;
    for (const line of maps.split('\n')) {
      const [lo, hi] = (line.split(' ')[0] ?? '').split('-').map((x) => BigInt(`0x${x || 0}`));
      if (lo !== undefined && hi !== undefined && lo <= counter && counter < hi) end = hi;
    }
    t.true(end > 0n);
    if (!maps.includes(`${end.toString(16)}-`)) {
      const short = await s.engine.readMemory(pid, end - 16n, 64);
      into.fill(0xee);
      t.is(s.engine.readMemoryInto(pid, end - 16n, 64, into), short.length);
      t.deepEqual(into.subarray(0, short.length), short);
      t.is(into[short.length], 0xee, 'nothing written past the bytes read');
    }
    // Errors: nothing readable, no such process, too long for a record; and a length of 0.
    const cases: [number, bigint, number][] = [
      [pid, 0n, 8],
      [pid, end + 4096n * 1024n, 8],
      [0x7ffffff0, tick, 8],
      [pid, tick, 65536],
      [pid, 0xfffffffffffff000n, 8],
    ];
    for (const [p, a, n] of cases) {
      const expected = await failureOf(s.engine.readMemory(p, a, n));
      t.not(expected, 'ok');
      t.is(
        failure(() => s.engine.readMemoryInto(p, a, n, into)),
        expected,
        `${p} ${a} ${n}`,
      );
    }
    t.is((await s.engine.readMemory(pid, tick, 0)).length, 0);
    t.is(s.engine.readMemoryInto(pid, tick, 0, into), 0);
    // Not its turn: a command queued this tick, records held back, a length the buffer lacks.
    const written = s.engine.writeMemory(pid, counter, Buffer.alloc(8, 7));
    t.is(s.engine.readMemoryInto(pid, counter, 8, into), undefined);
    // readMemory, behind the write in the same tick, sees it.
    t.deepEqual(await s.engine.readMemory(pid, counter, 8), Buffer.alloc(8, 7));
    t.is(await written, 8);
    s.engine.channel.pauseReading();
    t.is(s.engine.readMemoryInto(pid, tick, 64, into), undefined);
    s.engine.channel.resumeReading();
    t.is(s.engine.readMemoryInto(pid, tick, 64, Buffer.alloc(8)), undefined);
    // Numbers the addon cannot take as they are: refused, never cast.
    for (const [p, n] of [
      [Number.NaN, 8],
      [1e20, 8],
      [pid + 0.5, 8],
      [pid, Number.NaN],
      [pid, 2.5],
      [pid, -1],
    ])
      t.is(s.engine.readMemoryInto(p!, tick, n!, into), undefined, `${p} ${n}`);
    t.is(s.engine.readMemoryInto(pid, tick, 8, into), 8);
    // The address as a number (the stub's `m` path): the same bytes; numbers that are not a
    // safe non-negative integer are refused, never cast.
    into.fill(0xee);
    t.is(s.engine.readMemoryInto(pid, Number(tick), 64, into), 64);
    t.deepEqual(into.subarray(0, 64), want);
    for (const a of [2 ** 53, -8, Number(tick) + 0.5, Number.NaN, Number.POSITIVE_INFINITY])
      t.is(s.engine.readMemoryInto(pid, a, 8, into), undefined, `${a}`);
    await s.close();
  },
);

/** The calling thread's read(2)-family system calls so far (`syscr`, proc(5) /proc/pid/io). */
function threadReads(): number {
  const io = readFileSync('/proc/thread-self/io', 'utf8');
  const line = io.split('\n').find((l) => l.startsWith('syscr:'));
  return Number(line?.slice('syscr:'.length));
}

capTest(
  ['launch'],
  'readMemoryInto: a read of up to a page is one pread of /proc/PID/mem, as gdbserver reads',
  async (t) => {
    const { s, pid, tick } = await launchSpin(t);
    const into = Buffer.alloc(4096);
    if (backend === 'kernel') {
      t.is(s.engine.readMemoryInto(pid, tick, 64, into), undefined, 'the userspace engine only');
      await s.close();
      return;
    }
    // process_vm_readv is no read(2) call; a pread is (syscr counts it). It is the cheaper call
    // for gdb's 64-byte reads: no task lookup and ptrace check per call.
    const before = threadReads();
    for (let i = 0; i < 100; i++) t.is(s.engine.readMemoryInto(pid, tick, 64, into), 64);
    const reads = threadReads() - before;
    t.true(reads >= 100 && reads <= 110, `${reads} reads`);
    await s.close();
  },
);

capTest(
  ['launch'],
  'readMemoryInto: the addon reader is bound to the buffer once, not looked up per read',
  async (t) => {
    // Counts the bindings: each is an object unwrap and a buffer lookup in the addon, which a
    // read through a bound reader does not repeat (no other test runs meanwhile: serial).
    const addon = loadAddon();
    const Plain = addon.Channel;
    let binds = 0;
    const Counting = class extends (Plain as new (kind: 'user') => NativeChannel) {
      override readMemFn(buf: Buffer) {
        binds++;
        return super.readMemFn(buf);
      }
    };
    addon.Channel = Counting as typeof Plain;
    try {
      const { s, pid, tick } = await launchSpin(t);
      const into = Buffer.alloc(4096);
      const want = await s.engine.readMemory(pid, tick, 64);
      if (backend === 'kernel') {
        t.is(s.engine.readMemoryInto(pid, tick, 64, into), undefined, 'the userspace engine only');
        await s.close();
        return;
      }
      for (let i = 0; i < 50; i++) t.is(s.engine.readMemoryInto(pid, tick, 64, into), 64);
      t.deepEqual(into.subarray(0, 64), want);
      t.is(binds, 1);
      // Another buffer: bound anew, and the first one again after it.
      const other = Buffer.alloc(16);
      t.is(s.engine.readMemoryInto(pid, tick, 16, other), 16);
      t.deepEqual(other, want.subarray(0, 16));
      t.is(s.engine.readMemoryInto(pid, tick, 64, into), 64);
      t.is(binds, 3);
      await s.close();
    } finally {
      addon.Channel = Plain;
    }
  },
  true,
);
