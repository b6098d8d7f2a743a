// fork, vfork, exec (also from a non-leader thread), exit stops and syscall stops.
import { readFileSync } from 'node:fs';
import type { StopEvent } from '../../native/index.js';
import { capTest, fixture, processGone, Session, sym, symbols } from './_session.js';

const SYS_GETPPID = 110n;

/** Resumes every stop until the given process exits; returns its exit. */
async function runToExit(s: Session, pid: number) {
  for (;;) {
    const ev = await s.next(
      (e) => e.type === 'stop' || (e.type === 'process-exit' && e.pid === pid),
    );
    if (ev.type === 'process-exit') return ev.exit;
    if (ev.type === 'stop') await s.cont(ev);
  }
}

capTest(
  ['launch', 'forkEvents'],
  'fork: the parent reports the child, the child starts stopped',
  async (t) => {
    const s = await Session.open(t);
    const { pid, stop } = await s.launch(await fixture('forks'), ['fork']);
    await s.engine.setOptions(pid, { events: { fork: true }, stopSignals: [] });
    await s.cont(stop);
    const f = await s.nextStop((e) => e.thread.tgid === pid);
    t.is(f.reason, 'fork');
    const childPid = Number(f.data[1]);
    t.true(childPid > 0 && childPid !== pid);
    const c = await s.nextStop((e) => e.thread.tgid === childPid);
    t.is(c.reason, 'new-thread');
    t.is(c.thread.handle, f.data[0]);
    t.is(c.thread.tid, childPid);
    const list = await s.engine.listThreads(childPid);
    t.is(list.length, 1);
    await s.cont(c);
    t.deepEqual((await s.nextExit(childPid)).exit, { code: 5 });
    await s.cont(f);
    t.deepEqual((await s.nextExit(pid)).exit, { code: 15 });
  },
);

capTest(
  ['launch', 'swBreak'],
  'an unfollowed fork child runs free of the parent breakpoints',
  async (t) => {
    const s = await Session.open(t);
    const path = await fixture('forks');
    const syms = await symbols(path);
    const { pid, stop } = await s.launch(path, ['fork']);
    // Only the child calls child_work(): a leftover int3 there would kill it with SIGTRAP.
    await s.engine.setBreakpoint({ pid, kind: 'sw', addr: sym(syms, 'child_work'), len: 1 });
    await s.cont(stop);
    t.deepEqual(await runToExit(s, pid), { code: 15 });
    t.false(s.events.some((e) => e.type === 'stop'));
  },
);

capTest(['launch', 'vforkEvents'], 'vfork: VFORK then VFORK_DONE in the parent', async (t) => {
  const s = await Session.open(t);
  const { pid, stop } = await s.launch(await fixture('forks'), ['vfork']);
  await s.engine.setOptions(pid, { events: { vfork: true, vforkDone: true }, stopSignals: [] });
  await s.cont(stop);
  const v = await s.nextStop((e) => e.thread.tgid === pid);
  t.is(v.reason, 'vfork');
  const childPid = Number(v.data[1]);
  const c = await s.nextStop((e) => e.thread.tgid === childPid);
  t.is(c.reason, 'new-thread');
  await s.cont(v);
  await s.cont(c);
  t.deepEqual((await s.nextExit(childPid)).exit, { code: 6 });
  const done = await s.nextStop((e) => e.thread.tgid === pid);
  t.is(done.reason, 'vfork-done');
  await s.cont(done);
  t.deepEqual((await s.nextExit(pid)).exit, { code: 16 });
});

capTest(
  ['launch', 'swBreak'],
  'an unfollowed vfork child runs free of the parent breakpoints',
  async (t) => {
    const s = await Session.open(t);
    const path = await fixture('forks');
    const syms = await symbols(path);
    const { pid, stop } = await s.launch(path, ['vfork']);
    await s.engine.setBreakpoint({ pid, kind: 'sw', addr: sym(syms, 'child_work'), len: 1 });
    await s.cont(stop);
    t.deepEqual(await runToExit(s, pid), { code: 16 });
    t.false(s.events.some((e) => e.type === 'stop'));
  },
);

capTest(
  ['launch', 'execEvents'],
  'exec: reported with the former tid; memory is the new image',
  async (t) => {
    const s = await Session.open(t);
    const path = await fixture('forks');
    const { pid, stop, ref } = await s.launch(path, ['exec']);
    await s.engine.setOptions(pid, { events: { exec: true } });
    await s.cont(stop);
    const x = await s.nextStop();
    t.is(x.reason, 'exec');
    t.is(x.thread.handle, ref.handle);
    t.is(Number(x.data[0]), pid);
    const code = await s.engine.readMemory(pid, x.pc, 4);
    t.is(code.length, 4);
    await s.cont(x);
    t.deepEqual((await s.nextExit(pid)).exit, { code: 9 });
  },
);

