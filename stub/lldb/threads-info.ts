// LLDB's thread reporting: jThreadsInfo (JSON for every thread), the LLDB keys of a `T` stop
// reply (name, threads, thread-pcs, reason, description: rsp's formatStopReply writes them from
// the LldbStopInfo built here) and the per-thread stop for qThreadStopInfo. Formats follow
// lldb-server (GDBRemoteCommunicationServerLLGS GetJSONThreadsInfo,
// PrepareStopReplyPacketForThread).
import type { LldbStopInfo } from '../../rsp/replies/stop.js';
import type { Ptid, StopCause, TargetStop } from '../target.js';
import { type Json, llvmJson, textToHex } from '../../rsp/index.js';

/** lldb-server's stop reason names (GetStopReasonString). */
export type LldbReason = 'breakpoint' | 'trace' | 'watchpoint' | 'signal' | 'exec';

/** What LLDB is told about why `stop` happened; undefined when the thread did not stop for a reason. */
export function lldbReason(signal: number, cause: StopCause): LldbReason | undefined {
  switch (cause.type) {
    case 'sw-break':
    case 'hw-break':
      return 'breakpoint';
    case 'watch':
      return 'watchpoint';
    case 'step':
      return 'trace';
    case 'exec':
      return 'exec';
    case 'interrupt':
    case 'signal':
    case 'syscall-entry':
    case 'syscall-return':
      return signal === 0 ? undefined : 'signal';
  }
}

/**
 * lldb-server's `description` for a watchpoint is "<addr> <index>" in decimal; LLDB finds the
 * watchpoint by the address and the index is optional, so the address alone is sent.
 */
export function lldbDescription(cause: StopCause): string | undefined {
  return cause.type === 'watch' ? cause.addr.toString(10) : undefined;
}

/** One thread as jThreadsInfo and qThreadStopInfo see it. */
export interface ThreadFacts {
  thread: Ptid;
  name?: string;
  /** Host signal the thread stopped with; 0 for a thread that was merely stopped with the rest. */
  signal: number;
  cause?: StopCause;
  /**
   * Expedited registers: register number to raw bytes (target order). lldb-server sends pc, fp
   * and sp (its minimal set); they are rip 16, rbp 6, rsp 7 in GDB's amd64 numbering too.
   */
  registers?: ReadonlyMap<number, Uint8Array>;
}

/**
 * The facts of `thread` at `stop`: the thread that reported the stop gets its signal and cause,
 * the others signal 0 (lldb-server's `T00` for threads without a stop reason).
 */
export function threadStopFacts(
  stop: TargetStop | undefined,
  thread: Ptid,
  extra: { name?: string; registers?: ReadonlyMap<number, Uint8Array> } = {},
): ThreadFacts {
  const own = stop?.kind === 'stopped' && stop.thread.tid === thread.tid;
  return {
    thread,
    signal: own ? stop.signal : 0,
    ...(own ? { cause: stop.cause } : {}),
    ...(extra.name !== undefined && extra.name !== '' ? { name: extra.name } : {}),
    ...(extra.registers ? { registers: extra.registers } : {}),
  };
}

function threadJson(t: ThreadFacts, withRegisters: boolean): { [key: string]: Json } {
  const obj: { [key: string]: Json } = { tid: t.thread.tid };
  if (withRegisters && t.registers && t.registers.size > 0) {
    const regs: { [key: string]: Json } = {};
    for (const [n, v] of t.registers) regs[String(n)] = Buffer.from(v).toString('hex');
    obj.registers = regs;
  }
  if (t.signal !== 0) obj.signal = t.signal;
  if (t.name !== undefined) obj.name = t.name;
  const reason = t.cause ? lldbReason(t.signal, t.cause) : undefined;
  if (reason) obj.reason = reason;
  const description = t.cause ? lldbDescription(t.cause) : undefined;
  if (description !== undefined) obj.description = description;
  return obj;
}

/** The jThreadsInfo reply: a JSON array, one object per thread (the encoder escapes `}`). */
export function threadsInfoReply(threads: readonly ThreadFacts[]): string {
  return llvmJson(threads.map((t) => threadJson(t, true)));
}

/**
 * lldb-server's `jstopinfo` (abridged jThreadsInfo without registers, hex-encoded), sent in
 * stop replies when the process has more than one thread. For the lead if rsp gains the key.
 */
export function jstopinfo(threads: readonly ThreadFacts[]): string {
  return textToHex(llvmJson(threads.map((t) => threadJson(t, false))));
}

/**
 * The LLDB keys for a `T` reply about `facts`: name, reason, description, plus `threads` and
 * `thread-pcs` once the client sent QListThreadsInStopReply (pass `all` then).
 */
export function lldbStopInfo(
  facts: ThreadFacts,
  all?: { threads: readonly Ptid[]; pcs: readonly bigint[] },
): LldbStopInfo {
  const info: LldbStopInfo = {};
  if (facts.name !== undefined) info.name = facts.name;
  if (all) {
    info.threads = all.threads.map((t) => ({ pid: t.pid, tid: t.tid }));
    info.threadPcs = all.pcs;
  }
  const reason = facts.cause ? lldbReason(facts.signal, facts.cause) : undefined;
  if (reason) info.reason = reason;
  const description = facts.cause ? lldbDescription(facts.cause) : undefined;
  if (description !== undefined) info.description = description;
  return info;
}
