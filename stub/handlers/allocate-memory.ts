// `_M<size>,<perms>` (lldbgdbremote.md): memory allocated by an mmap the debuggee itself makes
// (stub/lldb/inferior-syscall.ts). The single-step that runs it is consumed through
// takeInternalStop, so the client never sees a stop for it. `_m` is in deallocate-memory.ts.
import { allocatedAddress, allocationError } from '../../rsp/replies/lldb.js';
import { reply, type SessionContext } from '../context.js';
import { awaitInternalStop, type InferiorAllocator, targetAllocator } from '../lldb/index.js';
import { type Handler, withProcess } from './handler.js';

/** The process's allocator, made on first use. */
export function allocatorOf(ctx: SessionContext): InferiorAllocator {
  if (!ctx.allocator) {
    ctx.allocator = targetAllocator(
      ctx.target.base,
      () => ctx.currentThread(),
      () => awaitInternalStop(ctx),
    );
  }
  return ctx.allocator;
}

/** The address as 16 hex digits, or Eff as lldb-server answers a failure. */
export const allocateMemoryHandler: Handler<'allocate-memory'> = withProcess(
  async (_s, cmd, ctx) => {
    try {
      return reply(allocatedAddress(await allocatorOf(ctx).allocate(cmd.size, cmd.permissions)));
    } catch {
      return reply(allocationError());
    }
  },
);
