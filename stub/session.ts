// One GDB session over one connection: the state union, dispatch of parsed commands to the
// handlers, and the single flush point (`respond`). While the target runs, the only input that
// matters is 0x03; packets that arrive meanwhile wait their turn.
import type { Duplex } from 'node:stream';
import type { ThreadId } from '../rsp/common/thread-id.js';
import { type Command, parseCommand } from '../rsp/commands.js';
import { BREAKPOINT_TYPES, type BreakpointType } from '../rsp/packets/breakpoint-spec.js';
import type { VContAction } from '../rsp/packets/vcont.js';
import { consoleOutput } from '../rsp/replies/console.js';
import {
  type Capabilities,
  capabilitiesOf,
  PACKET_SIZE,
  parseClientFeatures,
  supportedFeatures,
} from './capabilities.js';
import { Connection } from './connection.js';
import {
  type ClientFeatures,
  EMPTY,
  errnoOf,
  errorReply,
  type HandlerResult,
  OK,
  reply,
  SessionContext,
} from './context.js';
import { setBreakpoint } from './handlers/breakpoints.js';
import { crcMemory, readMemory, searchMemory, writeMemory } from './handlers/memory.js';
import { monitorCommand, threadDbOnPath } from './handlers/monitor.js';
import { HostIo, isHostIoCommand } from './hostio/host-io.js';
import { detectClientFlavour } from './lldb/client-flavour.js';
import { type LaunchRequest, LaunchSettings } from './launch-settings.js';
import {
  allocateMemory,
  deallocateMemory,
  hostInfo,
  hostSignalSet,
  isInternalStop,
  isLldb,
  launchSuccess,
  lldbLaunch,
  lldbExtendedMode,
  lldbKillReply,
  lldbWithoutProcess,
  memoryRegionInfo,
  noteInitialStop,
  processInfo,
  readMemoryBinary,
  registerInfo,
  restoreRegisterState,
  saveRegisterState,
  serverVersion,
  shlibInfoAddr,
  threadsInfo,
} from './handlers/lldb.js';
import { EXPEDITED } from './arch/amd64-registers.js';
import {
  readAllRegisters,
  readOneRegister,
  writeAllRegisters,
  writeOneRegister,
} from './handlers/registers.js';
import {
  legacyActions,
  type NonStopPlan,
  planNonStop,
  planResume,
  resume,
  vContActions,
  type WireAction,
} from './handlers/resume.js';
import { osdataRead, xferRead, xferWrite } from './handlers/qxfer.js';
import { symbolExchange, tlsAddress } from './handlers/tls.js';
import { stopReply } from './stop-reply.js';
import type { Ptid, ResumeAction, Target, TargetStop } from './target.js';
import { formatPtid, resolveThread } from './threads.js';

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

export class Session {
  state: SessionState = { kind: 'idle' };
  readonly ended: Promise<SessionEnd>;
  /** The current process: the one Hg or the last stop named. */
  private ctx: SessionContext | undefined;
  /** Every process of the session by pid (extended-remote may hold several). */
  private readonly procs = new Map<number, SessionContext>();
  /** Processes resumed and not yet stopped. */
  private readonly running = new Set<SessionContext>();
  /** What the client negotiated, for processes started later. */
  private client: ClientFeatures | undefined;
  private readonly conn: Connection;
  private readonly queue: Buffer[] = [];
  private busy = false;
  /** A resume packet's handler is running (it may still be syncing breakpoints). */
  private resumeInFlight = false;
  /** An interrupt came while resumeInFlight: sent once the handler has the targets running. */
  private interruptLate = false;
  private extended = false;
  /** vFile: host I/O, per connection (stub/hostio/). */
  private readonly hostIo = new HostIo({ maxPacketSize: PACKET_SIZE });
  /** `monitor set libthread-db-search-path` left libthread_db where gdbserver finds it. */
  private threadDbFound = true;
  /** qXfer:osdata documents read while no process is under control. */
  private readonly osdataCache = new Map<string, Buffer>();
  /** Environment, directory, shell and ASLR for vRun. */
  private readonly launch = new LaunchSettings(process.env);
  private contThread: ThreadId | undefined;
  /** QNonStop:1 (GDB manual, "Remote Non-Stop"). */
  private nonStop = false;
  /** QThreadEvents:1: `create` and `w` stop replies. */
  private threadEvents = false;
  /**
   * Non-stop stop replies not yet acknowledged: the head went out as `%Stop:` (or as the `?`
   * reply), the rest follow one per vStopped (GDB manual, "Notification Packets").
   */
  private readonly stopQueue: { body: string; thread?: Ptid }[] = [];
  /** Non-stop: each stopped thread's last stop, for `?`. */
  private readonly threadStops = new WeakMap<SessionContext, Map<number, TargetStop>>();
  /**
   * All-stop: processes that died while stopped (killed from outside) with no resume to report
   * it to; the next resume reports the death at once, as gdbserver's pending exit status.
   */
  private readonly unreportedDeaths = new Map<SessionContext, TargetStop>();
  /**
   * Processes attached before GDB came (`--attach`) and not resumed since: only the first thread
   * stopped for GDB; the others are stopped by our attach alone.
   */
  private readonly freshAttach = new WeakSet<SessionContext>();
  private endSession!: (end: SessionEnd) => void;
  private debugOn: boolean;

