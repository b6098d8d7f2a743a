// LLDB's own queries (lldbgdbremote.md): host and process facts, register and memory-region
// descriptions, per-thread stops, injected allocations, and the switches that shape later
// replies. The answers are built in lldb.ts.
import { EXPEDITED } from '../arch/amd64-registers.js';
import { errorReply, OK, reply } from '../context.js';
import { stopReply } from '../stop-reply.js';
import { resolveThread } from '../threads.js';
import { type Handler, withProcess } from './handler.js';
import {
  allocateMemory,
  deallocateMemory,
  hostInfo,
  lldbWithoutProcess,
  memoryRegionInfo,
  processInfo,
  registerInfo,
  serverVersion,
  shlibInfoAddr,
  threadsInfo,
} from './lldb.js';

export const hostInfoHandler: Handler<'host-info'> = () => hostInfo();

export const serverVersionHandler: Handler<'server-version'> = (s) =>
  serverVersion(s.opts.version ?? '0');

export const processInfoHandler: Handler<'process-info'> = withProcess((_s, _cmd, ctx) =>
  processInfo(ctx),
);

export const shlibInfoAddrHandler: Handler<'shlib-info-addr'> = withProcess((_s, _cmd, ctx) =>
  shlibInfoAddr(ctx),
);

/** Asked right after connecting, with or without a process. */
export const enableThreadSuffix: Handler<'enable-thread-suffix'> = withProcess(
  () => OK,
  (s, cmd) =>
    lldbWithoutProcess(cmd.kind, s.client, s.opts.provider?.capabilities) ?? errorReply(1),
);

export const enableThreadsInStopReply: Handler<'enable-threads-in-stop-reply'> = withProcess(
  (_s, _cmd, ctx) => {
    ctx.client.threadsInStopReply = true;
    return OK;
  },
  (s, cmd) =>
    lldbWithoutProcess(cmd.kind, s.client, s.opts.provider?.capabilities) ?? errorReply(1),
);

export const threadsInfoHandler: Handler<'threads-info'> = withProcess((_s, _cmd, ctx) =>
  threadsInfo(
    ctx,
    EXPEDITED.map((n) => ctx.layout.byName.get(n)!),
  ),
);

export const registerInfoHandler: Handler<'register-info'> = withProcess((_s, cmd, ctx) =>
  registerInfo(ctx, cmd.regnum),
);

export const memoryRegionInfoHandler: Handler<'memory-region-info'> = withProcess((_s, cmd, ctx) =>
  memoryRegionInfo(ctx, cmd.addr),
);

/** qThreadStopInfo: the thread's own last stop, else a stop with no signal. */
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

export const allocateMemoryHandler: Handler<'allocate-memory'> = withProcess((_s, cmd, ctx) =>
  allocateMemory(ctx, cmd.size, cmd.permissions),
);

export const deallocateMemoryHandler: Handler<'deallocate-memory'> = withProcess((_s, cmd, ctx) =>
  deallocateMemory(ctx, cmd.addr),
);
