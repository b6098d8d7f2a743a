// qMemoryRegionInfo[:addr] (lldbgdbremote.md): alone it probes support; with an address it
// describes the mapping the address falls in, from /proc/<pid>/maps.
import { errnoOf, errorReply, reply } from '../context.js';
import { MEMORY_REGION_INFO_SUPPORTED, memoryRegionReply, readMaps } from '../lldb/index.js';
import { type Handler, withProcess } from './handler.js';

export const memoryRegionInfoHandler: Handler<'memory-region-info'> = withProcess(
  async (_s, cmd, ctx) => {
    if (cmd.addr === undefined) return reply(MEMORY_REGION_INFO_SUPPORTED);
    try {
      return reply(memoryRegionReply(await readMaps(ctx.pid), cmd.addr));
    } catch (err) {
      return errorReply(errnoOf(err));
    }
  },
);