  constructor(
    stream: Duplex,
    targets: Target | Target[] | undefined,
    private readonly opts: SessionOptions = {},
  ) {
    this.debugOn = opts.log !== undefined;
    this.ended = new Promise((resolve) => {
      this.endSession = resolve;
    });
    this.conn = new Connection(
      stream,
      {
        packet: (body) => {
          this.queue.push(body);
          void this.pump();
        },
        badPacket: (reason) => {
          this.log(`bad packet: ${reason}`);
          this.respond({ reply: 'E01' });
          this.conn.done();
        },
        interrupt: () => void this.interrupt(),
        close: () => this.close('disconnected'),
      },
      {
        maxPacketSize: PACKET_SIZE,
        // Only with --debug: the connection formats every packet for the log otherwise.
        ...(this.debugOn ? { log: (line: string) => this.log(line) } : {}),
      },
    );
    for (const t of Array.isArray(targets) ? targets : targets ? [targets] : []) this.setTarget(t);
  }

  /** The current target, if any. */
  get target(): Target | undefined {
    return this.ctx?.target;
  }

  /** Every process of the session (the server cleans them up after it). */
  get targets(): Target[] {
    return [...this.procs.values()].map((c) => c.target);
  }

  private log(line: string): void {
    if (this.debugOn) this.opts.log?.(line);
  }

