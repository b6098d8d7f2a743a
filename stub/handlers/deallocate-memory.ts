// `_m<addr>` (lldbgdbremote.md): unmaps a block `_M` allocated (allocate-memory.ts).
import { allocationError } from '../../rsp/replies/lldb.js';
import { OK, reply } from '../context.js';
import { allocatorOf } from './allocate-memory.js';
import { type Handler, withProcess } from './handler.js';

/** OK once unmapped; an address `_M` did not return is an error (Eff, as lldb-server). */
export const deallocateMemoryHandler: Handler<'deallocate-memory'> = withProcess(
  async (_s, cmd, ctx) => {
    try {
      await allocatorOf(ctx).deallocate(cmd.addr);
      return OK;
    } catch {
      return reply(allocationError());
    }
  },
);
