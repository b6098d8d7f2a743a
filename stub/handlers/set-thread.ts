// Thread packets (GDB manual, "Packets" and "General Query Packets"): Hg/Hc, T, qC,
// qfThreadInfo/qsThreadInfo, qThreadExtraInfo, qAttached.
import { attachedReply, hexText } from '../../rsp/replies/hex.js';
import { currentThread, threadListEnd, threadListPart } from '../../rsp/replies/threads.js';
import { errorReply, type HandlerResult, OK, reply, type SessionContext } from '../context.js';
import type { SessionCore } from '../session-core.js';
import { resolveThread } from '../threads.js';
import { type CommandOf, type Handler, withProcess } from './handler.js';
import { lldbWithoutProcess } from '../lldb/client.js';

function setThreadOf(
  s: SessionCore,
  cmd: CommandOf<'set-thread'>,
  ctx: SessionContext,
): HandlerResult {
  // Hg naming another process of the session selects it (multiprocess).
  const other = s.proc(cmd.thread.pid);
  if (cmd.op === 'g' && other && other !== ctx) {
    s.ctx = other;
    return setThreadOf(s, cmd, other);
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
    s.contThread = cmd.thread;
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

export const setThread: Handler<'set-thread'> = withProcess(setThreadOf);

export const threadAlive: Handler<'thread-alive'> = withProcess((s, cmd, ctx) =>
  resolveThread(s.proc(cmd.thread.pid) ?? ctx, cmd.thread) ? OK : errorReply(1),
);

export const currentThreadHandler: Handler<'current-thread'> = withProcess((_s, _cmd, ctx) => {
  const t = ctx.currentThread();
  return reply(currentThread(t, { multiprocess: ctx.client.multiprocess }));
});

/** qfThreadInfo: every thread of every process in one part; qsThreadInfo ends the list. */
export const threadListFirst: Handler<'thread-list-first'> = withProcess(
  (s, _cmd, ctx) =>
    reply(
      threadListPart(
        [...s.procs.values()].flatMap((p) => p.target.base.threads()),
        { multiprocess: ctx.client.multiprocess },
      ),
    ),
  (s, cmd) => lldbWithoutProcess(cmd.kind, s.client, undefined) ?? reply(threadListEnd()),
);

export const threadListNext: Handler<'thread-list-next'> = () => reply(threadListEnd());

export const threadExtraInfo: Handler<'thread-extra-info'> = withProcess(async (s, cmd, ctx) => {
  const owner = s.proc(cmd.thread.pid) ?? ctx;
  const t = resolveThread(owner, cmd.thread);
  if (!t) return errorReply(1);
  const details = await owner.target.threadInfo?.threadDetails(t);
  return reply(hexText(details?.name ?? ''));
});

export const attached: Handler<'attached'> = withProcess((s, cmd, ctx) => {
  const owner = cmd.pid === undefined ? ctx : s.procs.get(cmd.pid);
  if (!owner) return errorReply(3);
  return reply(attachedReply(owner.target.base.attached));
});
