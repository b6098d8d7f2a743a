// A thread's name and last core from /proc/PID/task/TID/stat: one open, one read, one close.
// Synchronous on purpose: a /proc read takes microseconds, a trip through libuv's thread pool
// costs milliseconds under load, and gdb asks for every thread at every stop.
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
  // Field 39 (processor); fields are counted from the state, field 3, after the name.
  const core = Number(line.slice(close + 2).split(' ')[36]);
  if (Number.isInteger(core)) details.core = core;
  return details;
}

export function taskStat(pid: number, tid: number): ThreadDetails {
  let fd: number;
  try {
    fd = openSync(`/proc/${pid}/task/${tid}/stat`, 'r');
  } catch {
    return {}; // the thread is gone: nothing to say about it
  }
  try {
    const n = readSync(fd, buf, 0, buf.length, 0);
    return parseTaskStat(buf.toString('utf8', 0, n));
  } catch {
    return {};
  } finally {
    closeSync(fd);
  }
}
