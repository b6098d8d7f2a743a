// Loads the compiled addon (build/Release/ntrace.node) and types what it exports.
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The addon's Channel: a session with either provider. The device's fd is read on readability
 * (uv_poll); the userspace engine runs on this thread and hears from its tracees by SIGCHLD.
 */
export interface NativeChannel {
  /**
   * onData gets whole records (one or more per call) that arrive later than the write that
   * caused them; onEnd gets an errno name or null at EOF.
   */
  start(onData: (records: Buffer) => void, onEnd: (code: string | null) => void): void;
  /**
   * One or more whole command records, run before this returns (held back only while reading
   * is paused with a large backlog). Returns the records readable at once, in order: the
   * replies, and the events known by then. Throws an Error with `code` on failure.
   */
  write(records: Buffer): Buffer | undefined;
  /** Idempotent. For the userspace engine: tears the session down (synchronously). */
  close(): void;
  /** The device's fd; -1 for the userspace engine. */
  fd(): number;
  /** false: stop reading (records wait in the fd); true: read again. */
  setReading(on: boolean): void;
  /**
   * The userspace engine's READ_MEM without a record, as a function bound to this channel and
   * to buf (no object unwrap or buffer lookup per call): bytes into buf[0..len), their count or
   * -errno; undefined when the command's answer could differ in order (see channel.cc).
   */
  readMemFn(buf: Buffer): NativeReadMem;
  /** The userspace engines' system calls on this thread so far; undefined for a device. */
  syscallCounts(): SyscallCounts | undefined;
}

/**
 * System calls counted by the userspace engine (native/src/tracer.h, SysCounts): ptrace requests
 * by name (those made at least once), SIGCHLD's action read or written, tracee memory reads.
 */
export interface SyscallCounts {
  ptrace: Partial<Record<string, number>>;
  sigaction: number;
  memReads: number;
}

/** readMemFn's reader: (pid, address, length) into the buffer it was bound to. */
export type NativeReadMem = (pid: number, addr: number | bigint, len: number) => number | undefined;

/**
 * A forked child held before exec (composed LAUNCH, see README "Launch without CAP_LAUNCH").
 * onExit runs once, after the child is reaped: execErrno is the errno of a failed exec (or of
 * personality/setpgid/chdir), 0 otherwise; wstatus is the wait status (-1: unknown).
 */
export interface NativeHeldChild {
  readonly pid: number;
  /** Lets the child exec. Throws an Error with `code` (EPIPE, ...) when it cannot. */
  release(): void;
  /** SIGKILL, unless already reaped. */
  kill(): void;
}

export type HeldChildExit = (execErrno: number, wstatus: number) => void;

export interface NativeAddon {
  Channel: {
    new (kind: 'user'): NativeChannel;
    new (kind: 'device', path: string): NativeChannel;
  };
  HeldChild: new (
    path: string,
    cwd: string,
    argv: string[],
    env: string[],
    flags: number,
    onExit: HeldChildExit,
  ) => NativeHeldChild;
  abiVersion: number;
  device: string;
}

let cached: NativeAddon | undefined;

/** dist/native/addon.js -> <root>/build/Release/ntrace.node */
export const addonPath = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../build/Release/ntrace.node',
);

export function loadAddon(): NativeAddon {
  if (cached === undefined) {
    const require = createRequire(import.meta.url);
    cached = require(addonPath) as NativeAddon;
  }
  return cached;
}
