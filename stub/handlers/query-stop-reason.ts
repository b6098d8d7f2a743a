// `?`: why the target stopped (GDB manual, "Packets"); in non-stop, every stopped thread's
// stop, the first as the reply and the rest through vStopped ("Remote Non-Stop").
import { type HandlerResult, reply } from '../context.js';
import type { SessionCore } from '../session-core.js';
import { stopReply } from '../stop-reply.js';
import type { Ptid, TargetStop } from '../target.js';
import type { Handler } from './handler.js';

export const queryStopReason: Handler<'query-stop-reason'> = async (s) => {
  if (s.nonStop) return nonStopStatus(s);
  const ctx = s.ctx;
  if (!ctx?.lastStop || ctx.target.base.threads().length === 0) return reply('W00');
  return reply(await stopReply(ctx, ctx.lastStop));
};

/** `?` in non-stop: every stopped thread's stop, the first as the reply, the rest by vStopped. */
async function nonStopStatus(s: SessionCore): Promise<HandlerResult> {
  s.stopQueue.length = 0;
  const bodies: { body: string; thread: Ptid }[] = [];
  for (const p of s.procs.values()) {
    const stops = s.threadStops.get(p);
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
  return reply(bodies[0]?.body ?? 'OK');
}
