// One GDB session over one connection: its life. The pump hands each parsed packet to the
// dispatch table (stub/dispatch.ts) and is the single flush point (`respond`); interrupts and
// stops move the state. While the target runs, the only input that matters is 0x03; packets
// that arrive meanwhile wait their turn. What handlers share is in session-core.ts.
import { parseCommand } from '../rsp/commands.js';
import { consoleOutput } from '../rsp/replies/console.js';
import { PACKET_SIZE } from './capabilities.js';
import { Connection, type Link } from './connection.js';
import { errnoOf, errorReply, type HandlerResult, type SessionContext } from './context.js';
import { dispatch } from './dispatch.js';
import { isFork, settleFork } from './fork-adoption.js';
import { othersStopped } from './others-stopped.js';
import { isInternalStop } from './lldb/client.js';
import { ctrlC, onStopNonStop } from './non-stop.js';
import {
  SessionCore,
  type SessionEnd,
  type SessionOptions,
  type SessionState,
} from './session-core.js';
import { stopReply, stopReplyNow } from './stop-reply.js';
import type { Target, TargetStop } from './target.js';
import { tracepointStop } from './tracepoints/hit.js';
import { endTracing } from './tracepoints/run.js';
import { traceIfAny } from './tracepoints/state.js';

export type { SessionEnd, SessionOptions, SessionState, TargetProvider } from './session-core.js';

export class Session extends SessionCore {
  readonly ended: Promise<SessionEnd>;
  protected readonly conn: Connection;
  private readonly queue: string[] = [];
  private busy = false;
  /** A resume packet's handler is running (it may still be syncing breakpoints). */
  private resumeInFlight = false;
  /** An interrupt came while resumeInFlight: sent once the handler has the targets running. */
  private interruptLate = false;
  private endSession!: (end: SessionEnd) => void;

