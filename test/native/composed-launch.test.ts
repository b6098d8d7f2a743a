// LAUNCH composed in the binding (for providers without NTRACE_CAP_LAUNCH): the addon's
// HeldChild (fork held before exec, exec errors by pipe, reaping by pidfd), and the engine's
// composition (ATTACH with STOP_AT_EXEC, then release), exercised on the userspace provider.
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { loadAddon } from '../../native/addon.js';
import { LAUNCH_NEW_PGRP, LAUNCH_NO_ASLR } from '../../native/constants.js';
import { EngineError, type EngineEvent, NtraceEngine, RecordChannel } from '../../native/index.js';

/** Upper bound for one wait: a guard against hangs, never a condition of success. */
const GUARD_MS = 20_000;

interface Exit {
  execErrno: number;
  wstatus: number;
}

function held(path: string, argv: string[], env: string[] = [], cwd = '', flags = 0) {
  let done!: (e: Exit) => void;
  const exit = new Promise<Exit>((resolve) => {
    done = resolve;
  });
  const child = new (loadAddon().HeldChild)(path, cwd, argv, env, flags, (execErrno, wstatus) =>
    done({ execErrno, wstatus }),
  );
  return { child, exit };
}

async function until(what: string, cond: () => boolean): Promise<void> {
  const deadline = Date.now() + GUARD_MS;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The state letter of /proc/PID/stat (S: sleeping, Z: zombie, ...). */
function procState(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rp = stat.lastIndexOf(')');
  return stat.slice(rp + 2, rp + 3);
}

test('a held child waits before exec, then execs with argv, env and cwd', async (t) => {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'ntrace-held-')));
  const { child, exit } = held(
    '/bin/sh',
    ['sh', '-c', 'test "$X" = y || exit 1; test "$(pwd)" = "$1" || exit 2; exit 7', 'sh', dir],
    ['X=y'],
    dir,
  );
  t.true(child.pid > 0);
  // Still the forked copy of node, blocked on its pipe.
  t.is(readlinkSync(`/proc/${child.pid}/exe`), realpathSync(process.execPath));
  await until('the child to block', () => procState(child.pid) === 'S');
  child.release();
  t.deepEqual(await exit, { execErrno: 0, wstatus: 7 << 8 });
  // Reaped by the helper: no zombie left.
  t.false(existsSync(`/proc/${child.pid}`));
});

test('exec failures come back as errno with exit status 127, never a hang', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ntrace-held-'));
  const plain = join(dir, 'not-executable');
  writeFileSync(plain, '#!/bin/sh\n');
  chmodSync(plain, 0o644);
  const cases: [string, string, number][] = [
    [join(dir, 'missing'), '', 2], // ENOENT
    [plain, '', 13], // EACCES
    ['/bin/true', join(dir, 'no-such-dir'), 2], // chdir: ENOENT
  ];
  for (const [path, cwd, errno] of cases) {
    const { child, exit } = held(path, ['x'], [], cwd);
    child.release();
    t.deepEqual(await exit, { execErrno: errno, wstatus: 127 << 8 }, path);
  }
});

test('kill before release: the child dies unexec-ed and is reaped', async (t) => {
  const { child, exit } = held('/bin/true', ['true']);
  child.kill();
  // kill() sends SIGKILL and closes the hold pipe: the child dies of the signal, or, when it
  // sees the pipe close first, exits 127 without exec'ing. Both are "unexec-ed and reaped".
  const status = await exit;
  t.is(status.execErrno, 0);
  t.true(status.wstatus === 9 || status.wstatus === 127 << 8, `wstatus ${status.wstatus}`);
  t.throws(() => child.release(), { message: /ESRCH|EALREADY/ });
  t.false(existsSync(`/proc/${child.pid}`));
});

test('NO_ASLR and NEW_PGRP are applied in the child', async (t) => {
  const script =
    'read p < /proc/self/personality; test "$p" = 00040000 || exit 1; ' +
    'set -- $(cat /proc/$$/stat); test "$5" = $$ || exit 2; exit 0';
  const both = held('/bin/sh', ['sh', '-c', script], [], '', LAUNCH_NO_ASLR | LAUNCH_NEW_PGRP);
  both.child.release();
  t.deepEqual(await both.exit, { execErrno: 0, wstatus: 0 });
  const none = held('/bin/sh', ['sh', '-c', script]);
  none.child.release();
  t.is((await none.exit).wstatus, 1 << 8);
});

test('composed launch: ATTACH at exec gives the LAUNCH stop, errors reject with errno', async (t) => {
  const e = await NtraceEngine.open(RecordChannel.user(), { composeLaunch: true });
  t.teardown(() => e.close());
  t.true(e.launchComposed);
  t.true(e.info.caps.launch);
  const events: EngineEvent[] = [];
  e.on('event', (ev) => events.push(ev));

  const missing = await t.throwsAsync(e.launch({ path: '/no/such/file', argv: ['x'], env: [] }));
  t.true(missing instanceof EngineError);
  t.is((missing as EngineError).code, 'ENOENT');
  t.is((missing as EngineError).command, 'LAUNCH');

  const ref = await e.launch({ path: '/bin/sh', argv: ['sh', '-c', 'exit 5'], env: [] });
  t.is(ref.tid, ref.tgid);
  t.is(readlinkSync(`/proc/${ref.tgid}/exe`), realpathSync('/bin/sh'));
  // The failed launch left no events behind: the first one is this launch's stop.
  t.is(events.length, 1);
  const stop = events[0];
  t.is(stop?.type, 'stop');
  if (stop?.type !== 'stop') return;
  t.is(stop.reason, 'launch');
  t.deepEqual(stop.thread, ref);
  await e.resume({ handle: ref.handle, stopId: stop.stopId, mode: 'cont' });
  await until('the exit', () => events.some((ev) => ev.type === 'process-exit'));
  const exit = events.find((ev) => ev.type === 'process-exit');
  t.deepEqual(exit?.type === 'process-exit' ? exit.exit : undefined, { code: 5 });
  await until('the reap', () => !existsSync(`/proc/${ref.tgid}`));
});

test('closing the session kills a composed-launched process', async (t) => {
  const e = await NtraceEngine.open(RecordChannel.user(), { composeLaunch: true });
  const ref = await e.launch({ path: '/bin/sleep', argv: ['sleep', '1000'], env: [] });
  t.true(existsSync(`/proc/${ref.tgid}`));
  await e.close();
  await until('the kill and reap', () => !existsSync(`/proc/${ref.tgid}`));
  t.false(existsSync(`/proc/${ref.tgid}`));
});
