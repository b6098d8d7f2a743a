// What a tracepoint hit collects (tracepoint.cc tracepoint_was_hit, collect_data_at_tracepoint,
// do_action_at_tracepoint): for each enabled tracepoint at the pc whose condition holds, one
// trace frame with its actions' registers, memory and agent-expression collections, read from
// the stopped thread through the Target. A full buffer, a pass count reached or an expression
// error ends the run.
import type { TraceAction } from '../../rsp/packets/trace-define.js';
import { encodeAll, type RegisterBuffers, readRegister } from '../arch/amd64-registers.js';
import type { SessionContext } from '../context.js';
import type { Ptid } from '../target.js';
import { type AxContext, evalAgentExpr } from './agent-expr.js';
import { TraceFrame } from './frames.js';
import type { TraceState } from './state.js';
import { stopTracing } from './run.js';
import type { Tracepoint } from './tracepoint.js';

/** Reads what memory there is, up to length (nothing readable: empty). */
async function readAvailable(ctx: SessionContext, addr: bigint, length: number): Promise<Buffer> {
  if (length <= 0) return Buffer.alloc(0);
  try {
    return await ctx.target.base.readMemory(addr, length);
  } catch {
    return Buffer.alloc(0);
  }
}

/** The register's value in GDB's numbering, zero-extended (its low 8 bytes if wider). */
function registerValue(ctx: SessionContext, regs: RegisterBuffers, n: number): bigint {
  const def = ctx.layout.regs[n];
  if (!def) return 0n;
  const b = readRegister(def, regs);
  let v = 0n;
  for (let i = Math.min(8, b.length) - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
  return v;
}

/** Byte offset of rip in the g packet. */
function pcOffset(ctx: SessionContext): number {
  let off = 0;
  for (const r of ctx.layout.regs) {
    if (r.name === 'rip') return off;
    off += r.size;
  }
  return -1;
}

function axContext(
  st: TraceState,
  ctx: SessionContext,
  regs: RegisterBuffers,
  frame: TraceFrame | undefined,
): AxContext {
  return {
    register: (n) => registerValue(ctx, regs, n),
    readMemory: (addr, length) => readAvailable(ctx, addr, length),
    getVariable: (n) => st.variables.get(n)?.value ?? 0n,
    setVariable: (n, value) => {
      const v = st.variables.get(n);
      if (v) v.value = value;
      else st.variables.set(n, { initial: 0n, value, name: '' });
    },
    recordMemory: async (addr, length, untilZero) => {
      if (!frame) return;
      let data = await readAvailable(ctx, addr, length);
      if (untilZero) {
        const nul = data.indexOf(0);
        if (nul >= 0) data = data.subarray(0, nul + 1);
      }
      if (data.length > 0) frame.addMemory(addr, Buffer.from(data));
    },
    recordVariable: (n) => {
      frame?.addVariable(n, st.variables.get(n)?.value ?? 0n);
    },
  };
}

async function runAction(
  st: TraceState,
  ctx: SessionContext,
  regs: RegisterBuffers,
  pc: bigint,
  frame: TraceFrame,
  action: TraceAction,
): Promise<string | undefined> {
  switch (action.type) {
    case 'registers': {
      // gdbserver collects every register whatever the mask, with the pc where it stopped.
      const block = encodeAll(ctx.layout, regs);
      const at = pcOffset(ctx);
      if (at >= 0) block.writeBigUInt64LE(pc, at);
      frame.addRegisters(block);
      return undefined;
    }
    case 'memory': {
      const base = action.basereg >= 0 ? registerValue(ctx, regs, action.basereg) : 0n;
      const addr = BigInt.asUintN(64, base + action.offset);
      const data = await readAvailable(ctx, addr, action.length);
      if (data.length > 0) frame.addMemory(addr, Buffer.from(data));
      return undefined;
    }
    case 'expr': {
      const r = await evalAgentExpr(action.bytecode, axContext(st, ctx, regs, frame));
      return r.ok ? undefined : r.error;
    }
  }
}

/** The condition's verdict; an evaluation error stops the run (terror), as gdbserver. */
async function conditionHolds(
  st: TraceState,
  ctx: SessionContext,
  regs: RegisterBuffers,
  tp: Tracepoint,
): Promise<boolean> {
  if (!tp.condition) return true;
  const r = await evalAgentExpr(tp.condition, axContext(st, ctx, regs, undefined));
  if (!r.ok || r.value === undefined) {
    const why = r.ok ? 'empty stack' : r.error;
    await stopTracing(st, 'terror', tp.number, `condition: ${why}`);
    return false;
  }
  return r.value !== 0n;
}

/**
 * One frame of `tp` at pc with `actions` (its actions at a hit, its while-stepping actions at a
 * step); false when that ended the run.
 */
async function collectFrame(
  st: TraceState,
  ctx: SessionContext,
  regs: RegisterBuffers,
  pc: bigint,
  tp: Tracepoint,
  actions: Tracepoint['actions'],
): Promise<boolean> {
  const frame = new TraceFrame(tp.number, pc);
  let error: string | undefined;
  for (const { action } of actions) {
    error = await runAction(st, ctx, regs, pc, frame, action);
    if (error) break;
  }
  if (!st.buffer.add(frame)) {
    await stopTracing(st, 'tfull', 0);
    return false;
  }
  tp.bytes += frame.size;
  if (error) {
    await stopTracing(st, 'terror', tp.number, `action expression: ${error}`);
    return false;
  }
  return true;
}

/**
 * Collects every tracepoint at pc for the thread stopped there; returns those whose
 * while-stepping actions start now (the thread is to be single-stepped for them).
 */
export async function collectAt(
  st: TraceState,
  ctx: SessionContext,
  thread: Ptid,
  pc: bigint,
): Promise<Tracepoint[]> {
  const stepping: Tracepoint[] = [];
  const tps = st.at(pc);
  if (tps.length === 0 || !st.running) return stepping;
  const regs = await ctx.registers(thread);
  for (const tp of tps) {
    if (!st.running) break;
    if (!(await conditionHolds(st, ctx, regs, tp))) continue;
    tp.hits++;
    if (!(await collectFrame(st, ctx, regs, pc, tp, tp.actions))) break;
    // A stepping tracepoint's pass count is checked when its steps are done (gdbserver).
    if (tp.stepCount > 0) stepping.push(tp);
    else if (tp.passCount > 0 && tp.hits >= tp.passCount) {
      await stopTracing(st, 'tpasscount', tp.number);
      break;
    }
  }
  return st.running ? stepping : [];
}

/** One while-stepping step of `tp` done at pc (tracepoint.cc tracepoint_finished_step). */
export async function collectStep(
  st: TraceState,
  ctx: SessionContext,
  thread: Ptid,
  pc: bigint,
  tp: Tracepoint,
  last: boolean,
): Promise<void> {
  if (!st.running) return;
  const regs = await ctx.registers(thread);
  if (!(await collectFrame(st, ctx, regs, pc, tp, tp.stepActions))) return;
  if (last && tp.passCount > 0 && tp.hits >= tp.passCount)
    await stopTracing(st, 'tpasscount', tp.number);
}