  /** Adds a process to the session; `select` makes it the current one. */
  private setTarget(target: Target, select = true): SessionContext {
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
  private removeProc(ctx: SessionContext): void {
    this.procs.delete(ctx.pid);
    this.running.delete(ctx);
    if (this.ctx === ctx) this.ctx = this.procs.values().next().value;
  }

  /** The process `pid` names, if it is one of ours. */
  private proc(pid: number | 'all' | 'any' | undefined): SessionContext | undefined {
    return typeof pid === 'number' ? this.procs.get(pid) : undefined;
  }

  private close(end: SessionEnd): void {
    if (this.state.kind === 'closed') return;
    this.state = { kind: 'closed', end };
    this.conn.close();
    void this.hostIo.close();
    this.endSession(end);
  }

  /** Ends the session from the server side (SIGINT/SIGTERM). */
  shutdown(): void {
    this.close('disconnected');
  }

  private respond(result: HandlerResult): void {
    if (this.state.kind === 'closed') return;
    if ('reply' in result && result.reply !== undefined) this.conn.send(result.reply);
  }

  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      while (this.queue.length > 0 && this.state.kind === 'idle') {
        const body = this.queue.shift()!;
        let result: HandlerResult;
        const cmd = parseCommand(body);
        // The stop may be reported before the resume call returns: be `running` already.
        // Non-stop: resuming answers OK at once and packets keep flowing while threads run.
        const resuming = !this.nonStop && RESUME_KINDS.has(cmd.kind);
        if (resuming) this.state = { kind: 'running' };
        this.resumeInFlight = resuming;
        try {
          result = await this.dispatch(cmd);
        } catch (err) {
          this.log(`handler error: ${(err as Error).stack ?? String(err)}`);
          result = errorReply(errnoOf(err));
        }
        this.resumeInFlight = false;
        const late = this.interruptLate;
        this.interruptLate = false;
        this.conn.done();
        // Read anew: the handler's awaits let interrupts and stops change it.
        const now = (this.state as SessionState).kind;
        if ('deferred' in result) {
          // Still interrupting (no stop reported meanwhile): the targets run now, stop them.
          if (late && now === 'interrupting') void this.interruptRunning();
          continue;
        }
        if (resuming && (now === 'running' || now === 'interrupting')) {
          this.state = { kind: 'idle' };
        }
        this.respond(result);
        if ('disconnect' in result) {
          const d = result.disconnect;
          this.close(d === 'detached' || d === 'exit' ? d : 'gone');
        }
      }
    } finally {
      this.busy = false;
    }
  }

  private async interrupt(): Promise<void> {
    if (this.nonStop) {
      await this.ctrlC().catch((err) => this.log(`interrupt failed: ${(err as Error).message}`));
      return;
    }
    if (this.state.kind === 'idle') {
      // gdb sends Ctrl-C while it handles a stop of its own (a shared-library event during the
      // user's `continue`): gdbserver makes it a SIGINT the program stops with once resumed.
      await this.ctx?.target.base
        .queueInterrupt?.()
        .catch((err) => this.log(`interrupt failed: ${(err as Error).message}`));
      return;
    }
    if (this.state.kind !== 'running') return;
    this.state = { kind: 'interrupting' };
    // Before the resume handler returns, a target may not run yet (its breakpoints are synced
    // first) and would ignore the interrupt: GDB's Ctrl-C or LLDB's `process interrupt` would
    // be lost, and the program run on. Deliver it once the handler is done.
    if (this.resumeInFlight) {
      this.interruptLate = true;
      return;
    }
    await this.interruptRunning();
  }

  private async interruptRunning(): Promise<void> {
    for (const ctx of this.running) {
      try {
        await ctx.target.base.interrupt();
      } catch (err) {
        this.log(`interrupt failed: ${(err as Error).message}`);
      }
    }
  }

  /**
   * Text of breakpoint commands (dprintf-style agent): an `O` packet while the program runs in
   * all-stop (GDB manual, "Stop Reply Packets"); where none is allowed (non-stop, or stopped),
   * the server's own output, as gdbserver prints it.
   */
  private consoleOutput(text: Buffer): void {
    if (this.state.kind === 'closed') return;
    if (!this.nonStop && (this.state.kind === 'running' || this.state.kind === 'interrupting')) {
      this.conn.send(consoleOutput(text));
      return;
    }
    (this.opts.console ?? ((b: Buffer) => process.stdout.write(b)))(text);
  }

  /**
   * A process has no resumed thread left. Once no other process runs either, GDB gets `N`
   * (GDB manual, "Stop Reply Packets"), if it announced no-resumed+; otherwise it keeps
   * waiting, as with gdbserver (server.cc).
   */
  private noResumed(ctx: SessionContext): void {
    ctx.invalidate();
    ctx.swallowStop = false;
    this.running.delete(ctx);
    if (this.running.size > 0 || !ctx.client.noResumed) return;
    if (this.state.kind !== 'running' && this.state.kind !== 'interrupting') return;
    this.state = { kind: 'idle' };
    void stopReply(ctx, { kind: 'no-resumed' }).then((body) => {
      if (this.state.kind === 'closed') return;
      this.conn.send(body);
      void this.pump();
    });
  }

  /** The stop reply of a process that died while stopped, taken off the list; in extended mode it leaves the session. */
  private async reportDeath(): Promise<HandlerResult | undefined> {
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

  private onStop(ctx: SessionContext, stop: TargetStop): void {
    // The step of a syscall the stub injected for `_M`/`_m` (stub/handlers/lldb.ts) is
    // awaited by that handler and never reported to the client.
    if (isInternalStop(ctx, stop)) return;
    if (this.nonStop && this.state.kind !== 'closed') {
      void this.onStopNonStop(ctx, stop);
      return;
    }
    if (stop.kind === 'no-resumed') {
      this.noResumed(ctx);
      return;
    }
    if (ctx.swallowStop) {
      // Stopped for another process's stop (all-stop); GDB learns nothing new here.
      ctx.swallowStop = false;
      ctx.lastStop = stop;
      ctx.invalidate();
      this.running.delete(ctx);
      return;
    }
    if (this.state.kind !== 'running' && this.state.kind !== 'interrupting') {
      // DEVNOTE: the target reports stops only after a resume; anything else is a bug there.
      this.log(
        `stop while ${this.state.kind}, ignored: ${JSON.stringify(stop, (_, v) => (typeof v === 'bigint' ? v.toString(16) : v))}`,
      );
      if (this.state.kind === 'closed') return;
      ctx.lastStop = stop;
      if (stop.kind === 'exited' || stop.kind === 'signalled') this.unreportedDeaths.set(ctx, stop);
      return;
    }
    ctx.lastStop = stop;
    ctx.invalidate();
    this.ctx = ctx;
    // All-stop: every other process we resumed stops too (GDB manual, "Stop Reply Packets").
    this.running.delete(ctx);
    for (const other of this.running) {
      other.swallowStop = true;
      other.target.base.interrupt().catch(() => {
        other.swallowStop = false;
      });
    }
    this.running.clear();
    if (stop.kind === 'stopped') ctx.generalThread = stop.thread;
    if (stop.kind === 'stopped' && stop.cause.type === 'exec') {
      ctx.swBreakpoints?.forgetAll();
      ctx.xferCache.clear();
      ctx.tlsModidOffset = undefined;
    }
    const gone = stop.kind !== 'stopped';
    void this.cleanFork(ctx, stop)
      .then(() => this.adoptForkChild(ctx, stop))
      .then(() => stopReply(ctx, stop))
      .then(async (body) => {
        // In extended-remote an exited process leaves the session; others may remain.
        if (gone && this.extended) {
          this.removeProc(ctx);
          await ctx.target.base.close().catch(() => {});
        }
        if (this.state.kind === 'closed') return;
        this.state = { kind: 'idle' };
        this.conn.send(body);
        void this.pump();
      });
  }

  /** Non-stop: each stop becomes a `%Stop` notification, queued behind unacknowledged ones. */
  private async onStopNonStop(ctx: SessionContext, stop: TargetStop): Promise<void> {
    ctx.invalidate();
    const stops = this.threadStops.get(ctx);
    if (stop.kind === 'stopped') {
      ctx.lastStop = stop;
      stops?.set(stop.thread.tid, stop);
      if (stop.cause.type === 'exec') {
        ctx.swBreakpoints?.forgetAll();
        ctx.xferCache.clear();
        ctx.tlsModidOffset = undefined;
        stops?.clear();
        stops?.set(stop.thread.tid, stop);
      }
    } else if (stop.kind === 'thread-exited') {
      stops?.delete(stop.thread.tid);
    }
    try {
      await this.cleanFork(ctx, stop);
      await this.adoptForkChild(ctx, stop);
      const body = await stopReply(ctx, stop);
      if (stop.kind === 'exited' || stop.kind === 'signalled') {
        if (this.extended) {
          this.removeProc(ctx);
          await ctx.target.base.close().catch(() => {});
        }
      }
      this.queueStop(
        body,
        stop.kind === 'stopped' || stop.kind === 'thread-exited' ? stop.thread : undefined,
      );
    } catch (err) {
      this.log(`stop report failed: ${(err as Error).message}`);
    }
  }

  private queueStop(body: string, thread?: Ptid): void {
    if (this.state.kind === 'closed') return;
    this.stopQueue.push(thread ? { body, thread } : { body });
    if (this.stopQueue.length === 1) this.conn.notify(`Stop:${body}`);
  }

  /** Threads of `pid` whose stop GDB has not taken out of the queue with vStopped yet. */
  private queuedThreads(pid: number): Set<number> {
    const out = new Set<number>();
    for (const q of this.stopQueue) if (q.thread?.pid === pid) out.add(q.thread.tid);
    return out;
  }

  /** vCtrlC (or 0x03) in non-stop: one running thread stops with SIGINT, as ^C would do. */
  private async ctrlC(): Promise<void> {
    const procs = [this.ctx, ...this.procs.values()].filter((p) => p !== undefined);
    for (const p of procs) {
      const ns = p.target.nonStop;
      if (!ns) continue;
      const threads = p.target.base.threads();
      const g = p.generalThread;
      const t =
        (g && ns.isRunning(g) ? threads.find((x) => x.tid === g.tid) : undefined) ??
        threads.find((x) => ns.isRunning(x));
      if (!t) continue;
      await ns.stopThreads([t], SIGINT);
      return;
    }
  }

  /** `?` in non-stop: every stopped thread's stop, the first as the reply, the rest by vStopped. */
  private async nonStopStatus(): Promise<HandlerResult> {
    this.stopQueue.length = 0;
    const bodies: { body: string; thread: Ptid }[] = [];
    for (const p of this.procs.values()) {
      const stops = this.threadStops.get(p);
      if (this.freshAttach.has(p)) await this.resumeAttachedOthers(p);
      for (const t of p.target.base.threads()) {
        if (p.target.nonStop?.isRunning(t)) continue;
        const stop: TargetStop = stops?.get(t.tid) ?? {
          kind: 'stopped',
          thread: t,
          signal: 0,
          cause: { type: 'signal' },
        };
        bodies.push({ body: await stopReply(p, stop), thread: t });
      }
    }
    this.stopQueue.push(...bodies);
    return reply(bodies[0]?.body ?? 'OK');
  }

  /**
   * `?` in non-stop on a process attached before GDB connected: the threads but the first run,
   * as with gdbserver, where only the attached pid's thread stops for GDB (its other LWPs'
   * attach SIGSTOPs are expected stops, taken and resumed by its event loop once non-stop is on;
   * linux-low.cc attach, linux_wait_1). GDB 13 also cannot take more than one initial stop
   * reply: remote.c's wait asserts (`!async_event_handler_marked`) on the second.
   */
  private async resumeAttachedOthers(ctx: SessionContext): Promise<void> {
    this.freshAttach.delete(ctx);
    const ns = ctx.target.nonStop;
    const stops = this.threadStops.get(ctx);
    const go: ResumeAction[] = ctx.target.base
      .threads()
      .filter((t) => !stops?.has(t.tid) && !ns?.isRunning(t))
      .map((thread) => ({ thread, mode: 'continue', signal: 0 }));
    if (!ns || go.length === 0) return;
    try {
      await ctx.swBreakpoints?.flush();
      ctx.invalidate();
      await ctx.target.base.resume(go);
    } catch (err) {
      this.log(`attached threads not resumed: ${(err as Error).message}`);
    }
  }

  /**
   * vAttach in non-stop: OK, then each thread's stop (signal 0) as a notification, as gdbserver
   * does (GDB manual, "Remote Non-Stop": the stops follow through the notification mechanism).
   */
  private attachedNonStop(ctx: SessionContext): HandlerResult {
    const stops: TargetStop[] = ctx.target.base.threads().map((thread) => ({
      kind: 'stopped',
      thread,
      signal: 0,
      cause: { type: 'interrupt' },
    }));
    const known = this.threadStops.get(ctx);
    for (const s of stops) if (s.kind === 'stopped') known?.set(s.thread.tid, s);
    ctx.lastStop = stops[0];
    // After the OK has gone out: the pump sends it as soon as this returns.
    setImmediate(() => {
      void (async () => {
        for (const s of stops) {
          this.queueStop(await stopReply(ctx, s), s.kind === 'stopped' ? s.thread : undefined);
        }
      })().catch((err) => this.log(`attach stops: ${(err as Error).message}`));
    });
    return OK;
  }

  /**
   * Non-stop vCont: the named stopped threads run, `t` ones are asked to stop, the reply is OK
   * and every stop comes later as a notification (GDB manual, "Remote Non-Stop").
   */
  private async resumeNonStop(actions: WireAction[]): Promise<HandlerResult> {
    const plans: [SessionContext, NonStopPlan][] = [];
    for (const p of this.procs.values()) {
      const plan = planNonStop(p, actions);
      if (typeof plan === 'string') return errorReply(22);
      plans.push([p, plan]);
    }
    if (plans.every(([, plan]) => plan.resume.length === 0 && plan.stop.length === 0)) {
      return errorReply(22);
    }
    for (const [p, plan] of plans) {
      const ns = p.target.nonStop;
      if (!ns) return errorReply(22);
      // A thread whose stop is still queued for GDB stays stopped, as with gdbserver
      // (linux_set_resume_request, in_queued_stop_replies): resumed now, it would report a
      // second stop before GDB has taken in the first.
      const queued = this.queuedThreads(p.pid);
      const go = plan.resume.filter(
        (a) => a.thread && !ns.isRunning(a.thread) && !queued.has(a.thread.tid),
      );
      if (go.length > 0) {
        try {
          await p.swBreakpoints?.flush();
          p.invalidate();
          p.xferCache.clear();
          await p.target.base.resume(go);
        } catch (err) {
          return errorReply(errnoOf(err));
        }
      }
      if (plan.stop.length > 0) await ns.stopThreads(plan.stop, 0);
    }
    return OK;
  }

  /**
   * With multiprocess ids GDB debugs a fork child as an inferior of its own: it becomes a
   * process of the session (stopped) before the fork is reported.
   */
  private async adoptForkChild(ctx: SessionContext, stop: TargetStop): Promise<void> {
    if (stop.kind !== 'stopped') return;
    if (stop.cause.type !== 'fork' && stop.cause.type !== 'vfork') return;
    const forks = ctx.target.forks;
    if (!ctx.client.multiprocess || !forks?.adoptChild) return;
    try {
      const child = await forks.adoptChild(stop.cause.child.pid);
      this.setTarget(child, false);
    } catch (err) {
      this.log(`fork child ${stop.cause.child.pid}: ${(err as Error).message}`);
    }
  }

  /**
   * A fork child inherits every int3 in the parent; GDB removes those it knows of, but not one
   * the stub kept in place for a step (stub/breakpoints.ts): take those out here.
   */
  private async cleanFork(ctx: SessionContext, stop: TargetStop): Promise<void> {
    if (stop.kind !== 'stopped' || !ctx.target.forks) return;
    if (stop.cause.type !== 'fork' && stop.cause.type !== 'vfork') return;
    for (const addr of ctx.swBreakpoints?.lingering() ?? []) {
      await ctx.target.forks.clearChildBreakpoint(stop.cause.child.pid, addr).catch(() => {});
    }
  }

  private needTarget(): SessionContext | undefined {
    return this.ctx;
  }

  private async dispatch(cmd: Command): Promise<HandlerResult> {
    const ctx = this.needTarget();
    if (isHostIoCommand(cmd)) return reply(await this.hostIo.handle(cmd));
    switch (cmd.kind) {
      case 'supported-features': {
        const client = parseClientFeatures(
          cmd.features.map((f) =>
            f.kind === 'flag'
              ? `${f.name}${f.supported ? '+' : '-'}`
              : f.kind === 'value'
                ? `${f.name}=${f.value}`
                : `${f.name}?`,
          ),
        );
        client.flavour = detectClientFlavour(cmd.features);
        this.client = client;
        for (const p of this.procs.values()) {
          p.client = client;
          if (client.execEvents) await p.target.execEvents?.setExecEvents(true);
          if (client.forkEvents && client.multiprocess) await p.target.forks?.setForkEvents(true);
          if (client.vforkEvents && client.multiprocess)
            await p.target.forks?.setVforkEvents?.(true);
        }
        const features = supportedFeatures(
          ctx ? capabilitiesOf(ctx.target) : this.opts.provider?.capabilities,
          client,
        );
        // Settings for programs vRun starts; GDB only sends them when announced.
        if (this.opts.provider) features.push(...LAUNCH_FEATURES);
        return reply(features.join(';'));
      }
      case 'start-no-ack-mode':
        // The OK is still acked by GDB; no-ack starts after it (GDB manual, "Packet Acknowledgment").
        this.respond(OK);
        this.conn.noAck = true;
        return { silent: true };
      case 'enable-extended-mode':
        if (!this.opts.multi && !this.opts.provider) return EMPTY;
        this.extended = true;
        return OK;
      case 'must-reply-empty':
        return EMPTY;
      case 'non-stop': {
        const able = ctx
          ? [...this.procs.values()].every((p) => p.target.nonStop)
          : this.opts.provider?.capabilities.nonStop === true;
        if (cmd.enable && !able) return errorReply(1);
        try {
          for (const p of this.procs.values()) await p.target.nonStop?.setNonStop(cmd.enable);
        } catch (err) {
          return errorReply(errnoOf(err));
        }
        this.nonStop = cmd.enable;
        if (!cmd.enable) this.stopQueue.length = 0;
        return OK;
      }
      case 'thread-events': {
        const able = ctx
          ? [...this.procs.values()].every((p) => p.target.threadEvents)
          : this.opts.provider?.capabilities.threadEvents === true;
        if (!able) return EMPTY;
        try {
          for (const p of this.procs.values())
            await p.target.threadEvents?.setThreadEvents(cmd.enable);
        } catch (err) {
          return errorReply(errnoOf(err));
        }
        this.threadEvents = cmd.enable;
        return OK;
      }
      case 'next-stop-notification':
        if (!this.nonStop) return EMPTY;
        this.stopQueue.shift();
        return reply(this.stopQueue[0]?.body ?? 'OK');
      case 'interrupt':
        if (!this.nonStop) break;
        await this.ctrlC();
        return OK;
      case 'host-info':
        return hostInfo();
      case 'server-version':
        return serverVersion(this.opts.version ?? '0');
      case 'disable-randomization':
        if (!this.opts.provider) return EMPTY;
        this.launch.disableAslr = cmd.disable;
        return OK;
      case 'environment-set':
        if (!this.opts.provider) return EMPTY;
        this.launch.setEnv(cmd.name, cmd.value);
        return OK;
      case 'environment-unset':
        if (!this.opts.provider) return EMPTY;
        this.launch.unsetEnv(cmd.name);
        return OK;
      case 'environment-reset':
        if (!this.opts.provider) return EMPTY;
        this.launch.resetEnv();
        return OK;
      case 'set-working-dir':
        if (!this.opts.provider) return EMPTY;
        this.launch.cwd = cmd.dir;
        return OK;
      case 'startup-with-shell':
        if (!this.opts.provider) return EMPTY;
        this.launch.shell = cmd.enable;
        return OK;
      case 'query-stop-reason':
        if (this.nonStop) return this.nonStopStatus();
        if (!ctx?.lastStop || ctx.target.base.threads().length === 0) return reply('W00');
        return reply(await stopReply(ctx, ctx.lastStop));
      // LLDB's A: vRun with argv[0] as the program; the stop is fetched later (handlers/lldb.ts).
      case 'launch':
        return lldbLaunch(this, this.launch, () =>
          this.dispatch({ kind: 'run', filename: cmd.args[0]!, args: cmd.args.slice(1) }),
        );
      case 'launch-success':
        return launchSuccess(this);
      case 'monitor': {
        const out = monitorCommand(
          cmd.command,
          (on) => {
            this.debugOn = on;
          },
          (path) => {
            this.threadDbFound = threadDbOnPath(path);
          },
        );
        if (out.output) this.conn.send(`O${Buffer.from(out.output).toString('hex')}`);
        if (out.exit) return { disconnect: 'exit', reply: 'OK' };
        return out.unknown ? errorReply(1) : OK;
      }
      default:
        break;
    }
    if (!ctx) return this.dispatchWithoutProcess(cmd);
    if (!this.nonStop && RESUME_KINDS.has(cmd.kind)) {
      const dead = await this.reportDeath();
      if (dead) return dead;
    }
    switch (cmd.kind) {
      case 'read-registers':
        return readAllRegisters(ctx, this.suffixThread(ctx, cmd.thread));
      case 'write-registers':
        return writeAllRegisters(ctx, cmd.data, this.suffixThread(ctx, cmd.thread));
      case 'read-register':
        return readOneRegister(ctx, cmd.regnum, this.suffixThread(ctx, cmd.thread));
      case 'write-register':
        return writeOneRegister(ctx, cmd.regnum, cmd.value, this.suffixThread(ctx, cmd.thread));
      case 'read-memory':
        return readMemory(ctx, cmd.addr, cmd.length, PACKET_SIZE);
      case 'write-memory':
      case 'write-memory-binary':
        return writeMemory(ctx, cmd.addr, cmd.data);
      case 'set-thread': {
        // Hg naming another process of the session selects it (multiprocess).
        const other = this.proc(cmd.thread.pid);
        if (cmd.op === 'g' && other && other !== ctx) {
          this.ctx = other;
          return this.dispatch(cmd);
        }
        // GDB points Hg at a fork child to take the parent's breakpoints out of it.
        const forkPid = cmd.thread.pid;
        if (
          cmd.op === 'g' &&
          typeof forkPid === 'number' &&
          ctx.target.forks?.children().includes(forkPid)
        ) {
          ctx.forkChild = forkPid;
          return OK;
        }
        ctx.forkChild = undefined;
        if (cmd.op === 'c') {
          this.contThread = cmd.thread;
          return OK;
        }
        if (cmd.thread.tid === 'all' || cmd.thread.tid === 'any') {
          ctx.generalThread = undefined;
          return OK;
        }
        const t = resolveThread(ctx, cmd.thread);
        if (!t) return errorReply(1);
        ctx.generalThread = t;
        return OK;
      }
      case 'thread-alive':
        return resolveThread(this.proc(cmd.thread.pid) ?? ctx, cmd.thread) ? OK : errorReply(1);
      case 'current-thread':
        return reply(`QC${formatPtid(ctx, ctx.currentThread())}`);
      case 'thread-list-first':
        return reply(
          `m${[...this.procs.values()]
            .flatMap((p) => p.target.base.threads().map((t) => formatPtid(p, t)))
            .join(',')}`,
        );
      case 'thread-list-next':
        return reply('l');
      case 'thread-extra-info': {
        const owner = this.proc(cmd.thread.pid) ?? ctx;
        const t = resolveThread(owner, cmd.thread);
        if (!t) return errorReply(1);
        const details = await owner.target.threadInfo?.threadDetails(t);
        return reply(Buffer.from(details?.name ?? '').toString('hex'));
      }
      case 'attached': {
        const owner = cmd.pid === undefined ? ctx : this.procs.get(cmd.pid);
        if (!owner) return errorReply(3);
        return reply(owner.target.base.attached ? '1' : '0');
      }
      case 'continue':
        if (this.nonStop)
          return this.resumeNonStop(legacyActions(ctx, 'continue', cmd.signal, this.contThread));
        this.running.add(ctx);
        return resume(ctx, legacyActions(ctx, 'continue', cmd.signal, this.contThread), cmd.addr);
      case 'step':
        if (this.nonStop)
          return this.resumeNonStop(legacyActions(ctx, 'step', cmd.signal, this.contThread));
        this.running.add(ctx);
        return resume(ctx, legacyActions(ctx, 'step', cmd.signal, this.contThread), cmd.addr);
      case 'vcont-query':
        return reply(vContActions(ctx));
      case 'vcont':
        if (this.nonStop) return this.resumeNonStop(cmd.actions.map(wireAction));
        return this.resumeProcesses(cmd.actions.map(wireAction));
      case 'remove-breakpoint':
        if (ctx.forkChild !== undefined && cmd.type === 'software' && ctx.target.forks) {
          try {
            await ctx.target.forks.clearChildBreakpoint(ctx.forkChild, cmd.addr);
            return OK;
          } catch (err) {
            return errorReply(errnoOf(err));
          }
        }
        if (this.nonStop) {
          // Threads run meanwhile: a removed int3 must go now, not at the next resume.
          const r = await setBreakpoint(
            ctx,
            false,
            breakpointTypeNumber(cmd.type),
            cmd.addr,
            cmd.size,
          );
          await ctx.swBreakpoints?.flush();
          return r;
        }
        return setBreakpoint(ctx, false, breakpointTypeNumber(cmd.type), cmd.addr, cmd.size);
      case 'insert-breakpoint':
        return setBreakpoint(ctx, true, breakpointTypeNumber(cmd.type), cmd.addr, cmd.size, {
          conditions: cmd.conditions,
          commands: cmd.commands?.bytecodes ?? [],
        });
      case 'xfer-read':
        return xferRead(
          ctx,
          cmd.object,
          cmd.annex,
          cmd.offset,
          Math.min(cmd.length, PACKET_SIZE - 1),
        );
      case 'xfer-write':
        return xferWrite(ctx, cmd.object, cmd.offset, cmd.data);
      case 'pass-signals': {
        if (!ctx.target.signals) return EMPTY;
        const host = hostSignalSet(ctx, cmd.signals);
        try {
          await ctx.target.signals.setPassSignals(host);
          return OK;
        } catch (err) {
          return errorReply(errnoOf(err));
        }
      }
      case 'program-signals': {
        if (!ctx.target.signals) return EMPTY;
        const host = hostSignalSet(ctx, cmd.signals);
        ctx.programSignals = new Set(host);
        ctx.target.signals.setProgramSignals?.(host);
        return OK;
      }
      case 'search-memory':
        return searchMemory(ctx, cmd.addr, cmd.length, cmd.pattern);
      case 'crc':
        return crcMemory(ctx, cmd.addr, cmd.length);
      case 'catch-syscalls': {
        if (!ctx.target.syscalls) return EMPTY;
        try {
          await ctx.target.syscalls.catchSyscalls(
            cmd.enable,
            cmd.enable ? (cmd.syscalls ?? []) : [],
          );
          return OK;
        } catch (err) {
          return errorReply(errnoOf(err));
        }
      }
      // LLDB (lldbgdbremote.md)
      case 'enable-thread-suffix':
        return OK;
      case 'shlib-info-addr':
        return shlibInfoAddr(ctx);
      case 'enable-threads-in-stop-reply':
        ctx.client.threadsInStopReply = true;
        return OK;
      case 'process-info':
        return processInfo(ctx);
      case 'register-info':
        return registerInfo(ctx, cmd.regnum);
      case 'memory-region-info':
        return memoryRegionInfo(ctx, cmd.addr);
      case 'threads-info':
        return threadsInfo(
          ctx,
          EXPEDITED.map((n) => ctx.layout.byName.get(n)!),
        );
      case 'thread-stop-info': {
        const t = resolveThread(ctx, cmd.thread);
        if (!t) return errorReply(1);
        const last = ctx.lastStop;
        if (last?.kind === 'stopped' && last.thread.tid === t.tid)
          return reply(await stopReply(ctx, last));
        return reply(
          await stopReply(ctx, {
            kind: 'stopped',
            thread: t,
            signal: 0,
            cause: { type: 'signal' },
          }),
        );
      }
      case 'symbol-lookup-ready':
        return symbolExchange(ctx);
      case 'symbol-value':
        return symbolExchange(ctx, cmd);
      case 'tls-address':
        // No libthread_db on the search path: gdbserver cannot look thread-local storage up.
        if (!this.threadDbFound) return errorReply(1);
        return tlsAddress(ctx, resolveThread(ctx, cmd.thread), cmd.offset, cmd.linkMap);
      case 'read-memory-binary':
        return readMemoryBinary(ctx, cmd.addr, cmd.length, PACKET_SIZE);
      case 'allocate-memory':
        return allocateMemory(ctx, cmd.size, cmd.permissions);
      case 'deallocate-memory':
        return deallocateMemory(ctx, cmd.addr);
      case 'save-registers':
        return saveRegisterState(ctx, this.suffixThread(ctx, cmd.thread));
      case 'restore-registers':
        return restoreRegisterState(ctx, cmd.saveId, this.suffixThread(ctx, cmd.thread));
      case 'detach': {
        if (cmd.pid !== undefined && ctx.target.forks?.children().includes(cmd.pid)) {
          try {
            await ctx.target.forks.detachChild(cmd.pid);
            if (ctx.forkChild === cmd.pid) ctx.forkChild = undefined;
            return OK;
          } catch (err) {
            return errorReply(errnoOf(err));
          }
        }
        const owner = cmd.pid === undefined ? ctx : this.procs.get(cmd.pid);
        if (!owner) return errorReply(1);
        try {
          // A process killed from outside fails the clears; the target's detach clears what
          // it set anyway, and reports whether the process is still there to let go of.
          await owner.swBreakpoints?.clearAll().catch(() => {});
          await owner.target.base.detach();
        } catch (err) {
          return errorReply(errnoOf(err));
        }
        return this.processGone(owner, 'detached');
      }
      case 'kill': {
        // LLDB waits for the exit stop (stub/handlers/lldb.ts); GDB wants no reply.
        const exit = isLldb(ctx) ? lldbKillReply(ctx) : undefined;
        for (const p of [...this.procs.values()]) await this.killTarget(p);
        if (this.extended) return exit ? reply(exit) : { silent: true };
        return exit ? { disconnect: 'gone', reply: exit } : { disconnect: 'gone' };
      }
      case 'kill-process': {
        const owner = this.procs.get(cmd.pid);
        if (!owner) return errorReply(3);
        await this.killTarget(owner);
        return OK;
      }
      default:
        return this.dispatchWithoutProcess(cmd);
    }
  }

  private async processGone(ctx: SessionContext, how: 'detached'): Promise<HandlerResult> {
    await ctx.target.base.close();
    // Without extended-remote the session ends with its last process; `D;pid` of one process
    // among several leaves the others (GDB manual, "Packets", D).
    if (this.extended || this.procs.size > 1) {
      this.removeProc(ctx);
      return OK;
    }
    return { disconnect: how, reply: 'OK' };
  }

  private async killTarget(ctx: SessionContext): Promise<void> {
    try {
      await ctx.target.base.kill();
    } catch (err) {
      this.log(`kill failed: ${(err as Error).message}`);
    }
    await ctx.target.base.close();
    if (this.extended || this.procs.size > 1) this.removeProc(ctx);
  }

  /**
   * vCont over every process it names: each process runs its share; the first stop is
   * reported and the others are stopped (all-stop).
   */
  private async resumeProcesses(actions: WireAction[]): Promise<HandlerResult> {
    const targets = [...this.procs.values()].filter(
      (p) => typeof planResume(p, actions) !== 'string',
    );
    if (targets.length === 0) return errorReply(22);
    for (const p of targets) this.running.add(p);
    let failure: HandlerResult | undefined;
    let started = 0;
    for (const p of targets) {
      // A stop already reported (a pending event) ends the resume: the rest stay stopped.
      if (this.state.kind !== 'running' && started > 0) {
        this.running.delete(p);
        continue;
      }
      const r = await resume(p, actions);
      if ('deferred' in r) started++;
      else {
        this.running.delete(p);
        failure ??= r;
      }
    }
    return started > 0 ? { deferred: true } : (failure ?? errorReply(22));
  }

  /** Packets that make sense with no process (extended-remote before vRun/vAttach). */
  private async dispatchWithoutProcess(cmd: Command): Promise<HandlerResult> {
    switch (cmd.kind) {
      case 'restart':
      case 'run':
      case 'attach': {
        const provider = this.opts.provider;
        const lldbMulti = lldbExtendedMode(this.client, this.opts.multi === true);
        if (!provider || !(this.extended || lldbMulti)) return EMPTY;
        let request: LaunchRequest | undefined;
        if (cmd.kind !== 'attach') {
          request =
            cmd.kind === 'run'
              ? this.launch.request(cmd.filename, cmd.args)
              : this.launch.request('', []);
          if (!request) return cmd.kind === 'restart' ? { silent: true } : errorReply(2);
        }
        // DEVNOTE: one process per session: a second vAttach/vRun replaces the first, as
        // gdbserver does for vRun (it kills every process before starting a new one).
        // Without multiprocess ids GDB can name one process only: the new one replaces it.
        if (!this.client?.multiprocess) {
          for (const p of [...this.procs.values()]) {
            await this.killTarget(p);
            this.removeProc(p);
          }
        }
        try {
          const target = request
            ? await provider.launch(request)
            : await provider.attach((cmd as { pid: number }).pid);
          this.setTarget(target);
          if (this.nonStop) await target.nonStop?.setNonStop(true);
          if (this.threadEvents) await target.threadEvents?.setThreadEvents(true);
          if (this.client) {
            if (this.client.execEvents) await target.execEvents?.setExecEvents(true);
            if (this.client.forkEvents && this.client.multiprocess) {
              await target.forks?.setForkEvents(true);
            }
            if (this.client.vforkEvents && this.client.multiprocess) {
              await target.forks?.setVforkEvents?.(true);
            }
          }
          // R has no reply (GDB manual, "Packets").
          if (cmd.kind === 'restart') return { silent: true };
          if (cmd.kind === 'attach' && this.nonStop) return this.attachedNonStop(this.ctx!);
          return reply(await stopReply(this.ctx!, this.ctx!.lastStop!));
        } catch (err) {
          this.log(`${cmd.kind} failed: ${(err as Error).message}`);
          return cmd.kind === 'restart' ? { silent: true } : errorReply(errnoOf(err));
        }
      }
      case 'thread-list-first':
        return lldbWithoutProcess(cmd.kind, this.client, undefined) ?? reply('l');
      case 'thread-list-next':
        return reply('l');
      case 'enable-thread-suffix':
      case 'enable-threads-in-stop-reply':
      case 'vcont-query':
        // LLDB asks these right after connecting, with or without a process (handlers/lldb.ts).
        return (
          lldbWithoutProcess(cmd.kind, this.client, this.opts.provider?.capabilities) ??
          errorReply(1)
        );
      case 'xfer-read':
        // GDB gets no description before a process exists (gdbserver: `if (!target_running ())
        // return -1`), so `set architecture i386` stays possible; LLDB asks for it to launch.
        if (
          cmd.object === 'features' &&
          cmd.annex === 'target.xml' &&
          this.client?.flavour === 'lldb'
        ) {
          const tmp = new SessionContext({
            base: { registers: { xstateSize: 0, xcr0: 0n } } as unknown as Target['base'],
          });
          return xferRead(tmp, cmd.object, cmd.annex, cmd.offset, cmd.length);
        }
        if (cmd.object === 'osdata')
          return osdataRead(this.osdataCache, cmd.annex, cmd.offset, cmd.length);
        // Announced in qSupported, so an empty reply would read as "unsupported after all" (GDB
        // then stops with "conflicting enabled responses"): an error, as gdbserver answers.
        return errorReply(1);
      case 'malformed':
        // LLDB probes support with a bare qMemoryRegionInfo, which rsp/ reads as malformed.
        if (cmd.packet === 'qMemoryRegionInfo') return reply('OK');
        this.log(`malformed packet ${JSON.stringify(cmd.packet)}: ${cmd.reason}`);
        return errorReply(1);
      default:
        return this.ctx ? EMPTY : cmd.kind === 'unknown' ? EMPTY : errorReply(1);
    }
  }

  /** LLDB's `;thread:` suffix, if the command carried one. */
  private suffixThread(ctx: SessionContext, id: ThreadId | undefined) {
    return id ? resolveThread(ctx, id) : undefined;
  }
}

const LAUNCH_FEATURES = [
  'QEnvironmentHexEncoded+',
  'QEnvironmentUnset+',
  'QEnvironmentReset+',
  'QSetWorkingDir+',
  'QStartupWithShell+',
  // gdb's `set disable-randomization` needs it announced (extended_remote_target::
  // supports_disable_randomization), else it refuses "unsupported on this platform".
  'QDisableRandomization+',
];

const SIGINT = 2;

const RESUME_KINDS: ReadonlySet<string> = new Set(['continue', 'step', 'vcont']);

function wireAction(a: VContAction): WireAction {
  const base = a.thread ? { thread: a.thread } : {};
  switch (a.type) {
    case 'continue':
      return {
        action: 'continue',
        ...base,
        ...(a.signal !== undefined ? { signal: a.signal } : {}),
      };
    case 'step':
      return { action: 'step', ...base, ...(a.signal !== undefined ? { signal: a.signal } : {}) };
    case 'stop':
      return { action: 'stop', ...base };
    case 'range-step':
      return { action: 'range', ...base, range: { start: a.start, end: a.end } };
  }
}

function breakpointTypeNumber(type: BreakpointType): number {
  return BREAKPOINT_TYPES.indexOf(type);
}
