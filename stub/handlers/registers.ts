// g, G, p, P over the amd64 layout (stub/arch/amd64-registers.ts). GDB manual, "Packets".
import { decodeAll, encodeAll, readRegister, writeRegister } from '../arch/amd64-registers.js';
import {
  errnoOf,
  errorReply,
  type HandlerResult,
  OK,
  reply,
  type SessionContext,
} from '../context.js';
import { type Ptid, TargetError } from '../target.js';

export async function readAllRegisters(ctx: SessionContext, thread?: Ptid): Promise<HandlerResult> {
  try {
    const t = thread ?? ctx.currentThread();
    return reply(encodeAll(ctx.layout, await ctx.registers(t)).toString('hex'));
  } catch (err) {
    // A thread killed from outside: every register unavailable (`xx`), as gdbserver answers
    // when ptrace says ESRCH, so gdb can still resume and hear of the death.
    if (err instanceof TargetError && err.code === 'ESRCH') {
      return reply('xx'.repeat(ctx.layout.regs.reduce((n, r) => n + r.size, 0)));
    }
    return errorReply(errnoOf(err));
  }
}

export async function writeAllRegisters(
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

export async function readOneRegister(
  ctx: SessionContext,
  regnum: number,
  thread?: Ptid,
): Promise<HandlerResult> {
  const def = ctx.layout.regs[regnum];
  // An unknown register is an error, not an empty reply: empty would mean "p unsupported".
  if (!def) return errorReply(22);
  try {
    const t = thread ?? ctx.currentThread();
    return reply(readRegister(def, await ctx.registers(t)).toString('hex'));
  } catch (err) {
    return errorReply(errnoOf(err));
  }
}

export async function writeOneRegister(
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
    const changed = writeRegister(def, bufs, value);
    await ctx.storeRegisters(t, bufs, new Set([changed]));
    return OK;
  } catch (err) {
    return errorReply(errnoOf(err));
  }
}
