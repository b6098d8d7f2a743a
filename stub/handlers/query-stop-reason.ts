// `?`: why the target stopped (GDB manual, "Packets"); in non-stop, every stopped thread's
// stop, the first as the reply and the rest through vStopped ("Remote Non-Stop").
import { ok } from '../../rsp/replies/basic.js';
import { formatStopReply } from '../../rsp/replies/stop.js';
import { type HandlerResult, reply, type SessionContext } from '../context.js';
import type { SessionCore } from '../session-core.js';
import { stopReply } from '../stop-reply.js';
import type { Ptid, ResumeAction, TargetStop } from '../target.js';
import type { Handler } from './handler.js';

export const queryStopReason: Handler<'query-stop-reason'> = async (s) => {
  if (s.nonStop) return nonStopStatus(s);
  const ctx = s.ctx;
  if (!ctx?.lastStop || ctx.target.base.threads().length === 0)
    return reply(formatStopReply({ kind: 'exited', status: 0 }, { multiprocess: false }));
  return reply(await stopReply(ctx, ctx.lastStop));
};

/** `?` in non-stop: every stopped thread's stop, the first as the reply, the rest by vStopped. */
async function nonStopStatus(s: SessionCore): Promise<HandlerResult> {
  s.stopQueue.length = 0;
  const bodies: { body: string; thread: Ptid }[] = [];
  for (const p of s.procs.values()) {
    const stops = s.threadStops.get(p);
    if (s.freshAttach.has(p)) await resumeAttachedOthers(s, p);
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
  s.stopQueue.push(...bodies);
  return reply(bodies[0]?.body ?? ok());
}

/**
 * `?` in non-stop on a process attached before GDB connected: the threads but the first run,
 * as with gdbserver, where only the attached pid's thread stops for GDB (its other LWPs'
 * attach SIGSTOPs are expected stops, taken and resumed by its event loop once non-stop is on;
 * linux-low.cc attach, linux_wait_1). GDB 13 also cannot take more than one initial stop
 * reply: remote.c's wait asserts (`!async_event_handler_marked`) on the second.
 */
async function resumeAttachedOthers(s: SessionCore, ctx: SessionContext): Promise<void> {
  s.freshAttach.delete(ctx);
  const ns = ctx.target.nonStop;
  const stops = s.threadStops.get(ctx);
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
    s.log(`attached threads not resumed: ${(err as Error).message}`);
  }
}
