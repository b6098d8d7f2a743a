// The LLDB side of a session (lldbgdbremote.md): the stateless queries, answered with the reply
// builders of stub/lldb/, and what an LLDB client is told differently from GDB (stop keys and
// signal numbers, the kill reply). session.ts and stop-reply.ts call these.
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
  lldbStopInfo,
  serverVersionReply,
  threadStopFacts,
  threadsInfoReply,
} from '../lldb/index.js';
import { hostSignalFromGdb } from '../../rsp/common/signals.js';
import { formatStopReply, type LldbStopInfo } from '../../rsp/replies/stop.js';
import { errnoOf, errorReply, type HandlerResult, reply, type SessionContext } from '../context.js';
import type { Ptid, TargetStop } from '../target.js';
import { dtDebugSlot } from './svr4.js';

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

const SIGSTOP = 19;
const SIGKILL = 9;

/** The stop each target started with (launch or attach), reported to LLDB as SIGSTOP. */
const initialStops = new WeakSet<TargetStop>();

/**
 * Called once a target is set up: lldb-server reports the first stop of a launch or an attach
 * as SIGSTOP, whereas gdbserver reports SIGTRAP to GDB (it turns an attach's SIGSTOP into one).
 */
export function noteInitialStop(ctx: SessionContext): void {
  if (ctx.lastStop) initialStops.add(ctx.lastStop);
}

export function isLldb(ctx: SessionContext): boolean {
  return ctx.client.flavour === 'lldb';
}

/**
 * A signal number from the client (C/S/vCont, QPassSignals, QProgramSignals) in host numbering:
 * LLDB sends Linux numbers, as lldb-server expects; GDB its own (GDB manual, "Signals").
 */
export function hostSignalFromWire(ctx: SessionContext, wire: number): number | undefined {
  return isLldb(ctx) ? wire : hostSignalFromGdb(wire);
}

/**
 * What a `T` reply tells LLDB: the signal in host (Linux) numbering, as lldb-server sends it and
 * LLDB's LinuxSignals reads it, and the LLDB keys (name, reason, description, threads and
 * thread-pcs after QListThreadsInStopReply). An interrupt or an attach is SIGSTOP for LLDB, as
 * lldb-server stops the process with it. Undefined for GDB clients.
 */
export async function lldbStopFields(
  ctx: SessionContext,
  stop: TargetStop & { kind: 'stopped' },
): Promise<{ signal: number; lldb: LldbStopInfo } | undefined> {
  if (!isLldb(ctx)) return undefined;
  const interrupted = stop.cause.type === 'interrupt' || initialStops.has(stop);
  const signal = interrupted ? SIGSTOP : stop.signal;
  const name = await ctx.target.threadInfo?.threadName(stop.thread).catch(() => undefined);
  const facts = threadStopFacts({ ...stop, signal }, stop.thread, name ? { name } : {});
  let all: { threads: Ptid[]; pcs: bigint[] } | undefined;
  if (ctx.client.threadsInStopReply) {
    const threads = ctx.target.base.threads();
    const rip = ctx.layout.regs[ctx.layout.byName.get('rip')!]!;
    const pcs: bigint[] = [];
    for (const t of threads) {
      try {
        pcs.push(readRegister(rip, await ctx.registers(t)).readBigUInt64LE(0));
      } catch {
        pcs.push(0n);
      }
    }
    all = { threads, pcs };
  }
  return { signal, lldb: lldbStopInfo(facts, all) };
}

/**
 * `k` from LLDB: it waits for the exit stop (lldb-server sends X09), else it reports "failed to
 * send k packet". GDB expects no reply (GDB manual, "Packets").
 */
export function lldbKillReply(ctx: SessionContext): string {
  return formatStopReply(
    { kind: 'terminated', signal: SIGKILL, pid: ctx.pid },
    { multiprocess: ctx.client.multiprocess },
  );
}

/**
 * qShlibInfoAddr: where the program's DT_DEBUG value lives, as lldb-server answers
 * (NativeProcessELF::GetSharedLibraryInfoAddress). LLDB reads the r_debug pointer from there;
 * without this answer it takes the svr4 list's main-lm instead, reads a link_map as r_debug and
 * never finds the shared libraries. Found by svr4.ts's dtDebugSlot.
 */
export async function shlibInfoAddr(ctx: SessionContext): Promise<HandlerResult> {
  try {
    const slot = await dtDebugSlot(ctx);
    return slot === undefined ? errorReply(1) : reply(slot.toString(16));
  } catch (err) {
    return errorReply(errnoOf(err));
  }
}
