// A process's life under the engine: launch or attach, the wait for every thread's first stop,
// a wrapper run to its exec of the program, kill and detach.
import type { Engine, EngineEvent, StopEvent, ThreadInfo, ThreadRef } from '../../native/types.js';
import { TargetError } from '../target.js';
import { checkAllStopped } from './all-stop.js';
import { call, StartupExit } from './errors.js';
import { handleEvent } from './events.js';
import type { EngineProcess, Phase } from './process.js';

export interface LaunchSpec {
  path: string;
  argv: string[];
  env: string[];
  cwd?: string;
  /**
   * Execs to let happen before the program counts as started: 1 when `path` is a wrapper (a
   * shell redirecting stdio, `--wrapper env ...`) that execs the real program.
   */
  execs?: number;
  /** Start without address-space randomisation (gdbserver's default). */
  disableAslr?: boolean;
}

/** Runs `start` while keeping the engine's events, which may come before it resolves. */
async function withEarlyEvents<T>(
  engine: Engine,
  start: () => Promise<T>,
): Promise<{ value: T; early: EngineEvent[] }> {
  const early: EngineEvent[] = [];
  const grab = (ev: EngineEvent) => early.push(ev);
  engine.on('event', grab);
  try {
    return { value: await call(start()), early };
  } finally {
    engine.off('event', grab);
  }
}

/** Starts `spec`; the caller makes the process's target, then settles it. */
export function launchProcess(
  engine: Engine,
  spec: LaunchSpec,
): Promise<{ value: ThreadRef; early: EngineEvent[] }> {
  return withEarlyEvents(engine, () =>
    engine.launch({
      path: spec.path,
      argv: spec.argv,
      env: spec.env,
      ...(spec.cwd ? { cwd: spec.cwd } : {}),
      disableAslr: spec.disableAslr ?? true,
      // As gdbserver's child (linux_ptrace_fun), it leads a process group of its own, which
      // takes the foreground of the server's terminal (native ExecChild).
      newProcessGroup: true,
    }),
  );
}

/** Attaches to `pid`, stopping all its threads; the caller makes the target, then settles it. */
export function attachProcess(
  engine: Engine,
  pid: number,
): Promise<{ value: ThreadInfo[]; early: EngineEvent[] }> {
  return withEarlyEvents(engine, () => engine.attach(pid, { stop: true }));
}

/** Waits until every thread has its first stop (launch, attach, adoption), then sets options. */
export async function settle(
  p: EngineProcess,
  early: EngineEvent[],
  onGone: () => void,
): Promise<void> {
  p.phase = { kind: 'running' };
  await new Promise<void>((resolve) => {
    p.initialStop = resolve;
    for (const ev of early) handleEvent(p, ev);
    checkAllStopped(p);
  });
  // handleEvent may have moved the phase on meanwhile.
  if ((p.phase as Phase).kind === 'gone') {
    onGone();
    throw new TargetError(`process ${p.pid} exited before its first stop`, 3, false, 'ESRCH');
  }
  p.phase = { kind: 'stopped' };
  await p.applyOptions();
}

/**
 * Lets a wrapper run until it has exec'd `count` times; signals it gets are delivered. The
 * exec stop is the real program's first instruction, like a launch stop.
 */
export async function runToExec(p: EngineProcess, count: number): Promise<void> {
  p.options.wantExec = true;
  await p.applyOptions();
  let left = count;
  let signal = 0;
  while (left > 0) {
    const next = new Promise<StopEvent | undefined>((resolve) => {
      p.execWaiter = resolve;
    });
    for (const r of p.threadsByTid.values()) {
      if (!r.running) p.resumeQuietly(r, signal);
    }
    const ev = await next;
    if (!ev) throw new StartupExit(p.startupEnd);
    if (ev.reason === 'exec') left--;
    signal = ev.reason === 'signal' ? ev.signo : 0;
  }
  p.options.wantExec = false;
  await p.applyOptions();
}

export async function killProcess(p: EngineProcess): Promise<void> {
  await p.forks.release(p.engine, true);
  if (p.phase.kind === 'gone') return;
  const gone = p.whenGone();
  const prev = p.listener;
  // The exit that follows a kill is ours, not news for GDB.
  p.listener = () => {};
  try {
    await call(p.engine.kill(p.pid));
  } catch (err) {
    if (!(err instanceof TargetError && err.errno === 3)) {
      p.listener = prev;
      throw err;
    }
    return;
  }
  if (p.options.nonStop) {
    // DEVNOTE: the ptrace engine, with every thread in a stop it reported, waits on the pidfd
    // only, and the SIGKILLed threads' exit stops never wake it: run them into the SIGKILL.
    for (const r of p.threadsByTid.values()) if (!r.running) p.resumeQuietly(r);
  }
  await gone;
}

export async function detachProcess(p: EngineProcess): Promise<void> {
  await p.forks.release(p.engine, false);
  if (p.phase.kind === 'gone') return;
  p.listener = () => {};
  for (const addr of p.swBreaks) {
    await p.engine.clearBreakpoint({ pid: p.pid, kind: 'sw', addr, len: 1 }).catch(() => {});
  }
  p.swBreaks.clear();
  try {
    await call(p.engine.detach(p.pid));
  } catch (err) {
    // Killed from outside while stopped, before its death was seen: nothing is left to let
    // go of, and the detach stands (gdbserver's detach_one_lwp takes ESRCH as done).
    if (!(err instanceof TargetError && err.code === 'ESRCH')) throw err;
  }
  p.phase = { kind: 'gone' };
}
