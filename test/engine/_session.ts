// Shared helpers of the engine conformance suite. Everything goes through openEngine(), so the
// suite runs unchanged against whichever provider NTRACE_BACKEND selects.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import test, { type ExecutionContext, type ImplementationFn } from 'ava';
import { GprOffset } from '../../native/constants.js';
import {
  type Caps,
  type Engine,
  type EngineEvent,
  type NtraceEngine,
  openEngine,
  type StopEvent,
} from '../../native/index.js';
import { compileFixture } from '../helpers/compile.js';
import { hardwareDebugWorks, NO_HW_DEBUG } from '../helpers/hw-debug.js';

const run = promisify(execFile);

/** Upper bound for one wait: a guard against hangs, never a condition of success. */
const WAIT_GUARD_MS = 30_000;
/** For the thread storms' start: hundreds of busy threads created on 2 cores under load. */
export const STORM_GUARD_MS = 90_000;

// The provider's capabilities, probed once per test file, decide which tests run.
const probe = await openEngine();
export const caps: Caps = probe.info.caps;
export const backend = probe.info.backend;
export const hello = probe.info;
await probe.close();
/** Debug registers that some VMs accept and never trigger: hw tests need them to work here. */
const hwDebug = await hardwareDebugWorks();

/** Declares a test that needs every listed capability; skipped, saying which, without them. */
/**
 * `serial`: the test runs alone in its file. For the thread storms (hundreds of busy threads):
 * the userspace engine traces from the thread that opened it, so two storms of one file share
 * one JavaScript thread with each other's busy tracees; on 2 cores that halves each one's
 * thread creation rate, which their 30 s guards do not allow for under load.
 */
export function capTest(
  need: (keyof Caps)[],
  title: string,
  fn: ImplementationFn<[]>,
  serial = false,
): void {
  const missing = need.filter((c) => !caps[c]);
  const machine = need.some((c) => c === 'hwWatch' || c === 'hwBreak') && !hwDebug;
  if (missing.length === 0 && !machine) (serial ? test.serial : test)(title, fn);
  // Skipped only when the provider says (HELLO capabilities) it cannot do what the test needs,
  // e.g. syscall stops on the kernel module; the title names the missing capabilities.
  else if (missing.length > 0)
    // The provider lacks a capability the test needs (named in the title).
    test.skip(`${title} [skipped: ${backend} provider lacks ${missing.join(', ')}]`, fn);
  // Or when the machine itself cannot (debug registers that never trigger, as on some VMs).
  else test.skip(`${title} [skipped: ${NO_HW_DEBUG}]`, fn);
}

/**
 * capTest for a behaviour one provider does not have yet and has no capability bit for: on that
 * provider the test is skipped with the reason, which that provider's README lists too.
 */
export function capTestExcept(
  gap: { backend: string; why: string },
  need: (keyof Caps)[],
  title: string,
  fn: ImplementationFn<[]>,
): void {
  // Skipped on the provider named in `gap` only, with its reason in the title.
  if (backend === gap.backend) test.skip(`${title} [skipped: ${gap.why}]`, fn);
  else capTest(need, title, fn);
}

export async function fixture(name: string): Promise<string> {
  return compileFixture(`${name}.c`, { flags: ['-no-pie', '-pthread'], output: `${name}-nopie` });
}

const symCache = new Map<string, Map<string, bigint>>();

/** Symbol addresses of a non-PIE fixture, from nm. */
export async function symbols(path: string): Promise<Map<string, bigint>> {
  let m = symCache.get(path);
  if (m === undefined) {
    const { stdout } = await run('nm', ['-S', path]);
    m = new Map();
    for (const line of stdout.split('\n')) {
      const f = line.trim().split(/\s+/);
      if (f.length >= 3) m.set(f[f.length - 1]!, BigInt(`0x${f[0]}`));
    }
    symCache.set(path, m);
  }
  return m;
}

/** Symbol sizes (nm -S second column). */
export async function symbolSize(path: string, name: string): Promise<bigint> {
  const { stdout } = await run('nm', ['-S', path]);
  for (const line of stdout.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length === 4 && f[3] === name) return BigInt(`0x${f[1]}`);
  }
  throw new Error(`no size for ${name}`);
}

export function sym(map: Map<string, bigint>, name: string): bigint {
  const v = map.get(name);
  if (v === undefined) throw new Error(`no symbol ${name}`);
  return v;
}

/** An engine plus an event queue that tests read in order. */
export class Session {
  readonly events: EngineEvent[] = [];
  #waiters: (() => void)[] = [];
  #pids = new Set<number>();

  private constructor(readonly engine: Engine & NtraceEngine) {
    engine.on('event', (ev) => {
      this.events.push(ev);
      const w = this.#waiters;
      this.#waiters = [];
      for (const f of w) f();
    });
  }