capTest(
  ['launch', 'execEvents'],
  'exec from a non-leader thread: the execing thread takes the leader tid',
  async (t) => {
    const s = await Session.open(t);
    const { pid, stop } = await s.launch(await fixture('forks'), ['texec']);
    await s.engine.setOptions(pid, { events: { exec: true, clone: true } });
    await s.cont(stop);
    const clone = await s.nextStop((e) => e.reason === 'clone');
    const worker = await s.nextStop((e) => e.reason === 'new-thread');
    t.is(worker.thread.handle, clone.data[0]);
    const workerTid = worker.thread.tid;
    await s.cont(clone);
    await s.cont(worker);
    const x: StopEvent = await s.nextStop((e) => e.reason === 'exec');
    t.is(Number(x.data[0]), workerTid, 'former tid');
    t.is(x.thread.tid, pid);
    t.is(x.thread.handle, worker.thread.handle, 'the execing thread keeps its handle');
    const list = await s.engine.listThreads(pid);
    t.deepEqual(
      list.map((th) => [th.tid, th.handle]),
      [[pid, worker.thread.handle]],
    );
    t.is((await s.engine.readMemory(pid, x.pc, 1)).length, 1);
    await s.cont(x);
    t.deepEqual((await s.nextExit(pid)).exit, { code: 11 });
  },
);

capTest(
  ['launch', 'exitStopLive'],
  'exit stop: live, with the wait status, memory still readable',
  async (t) => {
    const s = await Session.open(t);
    const path = await fixture('forks');
    const syms = await symbols(path);
    const { pid, stop } = await s.launch(path, ['exit', '17']);
    await s.engine.setOptions(pid, { events: { exit: true } });
    await s.cont(stop);
    const x = await s.nextStop();
    t.is(x.reason, 'exit');
    t.is(Number(x.data[0]), 17 << 8);
    const mem = await s.engine.readMemory(pid, sym(syms, 'main'), 4);
    t.is(mem.length, 4);
    await s.cont(x);
    t.deepEqual((await s.nextExit(pid)).exit, { code: 17 });
    t.true(processGone(pid));
  },
);

capTest(
  ['launch', 'syscallEntryStop', 'syscallExitStop', 'syscallFilter'],
  'syscall stops: entry and exit of the selected syscall only',
  async (t) => {
    const s = await Session.open(t);
    const path = await fixture('spin');
    const syms = await symbols(path);
    const { pid, stop } = await s.launch(path);
    await s.engine.setOptions(pid, {
      events: { syscallEntry: true, syscallExit: true },
      syscalls: [Number(SYS_GETPPID)],
    });
    await s.cont(stop);
    const entry = await s.nextStop();
    t.is(entry.reason, 'syscall-entry');
    t.is(entry.data[0], SYS_GETPPID);
    await s.cont(entry);
    const exit = await s.nextStop();
    t.is(exit.reason, 'syscall-exit');
    t.is(exit.data[0], SYS_GETPPID);
    // The return value is the parent pid, whoever the provider made the parent.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    t.is(Number(exit.data[1]), ppid);
    await s.engine.setOptions(pid, {});
    await s.writeU32(pid, sym(syms, 'stop_flag'), 1);
    await s.cont(exit);
    t.deepEqual((await s.nextExit(pid)).exit, { code: 7 });
  },
);

capTest(
  ['launch', 'syscallEntryStop'],
  "resume mode 'syscall' stops at the next syscall",
  async (t) => {
    const s = await Session.open(t);
    const { pid, stop } = await s.launch(await fixture('forks'), ['exit', '3']);
    await s.engine.resume({ handle: stop.thread.handle, stopId: stop.stopId, mode: 'syscall' });
    const first = await s.nextStop();
    t.true(first.reason === 'syscall-exit' || first.reason === 'syscall-entry');
    let e = first;
    let n = 0;
    while (e.reason !== 'syscall-entry' || e.data[0] !== 231n) {
      // until exit_group(3)
      await s.engine.resume({ handle: e.thread.handle, stopId: e.stopId, mode: 'syscall' });
      e = await s.nextStop();
      n++;
    }
    t.is(e.data[1], 3n);
    t.true(n > 2);
    await s.cont(e);
    t.deepEqual((await s.nextExit(pid)).exit, { code: 3 });
  },
);
