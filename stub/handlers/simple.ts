// The argument-less packets of rsp/packets/simple.ts: about the connection itself, LLDB's own
// queries (lldbgdbremote.md: host and process facts, every thread's stop, the switches that
// shape later replies), and the two the codec could not place: unknown and malformed packets.
import { addressReply } from '../../rsp/replies/hex.js';
import { EXPEDITED, readRegister } from '../arch/amd64-registers.js';
import {
  EMPTY,
  errnoOf,
  errorReply,
  type HandlerResult,
  OK,
  reply,
  type SessionContext,
} from '../context.js';
import {
  hostInfoReply,
  processInfoReply,
  readHostFacts,
  readProcessFacts,
  serverVersionReply,
  threadStopFacts,
  threadsInfoReply,
} from '../lldb/index.js';
import { lldbWithoutProcess } from '../lldb/client.js';
import type { Ptid } from '../target.js';
import { type Handler, notServed, withProcess } from './handler.js';
import { dtDebugSlot } from './svr4.js';

/** QStartNoAckMode: the OK is still acked by GDB; no-ack starts after it (GDB manual, "Packet Acknowledgment"). */
export const startNoAckMode: Handler<'start-no-ack-mode'> = (s) => {
  s.startNoAck();
  return { silent: true };
};

/** `!`: extended-remote, where the server can start and attach processes. */
export const enableExtendedMode: Handler<'enable-extended-mode'> = (s) => {
  if (!s.opts.multi && !s.opts.provider) return EMPTY;
  s.extended = true;
  return OK;
};

export const mustReplyEmpty: Handler<'must-reply-empty'> = () => EMPTY;

/** qOffsets: the program is not relocated; GDB reads the offsets from the ELF itself. */
export const sectionOffsets: Handler<'section-offsets'> = notServed;

/** QEnableErrorStrings: the stub answers plain `E<nn>`, which LLDB takes as well. */
export const enableErrorStrings: Handler<'enable-error-strings'> = notServed;

/** A packet nobody parses: empty, "not supported" (GDB manual, "Packets"). */
export const unknownPacket: Handler<'unknown'> = () => EMPTY;

export const malformedPacket: Handler<'malformed'> = (s, cmd) => {
  // LLDB probes support with a bare qMemoryRegionInfo, which rsp/ reads as malformed.
  if (cmd.packet === 'qMemoryRegionInfo') return OK;
  s.log(`malformed packet ${JSON.stringify(cmd.packet)}: ${cmd.reason}`);
  return errorReply(1);
};

// ---- LLDB (lldbgdbremote.md)

export const hostInfoHandler: Handler<'host-info'> = async () =>
  reply(hostInfoReply(await readHostFacts()));

export const serverVersionHandler: Handler<'server-version'> = (s) =>
  reply(serverVersionReply('ntrace-gdbserver', s.opts.version ?? '0'));

export const processInfoHandler: Handler<'process-info'> = withProcess(async (_s, _cmd, ctx) => {
  try {
    return reply(processInfoReply(await readProcessFacts(ctx.pid)));
  } catch (err) {
    return errorReply(errnoOf(err));
  }
});

export const shlibInfoAddrHandler: Handler<'shlib-info-addr'> = withProcess((_s, _cmd, ctx) =>
  shlibInfoAddr(ctx),
);

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

/** jThreadsInfo: every thread with its stop facts and expedited registers. */
export const threadsInfoHandler: Handler<'threads-info'> = withProcess(async (_s, _cmd, ctx) => {
  const expedited = EXPEDITED.map((n) => ctx.layout.byName.get(n)!);
  const facts = [];
  for (const t of ctx.target.base.threads()) facts.push(await factsOf(ctx, t, expedited));
  return reply(threadsInfoReply(facts));
});

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
