// qThreadStopInfo<tid> (lldbgdbremote.md): a thread's stop as a `T` reply.
import { errorReply, reply } from '../context.js';
import { stopReply } from '../stop-reply.js';
import { resolveThread } from '../threads.js';
import { type Handler, withProcess } from './handler.js';

/** The thread's own last stop, else a stop with no signal. */
export const threadStopInfo: Handler<'thread-stop-info'> = withProcess(async (_s, cmd, ctx) => {
  const t = resolveThread(ctx, cmd.thread);
  if (!t) return errorReply(1);
  const last = ctx.lastStop;
  if (last?.kind === 'stopped' && last.thread.tid === t.tid)
    return reply(await stopReply(ctx, last));
  return reply(
    await stopReply(ctx, { kind: 'stopped', thread: t, signal: 0, cause: { type: 'signal' } }),
  );
});
