// What a session holds and what its handlers share: the processes, the mode flags the client
// set, the connection's write path and the process bookkeeping (add, select, kill, forget).
// session.ts adds the session's life (the pump, interrupts, stops) on top of it; the handlers
// in stub/handlers/ receive it.
import { ok } from '../rsp/replies/basic.js';
import type { ThreadId } from '../rsp/common/thread-id.js';
import type { Capabilities } from './capabilities.js';
import { PACKET_SIZE } from './capabilities.js';
import type { Connection } from './connection.js';
import { type ClientFeatures, type HandlerResult, OK, reply, SessionContext } from './context.js';
import { noteInitialStop } from './lldb/client.js';
import { HostIo } from './handlers/host-io.js';
import { type LaunchRequest, LaunchSettings } from './launch-settings.js';
import { stopReply } from './stop-reply.js';
import type { Ptid, Target, TargetStop } from './target.js';
import type { TraceState } from './tracepoints/state.js';

export type SessionState =
  | { kind: 'idle' }
  | { kind: 'running' }
  | { kind: 'interrupting' }
  | { kind: 'closed'; end: SessionEnd };

/** How a session ended, which decides what happens to the debuggee. */
export type SessionEnd =
  /** GDB detached (D): the debuggee runs on. */
  | 'detached'
  /** GDB killed it (k/vKill) or it exited: nothing left. */
  | 'gone'
  /** The client vanished without saying: the server kills or detaches. */
  | 'disconnected'
  /**
   * `monitor exit`: the server kills what it launched, detaches what it attached and exits at
   * once, even with --multi and the client still connected (gdbserver's server.cc).
   */
  | 'exit';

/** Starts and attaches processes for extended-remote (vRun, vAttach). */
export interface TargetProvider {
  /** What the targets it makes can do, for qSupported before the first one exists. */
  capabilities: Capabilities;
  launch(request: LaunchRequest): Promise<Target>;
  attach(pid: number): Promise<Target>;
}

export interface SessionOptions {
  log?: (line: string) => void;
  provider?: TargetProvider;
  /** Extended-remote (--multi): vRun/vAttach allowed, the server outlives processes. */
  multi?: boolean;
  /** Server version for qGDBServerVersion. */
  version?: string;
  /** Where breakpoint command output goes when no `O` packet may carry it (default stdout). */
  console?: (text: Buffer) => void;
}

/** A non-stop stop reply waiting for GDB to take it (vStopped). */
export interface QueuedStop {
  body: string;
  thread?: Ptid;
}

export abstract class SessionCore {
  state: SessionState = { kind: 'idle' };
  /** The current process: the one Hg or the last stop named. */
  ctx: SessionContext | undefined;
  /** Every process of the session by pid (extended-remote may hold several). */
  readonly procs = new Map<number, SessionContext>();
  /** Processes resumed and not yet stopped. */
  readonly running = new Set<SessionContext>();
  /** All-stop resume packets handled so far (whether GDB resumed since a stop was asked for). */
  resumes = 0;
  /** What the client negotiated, for processes started later. */
  client: ClientFeatures | undefined;
  extended = false;
  /** vFile: host I/O, per connection (stub/hostio/). */
  readonly hostIo = new HostIo({ maxPacketSize: PACKET_SIZE });
  /** `monitor set libthread-db-search-path` left libthread_db where gdbserver finds it. */
  threadDbFound = true;
  /** qXfer:osdata documents read while no process is under control. */
  readonly osdataCache = new Map<string, Buffer>();
  /** Environment, directory, shell and ASLR for vRun. */
  readonly launch = new LaunchSettings(process.env);
  /** Hc: the thread plain `c`/`s` apply to. */
  contThread: ThreadId | undefined;
  /** QNonStop:1 (GDB manual, "Remote Non-Stop"). */
  nonStop = false;
  /** QThreadEvents:1: `create` and `w` stop replies. */
  threadEvents = false;
  /**
   * Non-stop stop replies not yet acknowledged: the head went out as `%Stop:` (or as the `?`
   * reply), the rest follow one per vStopped (GDB manual, "Notification Packets").
   */
  readonly stopQueue: QueuedStop[] = [];
  /** Non-stop: each stopped thread's last stop, for `?`. */
  readonly threadStops = new WeakMap<SessionContext, Map<number, TargetStop>>();
  /**
   * All-stop: processes that died while stopped (killed from outside) with no resume to report
   * it to; the next resume reports the death at once, as gdbserver's pending exit status.
   */
  readonly unreportedDeaths = new Map<SessionContext, TargetStop>();
  /**
   * Processes attached before GDB came (`--attach`) and not resumed since: only the first thread
   * stopped for GDB; the others are stopped by our attach alone.
   */
  readonly freshAttach = new WeakSet<SessionContext>();
  debugOn: boolean;
  /** Why the last LLDB `A` failed, for qLaunchSuccess (stub/lldb/client.ts). */
  launchError: string | undefined;
  /** Tracepoints (stub/tracepoints/state.ts): made when a trace packet first comes. */
  trace: TraceState | undefined;
  protected abstract readonly conn: Connection;

