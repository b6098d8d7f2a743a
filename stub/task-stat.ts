// A thread's name and last core from /proc/PID/task/TID/stat. Synchronous on purpose: a /proc
// read takes microseconds, a trip through libuv's thread pool costs milliseconds under load, and
// gdb asks for every thread at every stop.
import { closeSync, openSync, readSync } from 'node:fs';
import type { ThreadDetails } from './target.js';

// A stat line is about 52 numbers and a 16-byte name: well under this.
const buf = Buffer.alloc(4096);

/** Parses a stat line; exported for the tests. */
export function parseTaskStat(line: string): ThreadDetails {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')'); // the name itself may hold ')' and spaces
  if (open < 0 || close < open) return {};
  const details: ThreadDetails = { name: line.slice(open + 1, close) };
  // Field 39 (processor): 36 fields after the state, field 3, which follows the name.
  let at = close + 2;
  for (let i = 0; i < 36 && at > 0; i++) at = line.indexOf(' ', at) + 1;
  if (at > 0) {
    const end = line.indexOf(' ', at);
    const field = line.slice(at, end < 0 ? line.length : end);
    const core = Number(field);
    if (field.length > 0 && Number.isInteger(core)) details.core = core;
  }
  return details;
}

function readAt0(fd: number): ThreadDetails {
  const n = readSync(fd, buf, 0, buf.length, 0);
  return parseTaskStat(buf.toString('utf8', 0, n));
}

/** One look: open, read, close. */
export function taskStat(pid: number, tid: number): ThreadDetails {
  let fd: number;
  try {
    fd = openSync(`/proc/${pid}/task/${tid}/stat`, 'r');
  } catch {
    return {}; // the thread is gone: nothing to say about it
  }
  try {
    return readAt0(fd);
  } catch {
    return {};
  } finally {
    closeSync(fd);
  }
}

/** Threads whose stat file stays open (a process with more opens and closes the rest). */
const KEPT = 16;

/**
 * The stat files of a process's threads, kept open: a read at offset 0 makes /proc generate
 * the line anew, so each stop's thread list costs one pread per thread instead of an open, a
 * read and a close. A file whose thread is gone fails its read (ESRCH) and is dropped.
 */
export class TaskStats {
  private readonly fds = new Map<number, number>();

  read(pid: number, tid: number): ThreadDetails {
    const kept = this.fds.get(tid);
    if (kept !== undefined) {
      try {
        return readAt0(kept);
      } catch {
        // gone, or a new thread with its tid since: look again below
        this.fds.delete(tid);
        closeSync(kept);
      }
    }
    if (this.fds.size >= KEPT) return taskStat(pid, tid);
    let fd: number;
    try {
      fd = openSync(`/proc/${pid}/task/${tid}/stat`, 'r');
    } catch {
      return {};
    }
    try {
      const d = readAt0(fd);
      this.fds.set(tid, fd);
      return d;
    } catch {
      closeSync(fd);
      return {};
    }
  }

  close(): void {
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
  }
}