  static async open(t: ExecutionContext): Promise<Session> {
    const s = new Session(await openEngine());
    t.teardown(() => s.close());
    return s;
  }

  get info() {
    return this.engine.info;
  }

  async launch(path: string, argv: string[] = [], env: string[] = []) {
    const ref = await this.engine.launch({ path, argv: [path, ...argv], env });
    this.#pids.add(ref.tgid);
    const stop = await this.nextStop((s) => s.thread.tgid === ref.tgid);
    return { ref, stop, pid: ref.tgid };
  }

  /** Removes and returns the first queued event matching pred, waiting for one if needed. */
  async next<E extends EngineEvent = EngineEvent>(
    pred: (ev: EngineEvent) => boolean = () => true,
    what = 'event',
  ): Promise<E> {
    const deadline = Date.now() + WAIT_GUARD_MS;
    for (;;) {
      const i = this.events.findIndex(pred);
      if (i >= 0) return this.events.splice(i, 1)[0] as E;
      if (Date.now() > deadline) throw new Error(`no ${what} arrived (queue: ${this.describe()})`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, WAIT_GUARD_MS);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  nextStop(pred: (s: StopEvent) => boolean = () => true): Promise<StopEvent> {
    return this.next<StopEvent>((e) => e.type === 'stop' && pred(e), 'stop');
  }

  nextExit(pid: number) {
    return this.next<Extract<EngineEvent, { type: 'process-exit' }>>(
      (e) => e.type === 'process-exit' && e.pid === pid,
      `exit of ${pid}`,
    );
  }

  describe(): string {
    return this.events
      .map((e) => (e.type === 'stop' ? `stop:${e.reason}@${e.thread.tid}` : e.type))
      .join(',');
  }

  cont(s: StopEvent, signal?: number | 'pass') {
    return this.engine.resume({ handle: s.thread.handle, stopId: s.stopId, mode: 'cont', signal });
  }

  async readU64(pid: number, addr: bigint): Promise<bigint> {
    return (await this.engine.readMemory(pid, addr, 8)).readBigUInt64LE(0);
  }

  async writeU32(pid: number, addr: bigint, v: number): Promise<void> {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    await this.engine.writeMemory(pid, addr, b);
  }

  async close(): Promise<void> {
    await this.engine.close();
  }
}

/**
 * Reads the stops of process pid until it exits, asserting that it exits with `code`. onStop
 * checks each stop and resumes it (passing signals where it should): this resumes nothing.
 */
export async function runToExit(
  t: ExecutionContext,
  s: Session,
  pid: number,
  code: number,
  onStop: (ev: StopEvent) => Promise<void>,
): Promise<void> {
  for (;;) {
    const ev = await s.next(
      (e) =>
        (e.type === 'stop' && e.thread.tgid === pid) ||
        (e.type === 'process-exit' && e.pid === pid),
    );
    if (ev.type === 'process-exit') {
      t.deepEqual(ev.exit, { code });
      return;
    }
    if (ev.type !== 'stop') continue;
    await onStop(ev);
  }
}

export function gpr(regs: Buffer, name: keyof typeof GprOffset): bigint {
  return regs.readBigUInt64LE(GprOffset[name]);
}

/** The state letter of /proc/<tid>/stat, or undefined when the task is gone. */
export function taskState(pid: number, tid = pid): string | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2, s.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}

/**
 * Held by the provider: a ptrace stop ('t', the userspace engine) or a parked task ('D', the
 * kernel module parks stopped threads killably). The fixtures never sleep in D or stop in T
 * on their own while these checks run.
 */
export function isHeld(pid: number, tid = pid): boolean {
  const s = taskState(pid, tid);
  return s === 't' || s === 'D';
}

export function processGone(pid: number): boolean {
  const s = taskState(pid);
  return s === undefined || s === 'Z' || s === 'X';
}

/** Polls a condition that depends on another process (no fixed sleeps). */
export async function until(
  cond: () => boolean,
  what: string,
  guardMs = WAIT_GUARD_MS,
): Promise<void> {
  const deadline = Date.now() + guardMs;
  // Backs off from 2 ms to 32 ms: a condition that reads /proc (a task list of hundreds) every
  // 2 ms costs the JavaScript thread, which is also the userspace engine's tracer, a share of
  // the CPU that the tracees it waits for are competing for.
  for (let pause = 2; !cond(); pause = Math.min(pause * 2, 32)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pause));
  }
}

/** Starts a process that is NOT our child (so node's own waitpid never sees it): sh forks it
 * in the background and exits, and it is reparented away from us. */
export async function spawnDetached(path: string, args: string[]): Promise<number> {
  const quoted = [path, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const { stdout } = await run('/bin/sh', ['-c', `${quoted} </dev/null >/dev/null 2>&1 & echo $!`]);
  return Number(stdout.trim());
}
