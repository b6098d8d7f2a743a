// THE stop-reply formatter (GDB manual, "Stop Reply Packets"; LLDB additions from
// lldbgdbremote.md, "Stop reply packet extensions"). Every `S`, `T`, `W`, `X`, `w` and `N`
// reply, in all-stop replies, `?` answers and `%Stop` notifications, goes through
// formatStopReply.
import { bigintToHex, byteToHex, textToHex } from '../common/hex.js';
import { formatThreadId, type ThreadId, type ThreadIdFormat } from '../common/thread-id.js';

/** The stop reason of a `T` reply; at most one per stop. */
export type StopEvent =
  /** Watchpoint hit at `addr` (the data address, not the PC). */
  | { kind: 'watch' | 'rwatch' | 'awatch'; addr: bigint }
  /** Software or hardware breakpoint; only if the client sent swbreak+ / hwbreak+. */
  | { kind: 'swbreak' | 'hwbreak' }
  /** The list of loaded libraries changed (gdb then re-reads qXfer:libraries(-svr4)). */
  | { kind: 'library' }
  /** Replay reached the start or end of its log. */
  | { kind: 'replaylog'; at: 'begin' | 'end' }
  /** fork/vfork: the child process's id (always written `p<pid>.<tid>`). */
  | { kind: 'fork' | 'vfork'; child: ThreadId }
  /** clone (QThreadOptions): the new thread's id. */
  | { kind: 'clone'; child: ThreadId }
  | { kind: 'vforkdone' }
  /** exec: the new program's absolute path (sent hex-encoded). */
  | { kind: 'exec'; path: string }
  /** A thread was created (QThreadEvents). */
  | { kind: 'create' }
  | { kind: 'syscall_entry' | 'syscall_return'; syscall: number };

/** LLDB's extra `T` keys; gdb ignores keys it does not know. */
export interface LldbStopInfo {
  /** `reason:` such as breakpoint, trace, watchpoint, signal, exception, exec. */
  reason?: string;
  /** `description:` free text (sent hex-encoded). */
  description?: string;
  /** Thread name: `name:` if plain, else `hexname:`. */
  name?: string;
  /** `threads:` every thread id (QListThreadsInStopReply). */
  threads?: readonly ThreadId[];
  /** `thread-pcs:` the PC of each thread in `threads`, same order. */
  threadPcs?: readonly bigint[];
}

export interface ExpeditedRegister {
  /** GDB register number (the target description's order). */
  regnum: number;
  /** Raw contents in target byte order. */
  value: Uint8Array;
}

export type StopReply =
  /** `S AA`: stopped by GDB signal AA, no details. */
  | { kind: 'signal'; signal: number }
  /** `T AA n1:r1;...`: stopped by GDB signal AA, with details. */
  | {
      kind: 'T';
      signal: number;
      thread?: ThreadId;
      core?: number;
      registers?: readonly ExpeditedRegister[];
      event?: StopEvent;
      lldb?: LldbStopInfo;
    }
  /** `W AA[;process:pid]`: the process exited with status AA. */
  | { kind: 'exited'; status: number; pid?: number }
  /** `X AA[;process:pid]`: the process was terminated by GDB signal AA. */
  | { kind: 'terminated'; signal: number; pid?: number }
  /** `w AA;tid`: a thread exited (only after QThreadEvents:1). */
  | { kind: 'thread-exited'; status: number; thread: ThreadId }
  /** `N`: no resumed threads remain (no-resumed feature). */
  | { kind: 'no-resumed' };

export interface StopReplyOptions extends ThreadIdFormat {}

function formatEvent(event: StopEvent, opts: ThreadIdFormat): string {
  switch (event.kind) {
    case 'watch':
    case 'rwatch':
    case 'awatch':
      return `${event.kind}:${bigintToHex(event.addr)};`;
    case 'swbreak':
    case 'hwbreak':
    case 'library':
    case 'vforkdone':
    case 'create':
      // "The value is ignored" for these keys, but the `:` is still required.
      return `${event.kind}:;`;
    case 'replaylog':
      return `replaylog:${event.at};`;
    case 'fork':
    case 'vfork':
      // The child is another process, so its id is meaningless without the pid: always write
      // the multiprocess form (gdb only asks for fork events along with multiprocess).
      return `${event.kind}:${formatThreadId(event.child, { multiprocess: true })};`;
    case 'clone':
      return `clone:${formatThreadId(event.child, opts)};`;
    case 'exec':
      return `exec:${textToHex(event.path)};`;
    case 'syscall_entry':
    case 'syscall_return':
      return `${event.kind}:${event.syscall.toString(16)};`;
  }
}

// A thread name goes as `name:` only if it cannot be mistaken for syntax or need escaping.
const PLAIN_NAME = /^[\x20-\x7e]*$/;
const NAME_SYNTAX = /[;:#$}*]/;

function formatLldb(info: LldbStopInfo, opts: ThreadIdFormat): string {
  let out = '';
  if (info.name !== undefined) {
    out +=
      PLAIN_NAME.test(info.name) && !NAME_SYNTAX.test(info.name)
        ? `name:${info.name};`
        : `hexname:${textToHex(info.name)};`;
  }
  if (info.threads) out += `threads:${info.threads.map((t) => formatThreadId(t, opts)).join(',')};`;
  if (info.threadPcs) out += `thread-pcs:${info.threadPcs.map(bigintToHex).join(',')};`;
  if (info.reason !== undefined) out += `reason:${info.reason.replace(/[;:#$}*]/g, '_')};`;
  if (info.description !== undefined) out += `description:${textToHex(info.description)};`;
  return out;
}

/**
 * The one stop-reply formatter. `T` keys come in gdbserver's order (reason, registers, thread,
 * core) followed by LLDB's; both clients accept any order. Register numbers get at least two
 * hex digits, like gdbserver and lldb-server.
 */
export function formatStopReply(stop: StopReply, opts: StopReplyOptions): string {
  switch (stop.kind) {
    case 'signal':
      return 'S' + byteToHex(stop.signal);
    case 'T': {
      let out = 'T' + byteToHex(stop.signal);
      if (stop.event) out += formatEvent(stop.event, opts);
      for (const r of stop.registers ?? []) {
        out += `${r.regnum.toString(16).padStart(2, '0')}:${Buffer.from(r.value).toString('hex')};`;
      }
      if (stop.thread) out += `thread:${formatThreadId(stop.thread, opts)};`;
      if (stop.core !== undefined) out += `core:${stop.core.toString(16)};`;
      if (stop.lldb) out += formatLldb(stop.lldb, opts);
      return out;
    }
    case 'exited':
    case 'terminated': {
      const head =
        stop.kind === 'exited' ? 'W' + byteToHex(stop.status) : 'X' + byteToHex(stop.signal);
      // `;process:pid` only with multiprocess (GDB manual, "Stop Reply Packets").
      return opts.multiprocess && stop.pid !== undefined
        ? `${head};process:${stop.pid.toString(16)}`
        : head;
    }
    case 'thread-exited':
      return `w${byteToHex(stop.status)};${formatThreadId(stop.thread, opts)}`;
    case 'no-resumed':
      return 'N';
  }
}

/** The body of a non-stop `%Stop:` notification (GDB manual, "Notification Packets"). */
export function stopNotification(stop: StopReply, opts: StopReplyOptions): string {
  return stopNotificationOf(formatStopReply(stop, opts));
}

/** The same, around a stop reply already formatted (the stub queues the bodies for vStopped). */
export function stopNotificationOf(body: string): string {
  return 'Stop:' + body;
}