  constructor(readonly opts: SessionOptions) {
    this.debugOn = opts.log !== undefined;
  }

  /** A stop of one of the session's processes (session.ts). */
  protected abstract onStop(ctx: SessionContext, stop: TargetStop): void;
  /** Breakpoint command output (session.ts). */
  protected abstract consoleOutput(text: Buffer): void;

  log(line: string): void {
    if (this.debugOn) this.opts.log?.(line);
  }

  /** Sends a packet now, outside the reply to the packet being handled. */
  send(body: string | Buffer): void {
    if (this.state.kind !== 'closed') this.conn.send(body);
  }

  /** Sends a notification (`%...`). */
  notify(body: string): void {
    this.conn.notify(body);
  }

  /** QStartNoAckMode: the OK goes out still acked, no-ack starts after it. */
  startNoAck(): void {
    this.send(ok());
    this.conn.noAck = true;
  }

  /** Adds a process to the session; `select` makes it the current one. */
  setTarget(target: Target, select = true): SessionContext {
    const ctx = new SessionContext(target);
    if (this.client) ctx.client = this.client;
    this.procs.set(target.base.pid, ctx);
    target.base.onStop((stop) => this.onStop(ctx, stop));
    target.breakpoints?.onOutput?.((text) => this.consoleOutput(text));
    // The first `?` reports the launch/attach stop: SIGTRAP on the first thread.
    const first = target.base.threads()[0];
    if (first)
      ctx.lastStop = { kind: 'stopped', thread: first, signal: 5, cause: { type: 'signal' } };
    this.threadStops.set(ctx, new Map(first && ctx.lastStop ? [[first.tid, ctx.lastStop]] : []));
    noteInitialStop(ctx);
    if (target.base.attached && !this.client) this.freshAttach.add(ctx);
    if (select) this.ctx = ctx;
    return ctx;
  }

  /** Forgets a process that is gone (killed, detached, exited). */
  removeProc(ctx: SessionContext): void {
    this.procs.delete(ctx.pid);
    this.running.delete(ctx);
    if (this.ctx === ctx) this.ctx = this.procs.values().next().value;
  }

  /** The process `pid` names, if it is one of ours. */
  proc(pid: number | 'all' | 'any' | undefined): SessionContext | undefined {
    return typeof pid === 'number' ? this.procs.get(pid) : undefined;
  }

  async killTarget(ctx: SessionContext): Promise<void> {
    try {
      await ctx.target.base.kill();
    } catch (err) {
      this.log(`kill failed: ${(err as Error).message}`);
    }
    await ctx.target.base.close();
    if (this.extended || this.procs.size > 1) this.removeProc(ctx);
  }

  async processGone(ctx: SessionContext, how: 'detached'): Promise<HandlerResult> {
    await ctx.target.base.close();
    // Without extended-remote the session ends with its last process; `D;pid` of one process
    // among several leaves the others (GDB manual, "Packets", D).
    if (this.extended || this.procs.size > 1) {
      this.removeProc(ctx);
      return OK;
    }
    return { disconnect: how, reply: ok() };
  }

  /** The stop reply of a process that died while stopped, taken off the list; in extended mode it leaves the session. */
  async reportDeath(): Promise<HandlerResult | undefined> {
    for (const [p, stop] of this.unreportedDeaths) {
      this.unreportedDeaths.delete(p);
      if (!this.procs.has(p.pid)) continue;
      this.running.delete(p);
      const body = await stopReply(p, stop);
      if (this.extended) {
        this.removeProc(p);
        await p.target.base.close().catch(() => {});
      }
      return reply(body);
    }
    return undefined;
  }
}
