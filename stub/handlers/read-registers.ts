// The register packets (GDB manual, "Packets"): g (read-registers), G (write-registers),
// p (read-register), P (write-register) over the amd64 layout (stub/arch/amd64-registers.ts),
// with LLDB's `;thread:` suffix, and LLDB's QSaveRegisterState/QRestoreRegisterState
// (save-registers, restore-registers; lldbgdbremote.md). Their parsers are the rsp/packets
// files of those names.
import { hexBytes, unavailableBytes } from '../../rsp/replies/hex.js';
import { savedRegisterState } from '../../rsp/replies/lldb.js';
import {
  decodeAll,
  encodeAll,
  readRegister as readLayoutRegister,
  writeRegister as writeLayoutRegister,
} from '../arch/amd64-registers.js';
import {
  errnoOf,
  errorReply,
  type HandlerResult,
  OK,
  reply,
  type SessionContext,
} from '../context.js';
import { SavedRegisterStates } from '../lldb/index.js';
import { type Ptid, TargetError } from '../target.js';
import { type Handler, suffixThread, withProcess } from './handler.js';

async function readAllRegisters(ctx: SessionContext, thread?: Ptid): Promise<HandlerResult> {
  try {
    const t = thread ?? ctx.currentThread();
    return reply(hexBytes(encodeAll(ctx.layout, await ctx.registers(t))));
  } catch (err) {
    // A thread killed from outside: every register unavailable (`xx`), as gdbserver answers
    // when ptrace says ESRCH, so gdb can still resume and hear of the death.
    if (err instanceof TargetError && err.code === 'ESRCH') {
      return reply(unavailableBytes(ctx.layout.regs.reduce((n, r) => n + r.size, 0)));
    }
    return errorReply(errnoOf(err));
  }
}

async function writeAllRegisters(
  ctx: SessionContext,
  data: Buffer,
  thread?: Ptid,
): Promise<HandlerResult> {
  try {
    const t = thread ?? ctx.currentThread();
    const bufs = await ctx.registers(t);
    const changed = decodeAll(ctx.layout, bufs, data);
    await ctx.storeRegisters(t, bufs, changed);
    return OK;
  } catch (err) {
    return errorReply(errnoOf(err));
  }
}

async function readOneRegister(
  ctx: SessionContext,
  regnum: number,
  thread?: Ptid,
): Promise<HandlerResult> {
  const def = ctx.layout.regs[regnum];
  // An unknown register is an error, not an empty reply: empty would mean "p unsupported".
  if (!def) return errorReply(22);
  try {
    const t = thread ?? ctx.currentThread();
    return reply(hexBytes(readLayoutRegister(def, await ctx.registers(t))));
  } catch (err) {
    return errorReply(errnoOf(err));
  }
}

async function writeOneRegister(
  ctx: SessionContext,
  regnum: number,
  value: Buffer,
  thread?: Ptid,
): Promise<HandlerResult> {
  const def = ctx.layout.regs[regnum];
  if (!def || value.length !== def.size) return errorReply(22);
  try {
    const t = thread ?? ctx.currentThread();
    const bufs = await ctx.registers(t);
    const changed = writeLayoutRegister(def, bufs, value);
    await ctx.storeRegisters(t, bufs, new Set([changed]));
    return OK;
  } catch (err) {
    return errorReply(errnoOf(err));
  }
}

export const readRegisters: Handler<'read-registers'> = withProcess((_s, cmd, ctx) =>
  readAllRegisters(ctx, suffixThread(ctx, cmd.thread)),
);

export const writeRegisters: Handler<'write-registers'> = withProcess((_s, cmd, ctx) =>
  writeAllRegisters(ctx, cmd.data, suffixThread(ctx, cmd.thread)),
);

export const readRegister: Handler<'read-register'> = withProcess((_s, cmd, ctx) =>
  readOneRegister(ctx, cmd.regnum, suffixThread(ctx, cmd.thread)),
);

export const writeRegister: Handler<'write-register'> = withProcess((_s, cmd, ctx) =>
  writeOneRegister(ctx, cmd.regnum, cmd.value, suffixThread(ctx, cmd.thread)),
);

export const saveRegisters: Handler<'save-registers'> = withProcess((_s, cmd, ctx) =>
  saveRegisterState(ctx, suffixThread(ctx, cmd.thread)),
);

export const restoreRegisters: Handler<'restore-registers'> = withProcess((_s, cmd, ctx) =>
  restoreRegisterState(ctx, cmd.saveId, suffixThread(ctx, cmd.thread)),
);

function statesOf(ctx: SessionContext): SavedRegisterStates {
  ctx.savedRegisterStates ??= new SavedRegisterStates();
  return ctx.savedRegisterStates;
}

/** `QSaveRegisterState[;thread:<tid>;]`: the save id, in decimal as lldb-server prints it. */
async function saveRegisterState(
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
async function restoreRegisterState(
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
