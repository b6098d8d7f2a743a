// LAUNCH composed in the binding for providers without NTRACE_CAP_LAUNCH (the kernel module
// cannot fork the debugger's child): the addon forks a child held before exec, the engine
// ATTACHes it with STOP_AT_EXEC | KILL_ON_CLOSE, then releases it; its exec stops with reason
// 'launch' as a LAUNCH would. See native/README.md, "Launch without CAP_LAUNCH".
import { type HeldChildExit, loadAddon, type NativeHeldChild } from './addon.js';
import { errnoName, errnoNumber } from './errno.js';
import { EngineError, type EngineEvent, type LaunchOptions, type ThreadRef } from './types.js';

/** The process an event is about, if any. */
export function eventPid(ev: EngineEvent): number | undefined {
  switch (ev.type) {
    case 'stop':
    case 'thread-new':
    case 'thread-exit':
      return ev.thread.tgid;
    case 'process-exit':
    case 'detached':
      return ev.pid;
    default:
      return undefined;
  }
}

function launchError(code: string): EngineError {
  return new EngineError(code, errnoNumber(code) ?? 0, 'LAUNCH');
}

/** Forks the held child; throws an EngineError (EAGAIN, EMFILE, ...) when it cannot. */
export function spawnHeld(opts: LaunchOptions, flags: number, onExit: HeldChildExit) {
  try {
    return new (loadAddon().HeldChild)(
      opts.path,
      opts.cwd ?? '',
      opts.argv,
      opts.env,
      flags,
      onExit,
    );
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string') throw launchError(code);
    throw err;
  }
}

/**
 * One launch in flight. Events of its pid pass through route() first: they are held until the
 * exec's STOP/launch (then released in order, after launch() resolves), and dropped when the
 * launch failed, up to the process's exit, since the caller never learnt that pid.
 */
export class ComposedLaunch {
  readonly outcome: Promise<ThreadRef>;
  #child: NativeHeldChild;
  #held: EngineEvent[] = [];
  #state: 'pending' | 'failed' | 'done' = 'pending';
  #attached = false;
  #resolve!: (ref: ThreadRef) => void;
  #reject!: (err: EngineError) => void;
  #onDone: () => void;

  /** onDone: route() will never hold or drop another event (the engine forgets this launch). */
  constructor(opts: LaunchOptions, flags: number, onDone: () => void) {
    this.#onDone = onDone;
    this.outcome = new Promise<ThreadRef>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.#child = spawnHeld(opts, flags, (execErrno) =>
      this.fail(launchError(execErrno !== 0 ? errnoName(execErrno) : 'ECHILD')),
    );
  }

  get pid(): number {
    return this.#child.pid;
  }

  /** After ATTACH: lets the child exec. */
  release(): void {
    this.#attached = true;
    try {
      this.#child.release();
    } catch (err) {
      this.fail(launchError((err as { code?: string }).code ?? 'EIO'));
    }
  }

  /**
   * Rejects launch() (unless it already settled) and kills the child. Without an ATTACH the
   * provider reports nothing of it; otherwise its events are dropped up to its exit.
   */
  fail(err: EngineError): void {
    if (this.#state !== 'pending') return;
    this.#child.kill();
    this.#reject(err);
    const gone =
      !this.#attached || this.#held.some((e) => e.type === 'process-exit' || e.type === 'detached');
    this.#held = [];
    this.#state = gone ? 'done' : 'failed';
    if (gone) this.#onDone();
  }

  /** Stops dropping events of the pid (the caller attaches a process that reused it). */
  forget(): void {
    if (this.#state === 'pending') return;
    this.#state = 'done';
    this.#onDone();
  }

  /** The events to deliver now in place of ev (none while held or dropped). */
  route(ev: EngineEvent): EngineEvent[] {
    if (this.#state === 'done') return [ev];
    if (this.#state === 'failed') {
      if (ev.type === 'process-exit' || ev.type === 'detached') {
        this.#state = 'done';
        this.#onDone();
      }
      return [];
    }
    if (ev.type !== 'stop' || ev.reason !== 'launch') {
      this.#held.push(ev);
      return [];
    }
    this.#state = 'done';
    this.#onDone();
    this.#resolve({ ...ev.thread });
    const out = [...this.#held, ev];
    this.#held = [];
    return out;
  }
}
