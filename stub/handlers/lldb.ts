// The LLDB side of a session (lldbgdbremote.md): the stateless queries, answered with the reply
// builders of stub/lldb/, and what an LLDB client is told differently from GDB (stop keys and
// signal numbers, the kill reply). session.ts and stop-reply.ts call these.
import { getSystemErrorName } from 'node:util';
import { readRegister } from '../arch/amd64-registers.js';
import type { Capabilities } from '../capabilities.js';
import type { LaunchSettings } from '../launch-settings.js';
import {
  awaitInternalStop,
  type InferiorAllocator,
  type Permissions,
  SavedRegisterStates,
  takeInternalStop,
  targetAllocator,
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
import { formatStopReply, type LldbStopInfo } from '../../rsp/replies/stop.js';
import {
  type ClientFeatures,
  errnoOf,
  errorReply,
  type HandlerResult,
  OK,
  reply,
  type SessionContext,
} from '../context.js';
import type { Ptid, TargetStop } from '../target.js';
import { vContReply } from '../../rsp/replies/vcont.js';
import { addressReply } from '../../rsp/replies/hex.js';
import {
  allocatedAddress,
  allocationError,
  launchFailure,
  savedRegisterState,
} from '../../rsp/replies/lldb.js';
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
  const name = (await ctx.target.threadInfo?.threadDetails(t))?.name;
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

/**
 * Called once a target is set up: lldb-server reports the first stop of a launch or an attach
 * as SIGSTOP, whereas gdbserver reports SIGTRAP to GDB (it turns an attach's SIGSTOP into one).
 */
export function noteInitialStop(ctx: SessionContext): void {
  ctx.initialStop = ctx.lastStop;
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
  if (!ctx.dialect.lldb) return undefined;
  const interrupted = stop.cause.type === 'interrupt' || ctx.initialStop === stop;
  const signal = interrupted ? SIGSTOP : stop.signal;
  const details = await ctx.target.threadInfo?.threadDetails(stop.thread).catch(() => undefined);
  const name = details?.name;
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
    return slot === undefined ? errorReply(1) : reply(addressReply(slot));
  } catch (err) {
    return errorReply(errnoOf(err));
  }
}

/**
 * LLDB never sends `!`: lldb-server serves vRun, vAttach and A on every connection. A server
 * started with --multi does the same for LLDB (GDB still enters extended mode with `!`).
 */
export function lldbExtendedMode(client: ClientFeatures | undefined, multi: boolean): boolean {
  return multi && client?.flavour === 'lldb';
}

/**
 * The packets LLDB sends before there is a process (a --multi server), which do not depend on
 * one: thread suffixes, threads in stop replies, the (empty) thread list and the vCont actions
 * the targets will offer. Undefined where the GDB answer applies.
 */
export function lldbWithoutProcess(
  kind: string,
  client: ClientFeatures | undefined,
  caps: Capabilities | undefined,
): HandlerResult | undefined {
  switch (kind) {
    case 'enable-thread-suffix':
      return OK;
    case 'thread-list-first':
      // lldb-server's answer. An empty list (`l`) would make LLDB assume a bare-metal stub
      // with one process, pid 1, and ask `?` for its stop (GetCurrentProcessAndThreadIDs).
      return client?.flavour === 'lldb' ? OK : undefined;
    case 'enable-threads-in-stop-reply':
      // The session shares this object with every process it starts later.
      if (client) client.threadsInStopReply = true;
      return OK;
    case 'vcont-query':
      return caps ? reply(vContReply(caps)) : undefined;
    default:
      return undefined;
  }
}

// `_M` / `_m` (lldbgdbremote.md): memory allocated by an mmap the debuggee itself makes
// (stub/lldb/inferior-syscall.ts). The single-step that runs it is consumed through
// takeInternalStop, so the client never sees a stop for it.

function allocatorOf(ctx: SessionContext): InferiorAllocator {
  if (!ctx.allocator) {
    const base = ctx.target.base;
    ctx.allocator = targetAllocator(
      base,
      () => ctx.currentThread(),
      () => awaitInternalStop(base),
    );
  }
  return ctx.allocator;
}

