// TargetStop -> the stop reply body. Gathers what the reply needs (GDB signal number, thread id,
// expedited registers from the per-stop register cache, the reason key) and hands it to rsp's
// formatStopReply, the only stop formatter.
import { type ExpeditedRegister, formatStopReply, type StopEvent } from '../rsp/replies/stop.js';
import { EXPEDITED, readRegister } from './arch/amd64-registers.js';
import type { ClientFeatures, SessionContext } from './context.js';
import { lldbStopFields } from './lldb/client.js';
import type { TargetStop } from './target.js';

const NO_FP = Buffer.alloc(0);

/** A stop's reply, with what it was formatted for. */
interface Formatted {
  body: string;
  client: ClientFeatures;
  threadsInStopReply: boolean;
  registerWrites: number;
}

/** Each stop's reply, formatted once: `?` and a re-sent stop take it from here. */
const formatted = new WeakMap<TargetStop, Formatted>();

/**
 * The reply body of `stop`, formatted once per stop: again only if the client's features
 * changed (qSupported, QListThreadsInStopReply) or a register was written since (the expedited
 * registers would be stale, as gdbserver re-reads them for `?`).
 */
export async function stopReply(ctx: SessionContext, stop: TargetStop): Promise<string> {
  const known = formattedBody(ctx, stop);
  if (known !== undefined) return known;
  const registerWrites = ctx.registerWrites;
  const body = await formatStop(ctx, stop);
  remember(ctx, stop, body, registerWrites);
  return body;
}

/**
 * The reply body of `stop` when it can be formatted without waiting for anything (the usual
 * all-stop report: a stop that carried its registers, for GDB); undefined otherwise, for
 * stopReply. The session's hot path: a step's reply goes out in the turn its stop came.
 */
export function stopReplyNow(ctx: SessionContext, stop: TargetStop): string | undefined {
  const known = formattedBody(ctx, stop);
  if (known !== undefined) return known;
  if (stop.kind !== 'stopped') return undefined;
  if (!stop.gpr || ctx.dialect.lldb || !ctx.seedGpr(stop.thread, stop.gpr)) return undefined;
  const registerWrites = ctx.registerWrites;
  // Seeded just now: the cache holds a copy of stop.gpr, so these are the same registers.
  const body = formatStopped(ctx, stop, expedited(ctx, stop.gpr), undefined);
  remember(ctx, stop, body, registerWrites);
  return body;
}

function formattedBody(ctx: SessionContext, stop: TargetStop): string | undefined {
  const f = formatted.get(stop);
  if (
    f &&
    f.client === ctx.client &&
    f.threadsInStopReply === (ctx.client.threadsInStopReply === true) &&
    f.registerWrites === ctx.registerWrites
  ) {
    return f.body;
  }
  return undefined;
}

/** Records the body, unless a register was written while it was formatted. */
function remember(
  ctx: SessionContext,
  stop: TargetStop,
  body: string,
  registerWrites: number,
): void {
  if (registerWrites !== ctx.registerWrites) return;
  const threadsInStopReply = ctx.client.threadsInStopReply === true;
  formatted.set(stop, { body, client: ctx.client, threadsInStopReply, registerWrites });
}

/** The expedited registers of a stop reply, from the general registers. */
function expedited(ctx: SessionContext, gpr: Buffer): ExpeditedRegister[] {
  const registers: ExpeditedRegister[] = [];
  const bufs = { gpr, fp: NO_FP };
  for (const name of EXPEDITED) {
    const regnum = ctx.layout.byName.get(name)!;
    registers.push({ regnum, value: readRegister(ctx.layout.regs[regnum]!, bufs) });
  }
  return registers;
}

async function formatStop(ctx: SessionContext, stop: TargetStop): Promise<string> {
  const fmt = { multiprocess: ctx.client.multiprocess };
  if (stop.kind === 'exited') {
    return formatStopReply({ kind: 'exited', status: stop.code, pid: stop.pid }, fmt);
  }
  if (stop.kind === 'signalled') {
    return formatStopReply(
      {
        kind: 'terminated',
        signal: ctx.dialect.signalToClient(stop.signal),
        pid: stop.pid,
      },
      fmt,
    );
  }
  if (stop.kind === 'thread-exited') {
    return formatStopReply(
      {
        kind: 'thread-exited',
        status: stop.code,
        thread: { pid: stop.thread.pid, tid: stop.thread.tid },
      },
      fmt,
    );
  }
  if (stop.kind === 'no-resumed') return formatStopReply({ kind: 'no-resumed' }, fmt);
  let registers: ExpeditedRegister[] = [];
  if (stop.gpr) ctx.seedGpr(stop.thread, stop.gpr);
  try {
    // The expedited registers are all general ones: no fp/xstate fetch for a stop reply.
    registers = expedited(ctx, await ctx.gpr(stop.thread));
  } catch {
    // A thread that vanished still gets its stop reported, without expedited registers.
  }
  // LLDB: host signal numbers and its own keys (stub/lldb/client.ts).
  return formatStopped(ctx, stop, registers, await lldbStopFields(ctx, stop));
}

function formatStopped(
  ctx: SessionContext,
  stop: TargetStop & { kind: 'stopped' },
  registers: ExpeditedRegister[],
  lldb: Awaited<ReturnType<typeof lldbStopFields>>,
): string {
  const c = stop.cause;
  let event: StopEvent | undefined;
  switch (c.type) {
    case 'sw-break':
      event = ctx.client.swbreak ? { kind: 'swbreak' } : undefined;
      break;
    case 'hw-break':
      event = ctx.client.hwbreak ? { kind: 'hwbreak' } : undefined;
      break;
    case 'watch':
      event = {
        kind: c.kind === 'write' ? 'watch' : c.kind === 'read' ? 'rwatch' : 'awatch',
        addr: c.addr,
      };
      break;
    case 'fork':
      event = ctx.client.forkEvents
        ? { kind: 'fork', child: { pid: c.child.pid, tid: c.child.tid } }
        : undefined;
      break;
    case 'vfork':
      event = ctx.client.vforkEvents
        ? { kind: 'vfork', child: { pid: c.child.pid, tid: c.child.tid } }
        : undefined;
      break;
    case 'vfork-done':
      event = ctx.client.vforkEvents ? { kind: 'vforkdone' } : undefined;
      break;
    case 'exec':
      event = ctx.client.execEvents ? { kind: 'exec', path: c.path } : undefined;
      break;
    case 'thread-created':
      event = { kind: 'create' };
      break;
    case 'syscall-entry':
      event = { kind: 'syscall_entry', syscall: c.nr };
      break;
    case 'syscall-return':
      event = { kind: 'syscall_return', syscall: c.nr };
      break;
    default:
      event = undefined;
  }
  return formatStopReply(
    {
      kind: 'T',
      signal: lldb ? lldb.signal : ctx.dialect.signalToClient(stop.signal),
      thread: { pid: stop.thread.pid, tid: stop.thread.tid },
      registers,
      ...(event ? { event } : {}),
      ...(lldb ? { lldb: lldb.lldb } : {}),
    },
    { multiprocess: ctx.client.multiprocess },
  );
}
