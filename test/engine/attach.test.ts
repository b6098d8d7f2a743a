// Attach and detach to processes the session did not start, and closing with them stopped.
import { execFile } from 'node:child_process';
import {
  closeSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { EngineError, StopEvent } from '../../native/index.js';
import {
  capTest,
  fixture,
  processGone,
  Session,
  spawnDetached,
  sym,
  symbols,
  isHeld,
  until,
} from './_session.js';

const run = promisify(execFile);
const tasks = (pid: number) => readdirSync(`/proc/${pid}/task`).map(Number);

function killLater(t: { teardown(fn: () => void): void }, pid: number) {
  t.teardown(() => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  });
}

async function stopAll(s: Session, pid: number, n: number): Promise<StopEvent[]> {
  const out: StopEvent[] = [];
  while (out.length < n) out.push(await s.nextStop((e) => e.thread.tgid === pid));
  return out;
}

capTest(
  [],
  'attach with stop: every thread reports an attach stop; detach lets it run on',
  async (t) => {
    const path = await fixture('threads');
    const syms = await symbols(path);
    const pid = await spawnDetached(path, ['3']);
    killLater(t, pid);
    await until(() => {
      try {
        return tasks(pid).length === 4;
      } catch {
        return false;
      }
    }, 'the workers to start');
    const s = await Session.open(t);
    const list = await s.engine.attach(pid, { stop: true });
    t.is(list.length, 4);
    const sorted = <T extends number | bigint>(xs: T[]) => [...xs].sort((a, b) => (a < b ? -1 : 1));
    t.deepEqual(sorted(list.map((th) => th.tid)), sorted(tasks(pid)));
    t.true(list.every((th) => th.tgid === pid));
    const stops = await stopAll(s, pid, 4);
    t.true(stops.every((e) => e.reason === 'attach'));
    t.deepEqual(sorted(stops.map((e) => e.thread.handle)), sorted(list.map((th) => th.handle)));
    t.true(tasks(pid).every((tid) => isHeld(pid, tid)));
    const hits = sym(syms, 'hits');
    const a = await s.readU64(pid, hits);
    t.is(await s.readU64(pid, hits), a);
    await s.engine.detach(pid);
    const det = await s.next((e) => e.type === 'detached');
    t.deepEqual(det.type === 'detached' && [det.pid, det.reason], [pid, 'request']);
    await until(() => tasks(pid).every((tid) => !isHeld(pid, tid)), 'threads to run');
    const err = await t.throwsAsync(s.engine.listThreads(pid));
    t.is((err as EngineError).code, 'ESRCH');
    // Still alive, no longer traced.
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    t.regex(status, /TracerPid:\s+0\n/);
  },
);

/** Reads the target's memory directly (we are privileged), bypassing the engine. */
function peek(pid: number, addr: bigint, len: number): Buffer {
  const fd = openSync(`/proc/${pid}/mem`, 'r');
  try {
    const b = Buffer.alloc(len);
    readSync(fd, b, 0, len, Number(addr));
    return b;
  } finally {
    closeSync(fd);
  }
}

capTest(
  ['swBreak'],
  'attach without stop, break in, and close: the process runs on untouched',
  async (t) => {
    const path = await fixture('spin');
    const syms = await symbols(path);
    const pid = await spawnDetached(path, []);
    killLater(t, pid);
    const s = await Session.open(t);
    const tick = sym(syms, 'tick');
    const counter = sym(syms, 'counter');
    const orig = peek(pid, tick, 4);
    const list = await s.engine.attach(pid);
    t.is(list.length, 1);
    t.is(list[0]!.state, 'running');
    await s.engine.setBreakpoint({ pid, kind: 'sw', addr: tick, len: 1 });
    t.is(peek(pid, tick, 1)[0], 0xcc, 'the int3 is really in memory');
    const hit = await s.nextStop();
    t.is(hit.reason, 'breakpoint');
    t.is(hit.pc, tick);
    await s.close();
    // Detached running, breakpoint gone from memory (a leftover int3 would kill it with SIGTRAP).
    t.regex(readFileSync(`/proc/${pid}/status`, 'utf8'), /TracerPid:\s+0\n/);
    t.deepEqual(peek(pid, tick, 4), orig);
    const c0 = peek(pid, counter, 8).readBigUInt64LE(0);
    await until(() => peek(pid, counter, 8).readBigUInt64LE(0) > c0, 'the counter to move');
    t.false(processGone(pid));
  },
);

capTest([], 'attach errors: no such process is ESRCH, ourselves is EPERM', async (t) => {
  const s = await Session.open(t);
  const e1 = await t.throwsAsync(s.engine.attach(0x3ffffff0));
  t.is((e1 as EngineError).code, 'ESRCH');
  const e2 = await t.throwsAsync(s.engine.attach(process.pid));
  t.is((e2 as EngineError).code, 'EPERM');
});

capTest(['launch'], 'attach with killOnClose: closing the session kills it', async (t) => {
  const path = await fixture('spin');
  const pid = await spawnDetached(path, []);
  killLater(t, pid);
  const s = await Session.open(t);
  await s.engine.attach(pid, { killOnClose: true, stop: true });
  await s.nextStop();
  await s.close();
  await until(() => processGone(pid), 'the process to die');
  t.true(processGone(pid));
});

capTest(
  ['execEvents'],
  'attach with stopAtExec: the next exec stops with reason launch',
  async (t) => {
    const forks = await fixture('forks');
    const dir = mkdtempSync(join(tmpdir(), 'ntrace-attach-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const fifo = join(dir, 'go');
    await run('mkfifo', [fifo]);
    const pid = await spawnDetached('/bin/sh', [
      '-c',
      `read x < '${fifo}'; exec '${forks}' exit 9`,
    ]);
    killLater(t, pid);
    const s = await Session.open(t);
    await s.engine.attach(pid, { stopAtExec: true });
    await s.engine.setOptions(pid, { stopSignals: [] });
    writeFileSync(fifo, 'go\n');
    const st = await s.nextStop();
    t.is(st.reason, 'launch');
    t.is(st.thread.tgid, pid);
    const exe = await s.engine.readMemory(pid, st.pc, 1);
    t.is(exe.length, 1);
    await s.cont(st);
    t.deepEqual((await s.nextExit(pid)).exit, { code: 9 });
  },
);