  constructor(stream: Link, targets: Target | Target[] | undefined, opts: SessionOptions = {}) {
    super(opts);
    this.ended = new Promise((resolve) => {
      this.endSession = resolve;
    });
    this.conn = new Connection(
      stream,
      {
        packet: (body) => {
          // The usual case, nothing waiting: served as it comes, without the queue.
          if (this.busy || this.queue.length > 0 || this.state.kind !== 'idle') {
            this.queue.push(body);
            this.pump();
          } else this.pump(body);
        },
        badPacket: (reason) => {
          this.log(`bad packet: ${reason}`);
          this.respond(errorReply(1));
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

  private close(end: SessionEnd): void {
    if (this.state.kind === 'closed') return;
    endTracing(traceIfAny(this), this.state.kind === 'idle');
    this.state = { kind: 'closed', end };
    // A stop reply waiting for other processes' stops is moot now.
    for (const ctx of this.procs.values()) ctx.swallowSettled();
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
    else if ('wire' in result) this.conn.sendFramed(result.wire);
    else if ('hex' in result) this.conn.sendHex(result.hex, result.length);
  }

  /**
   * Serves `first`, then the queued packets, in order. Synchronous while the answers are (most
   * are): no async function and so no promise per packet; a handler's promise holds the pump
   * until it settles.
   */
  private pump(first?: string): void {
    if (this.busy) return;
    this.busy = true;
    let waiting = false;
    try {
      let body = first;
      for (;;) {
        if (body === undefined) {
          if (this.queue.length === 0 || this.state.kind !== 'idle') break;
          body = this.queue.shift()!;
        }
        const cmd = parseCommand(body);
        body = undefined;
        // The stop may be reported before the resume call returns: be `running` already.
        // Non-stop: resuming answers OK at once and packets keep flowing while threads run.
        const k = cmd.kind;
        const resuming = !this.nonStop && (k === 'vcont' || k === 'continue' || k === 'step');
        if (resuming) {
          this.state = { kind: 'running' };
          this.resumes++;
        }
        this.resumeInFlight = resuming;
        let r: HandlerResult | Promise<HandlerResult>;
        try {
          r = dispatch(this, cmd);
        } catch (err) {
          r = this.handlerFailed(err);
        }
        if (r instanceof Promise) {
          waiting = true;
          const settled = (result: HandlerResult): void => {
            try {
              this.answered(result, resuming);
            } finally {
              this.busy = false;
            }
            this.pump();
          };
          r.then(settled, (err: unknown) => settled(this.handlerFailed(err)));
          return;
        }
        this.answered(r, resuming);
      }
    } finally {
      if (!waiting) this.busy = false;
    }
  }

  private handlerFailed(err: unknown): HandlerResult {
    this.log(`handler error: ${(err as Error).stack ?? String(err)}`);
    return errorReply(errnoOf(err));
  }

  /** A packet's answer: the pump's bookkeeping, then the reply (or none, when deferred). */
  private answered(result: HandlerResult, resuming: boolean): void {
    this.resumeInFlight = false;
    const late = this.interruptLate;
    this.interruptLate = false;
    this.conn.done();
    // Read anew: the handler's awaits let interrupts and stops change it.
    const now = (this.state as SessionState).kind;
    if ('deferred' in result) {
      // Still interrupting (no stop reported meanwhile): the targets run now, stop them.
      if (late && now === 'interrupting') void this.interruptRunning();
      return;
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

  private async interrupt(): Promise<void> {
    if (this.nonStop) {
      await ctrlC(this).catch((err) => this.log(`interrupt failed: ${(err as Error).message}`));
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
  protected consoleOutput(text: Buffer): void {
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
    ctx.swallowSettled();
    this.running.delete(ctx);
    if (this.running.size > 0 || !ctx.client.noResumed) return;
    if (this.state.kind !== 'running' && this.state.kind !== 'interrupting') return;
    this.state = { kind: 'idle' };
    void stopReply(ctx, { kind: 'no-resumed' }).then((body) => {
      if (this.state.kind === 'closed') return;
      this.conn.send(body);
      this.pump();
    });
  }

  protected onStop(ctx: SessionContext, stop: TargetStop, traced = false): void {
    // The step of a syscall the stub injected for `_M`/`_m` (stub/handlers/allocate-memory.ts) is
    // awaited by that handler and never reported to the client.
    if (isInternalStop(ctx, stop)) return;
    // A tracepoint hit is collected first, and GDB hears of it only if it must.
    // Not for a process asked to stop for another's stop: collecting resumes it, and it would
    // run on unasked (and the stop reply wait for it).
    if (
      !traced &&
      !ctx.swallowStop &&
      tracepointStop(this, ctx, stop, (st) => this.onStop(ctx, st, true))
    )
      return;
    if (this.nonStop && this.state.kind !== 'closed') {
      void onStopNonStop(this, ctx, stop);
      return;
    }
    if (stop.kind === 'no-resumed') {
      this.noResumed(ctx);
      return;
    }
    const death = stop.kind === 'exited' || stop.kind === 'signalled';
    if (ctx.swallowStop && death && this.state.kind === 'running' && this.resumes > ctx.swallowAt) {
      // Asked to stop for another process's stop, it died instead, and GDB has resumed every
      // process since: this death is the stop GDB now waits for (reported below). Kept for a
      // later resume it would never be reported (a vfork child's exit after its parent's
      // vforkdone and GDB's vCont;c; gdb.base/vfork-follow-parent.exp). Not before that
      // resume: the state is still `running` while the other's stop reply is on its way, and
      // a second stop reply for one vCont puts every later reply one behind.
      ctx.swallowStop = false;
      ctx.swallowSettled();
    }
    if (ctx.swallowStop) {
      // Stopped for another process's stop (all-stop); GDB learns nothing new here, unless the
      // process died meanwhile: the next resume reports that, as gdbserver's pending status (a
      // vfork child's exit racing its parent's vforkdone; gdb.base/vfork-follow-parent.exp).
      ctx.swallowStop = false;
      ctx.lastStop = stop;
      ctx.invalidate();
      this.running.delete(ctx);
      if (stop.kind === 'exited' || stop.kind === 'signalled') this.unreportedDeaths.set(ctx, stop);
      ctx.swallowSettled();
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
    // The reply waits until they have stopped (or died), as gdbserver's stop_all_lwps waits
    // before it reports: a death that comes meanwhile is pending for the next resume, which
    // then reports it without running anything, and the others stay where this stop found
    // them (a vfork child's exit after its parent's vforkdone; gdb.base/vfork-follow-parent.exp).
    this.running.delete(ctx);
    const others = [...this.running];
    const stopped = others.map((other) => this.stopOther(other));
    this.running.clear();
    if (stop.kind === 'stopped') ctx.generalThread = stop.thread;
    if (stop.kind === 'stopped' && stop.cause.type === 'exec') {
      ctx.forgetExec();
    }
    const gone = stop.kind !== 'stopped';
    if (others.length === 0 && !gone && !isFork(stop)) {
      // The usual stop (a step's end, a breakpoint hit): nothing to settle or wait for, and the
      // reply is known at once. It goes out in this turn, with no promise between.
      const now = stopReplyNow(ctx, stop);
      if (now !== undefined) {
        this.state = { kind: 'idle' };
        this.conn.send(now);
        this.pump();
        return;
      }
    }
    void settleFork(this, ctx, stop)
      .then(() => othersStopped(others, stopped, (line) => this.log(line)))
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
        this.pump();
      });
  }

  /**
   * Asks a process to stop because another reported first (all-stop). Resolves once its stop
   * or end came, or at once when the target says none will come (it was not running).
   */
  private stopOther(other: SessionContext): Promise<void> {
    other.swallowStop = true;
    other.swallowAt = this.resumes;
    const settled = new Promise<void>((resolve) => {
      other.swallowed = resolve;
    });
    const none = () => {
      // Nothing to swallow: a stop of a later resume is news.
      if (other.swallowed) other.swallowStop = false;
      other.swallowSettled();
    };
    // Held: an event of its own that comes instead stays kept in the target for its next
    // resume, as gdbserver's stop_all_lwps keeps it; swallowed here, GDB would never see it.
    other.target.base.interrupt(true).then(
      (follows) => {
        if (!follows) none();
      },
      (err) => {
        this.log(`interrupt of process ${other.pid} failed: ${(err as Error).message}`);
        none();
      },
    );
    return settled;
  }
}