/** The session's stop listener asks this first: a stop of an injected call is not reported. */
export function isInternalStop(ctx: SessionContext, stop: TargetStop): boolean {
  if (!takeInternalStop(ctx.target.base, stop)) return false;
  // The process ended under the call: `?` must say so.
  if (stop.kind === 'exited' || stop.kind === 'signalled') ctx.lastStop = stop;
  return true;
}

/** `_M<size>,<perms>`: the address as 16 hex digits, or Eff as lldb-server answers a failure. */
export async function allocateMemory(
  ctx: SessionContext,
  size: number,
  permissions: Permissions,
): Promise<HandlerResult> {
  try {
    return reply(allocatedAddress(await allocatorOf(ctx).allocate(size, permissions)));
  } catch {
    return reply(allocationError());
  }
}

/** `_m<addr>`: OK once unmapped; an address `_M` did not return is an error. */
export async function deallocateMemory(ctx: SessionContext, addr: bigint): Promise<HandlerResult> {
  try {
    await allocatorOf(ctx).deallocate(addr);
    return OK;
  } catch {
    return reply(allocationError());
  }
}

function statesOf(ctx: SessionContext): SavedRegisterStates {
  ctx.savedRegisterStates ??= new SavedRegisterStates();
  return ctx.savedRegisterStates;
}

/** `QSaveRegisterState[;thread:<tid>;]`: the save id, in decimal as lldb-server prints it. */
export async function saveRegisterState(
  ctx: SessionContext,
  thread: Ptid | undefined,
): Promise<HandlerResult> {
  try {
    const bufs = await ctx.registers(thread ?? ctx.currentThread());
    return reply(savedRegisterState(statesOf(ctx).save(bufs.gpr, bufs.fp)));
  } catch (err) {
    return errorReply(errnoOf(err));
  }
}

/** `QRestoreRegisterState:<id>[;thread:<tid>;]`: every register back as saved. */
export async function restoreRegisterState(
  ctx: SessionContext,
  id: number,
  thread: Ptid | undefined,
): Promise<HandlerResult> {
  const saved = statesOf(ctx).take(id);
  if (!saved) return errorReply(22);
  try {
    const t = thread ?? ctx.currentThread();
    // Copied into the cached buffers, so the cache stays what the thread now holds.
    const bufs = await ctx.registers(t);
    if (saved.gpr.length !== bufs.gpr.length || saved.fp.length !== bufs.fp.length) {
      return errorReply(22);
    }
    saved.gpr.copy(bufs.gpr);
    saved.fp.copy(bufs.fp);
    await ctx.storeRegisters(t, bufs, new Set(['gpr', 'fp']));
    return OK;
  } catch (err) {
    return errorReply(errnoOf(err));
  }
}

/** Where a session keeps why its last `A` failed (for qLaunchSuccess). */
export interface LaunchOutcome {
  launchError: string | undefined;
}

/**
 * LLDB's `A` launch: a vRun (`run`) whose stop LLDB fetches afterwards (qLaunchSuccess, then
 * `?`), so the stop reply becomes OK. Started without a shell, as lldb-server does (LLDB
 * expands arguments itself and never sends QStartupWithShell).
 */
export async function lldbLaunch(
  session: LaunchOutcome,
  settings: LaunchSettings,
  run: () => Promise<HandlerResult>,
): Promise<HandlerResult> {
  const shell = settings.shell;
  settings.shell = false;
  try {
    return launchReply(session, await run());
  } finally {
    settings.shell = shell;
  }
}

function launchReply(session: LaunchOutcome, run: HandlerResult): HandlerResult {
  if ('reply' in run && typeof run.reply === 'string' && /^E[0-9a-f]{2}$/.test(run.reply)) {
    const errno = Number.parseInt(run.reply.slice(1), 16);
    session.launchError = `launch failed: ${errnoName(errno)}`;
    return run;
  }
  if (!('reply' in run) || typeof run.reply !== 'string' || run.reply === '') {
    // No provider or no --multi: `A` is not served here.
    return run;
  }
  session.launchError = undefined;
  return OK;
}

/** `qLaunchSuccess`: OK, or `E` and the reason the last `A` failed (lldb-server's form). */
export function launchSuccess(session: LaunchOutcome): HandlerResult {
  const error = session.launchError;
  return error === undefined ? OK : reply(launchFailure(error));
}

function errnoName(errno: number): string {
  try {
    return getSystemErrorName(-errno);
  } catch {
    return `errno ${errno}`;
  }
}
