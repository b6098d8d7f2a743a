// The stateless LLDB queries (lldbgdbremote.md), answered with the reply builders of
// stub/lldb/. `_M`/`_m` (inferior allocation) and the LLDB stop-reply keys are not wired yet.
import { readRegister } from '../arch/amd64-registers.js';
import {
  hostInfoReply,
  MEMORY_REGION_INFO_SUPPORTED,
  memoryRegionReply,
  processInfoReply,
  readHostFacts,
  readMaps,
  readProcessFacts,
  registerInfoReply,
  serverVersionReply,
  threadStopFacts,
  threadsInfoReply,
} from '../lldb/index.js';
import { errnoOf, errorReply, type HandlerResult, reply, type SessionContext } from '../context.js';
import type { Ptid } from '../target.js';

export async function hostInfo(): Promise<HandlerResult> {
  return reply(hostInfoReply(await readHostFacts()));
}

export async function processInfo(ctx: SessionContext): Promise<HandlerResult> {
  try {
    return reply(processInfoReply(await readProcessFacts(ctx.pid)));
  } catch (err) {
    return errorReply(errnoOf(err));
  }
}

export function serverVersion(version: string): HandlerResult {
  return reply(serverVersionReply('ntrace-gdbserver', version));
}

export function registerInfo(ctx: SessionContext, regnum: number): HandlerResult {
  return reply(registerInfoReply(ctx.layout, regnum));
}

/** `qMemoryRegionInfo` alone probes support; with an address it describes the mapping. */
export async function memoryRegionInfo(
  ctx: SessionContext,
  addr: bigint | undefined,
): Promise<HandlerResult> {
  if (addr === undefined) return reply(MEMORY_REGION_INFO_SUPPORTED);
  try {
    return reply(memoryRegionReply(await readMaps(ctx.pid), addr));
  } catch (err) {
    return errorReply(errnoOf(err));
  }
}

/** jThreadsInfo: every thread with its stop facts and expedited registers. */
export async function threadsInfo(
  ctx: SessionContext,
  expedited: readonly number[],
): Promise<HandlerResult> {
  const facts = [];
  for (const t of ctx.target.base.threads()) facts.push(await factsOf(ctx, t, expedited));
  return reply(threadsInfoReply(facts));
}

async function factsOf(ctx: SessionContext, t: Ptid, expedited: readonly number[]) {
  const name = await ctx.target.threadInfo?.threadName(t);
  const registers = new Map<number, Uint8Array>();
  try {
    const bufs = await ctx.registers(t);
    for (const n of expedited) registers.set(n, readRegister(ctx.layout.regs[n]!, bufs));
  } catch {
    // A thread without readable registers is still listed.
  }
  return threadStopFacts(ctx.lastStop, t, { ...(name !== undefined ? { name } : {}), registers });
}
