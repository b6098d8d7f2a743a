// Thread ids (GDB manual, "Packets", thread-id syntax): a hex tid, `-1` for all threads, `0` for
// any thread; with the multiprocess extension `p<pid>.<tid>` where either part may be `-1`/`0`,
// and `p<pid>` alone means every thread of that process.
import { errResult, okResult, type Result } from '../errors.js';

export type ThreadIdPart = number | 'all' | 'any';

export interface ThreadId {
  /** Absent when the id came without the multiprocess `p` prefix. */
  pid?: ThreadIdPart;
  tid: ThreadIdPart;
}

export interface ThreadIdFormat {
  /** Whether the client negotiated `multiprocess+` (then ids are `p<pid>.<tid>`). */
  multiprocess: boolean;
}

const HEX_RE = /^[0-9a-fA-F]+$/;

function parsePart(text: string): Result<ThreadIdPart> {
  if (text === '-1') return okResult('all');
  if (!HEX_RE.test(text)) return errResult(`bad thread id component "${text}"`);
  if (text.length > 13) return errResult(`thread id component "${text}" is too large`);
  const n = Number.parseInt(text, 16);
  return okResult(n === 0 ? 'any' : n);
}

export function parseThreadId(text: string): Result<ThreadId> {
  if (text.startsWith('p')) {
    const dot = text.indexOf('.');
    const pid = parsePart(dot < 0 ? text.slice(1) : text.slice(1, dot));
    if (!pid.ok) return pid;
    if (dot < 0) return okResult({ pid: pid.value, tid: 'all' });
    const tid = parsePart(text.slice(dot + 1));
    if (!tid.ok) return tid;
    return okResult({ pid: pid.value, tid: tid.value });
  }
  const tid = parsePart(text);
  if (!tid.ok) return tid;
  return okResult({ tid: tid.value });
}

function formatPart(part: ThreadIdPart): string {
  if (part === 'all') return '-1';
  if (part === 'any') return '0';
  return part.toString(16);
}

/**
 * Formats an id for the wire. Without multiprocess the pid is dropped. With multiprocess an id
 * that has no pid is still written in the plain form, which gdb reads as a thread of the current
 * process; callers should supply the pid once multiprocess was negotiated.
 */
export function formatThreadId(id: ThreadId, opts: ThreadIdFormat): string {
  if (!opts.multiprocess || id.pid === undefined) return formatPart(id.tid);
  return `p${formatPart(id.pid)}.${formatPart(id.tid)}`;
}

export function threadIdEquals(a: ThreadId, b: ThreadId): boolean {
  return a.pid === b.pid && a.tid === b.tid;
}
