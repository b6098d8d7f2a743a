// What an LLDB client is told differently from GDB (lldbgdbremote.md), outside any one packet's
// handler: the stop keys and signal of a `T` reply, the first stop as SIGSTOP, the `k` reply,
// the packets served before a process exists, the stops of injected calls kept from the client,
// and the `A` launch. stop-reply.ts, session.ts and the handlers call these.
import { getSystemErrorName } from 'node:util';
import { launchFailure } from '../../rsp/replies/lldb.js';
import { formatStopReply, type LldbStopInfo } from '../../rsp/replies/stop.js';
import { vContReply } from '../../rsp/replies/vcont.js';
import { readRegister } from '../arch/amd64-registers.js';
import type { Capabilities } from '../capabilities.js';
import {
  type ClientFeatures,
  type HandlerResult,
  OK,
  reply,
  type SessionContext,
} from '../context.js';
import type { LaunchSettings } from '../launch-settings.js';
import type { Ptid, TargetStop } from '../target.js';
import { takeInternalStop } from './internal-stops.js';
import { lldbStopInfo, threadStopFacts } from './threads-info.js';

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

/** The session's stop listener asks this first: a stop of an injected call is not reported. */
export function isInternalStop(ctx: SessionContext, stop: TargetStop): boolean {
  if (!takeInternalStop(ctx, stop)) return false;
  // The process ended under the call: `?` must say so.
  if (stop.kind === 'exited' || stop.kind === 'signalled') ctx.lastStop = stop;
  return true;
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
  if ('errno' in run && run.errno !== undefined) {
    session.launchError = `launch failed: ${errnoName(run.errno)}`;
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
