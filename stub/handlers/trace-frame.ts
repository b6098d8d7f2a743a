// QTFrame (GDB manual, "Tracepoint Packets") and what a selected trace frame changes: g and p
// read the frame's registers (unavailable ones `xx`; without a register block only the pc, the
// tracepoint's address, as gdbserver's fetch_traceframe_registers), m and x read its memory
// blocks, or the live program inside QTro's read-only ranges (server.cc gdb_read_memory), and
// writes are refused. qXfer:traceframe-info describes the frame.
import { binaryMemory, hexBytes } from '../../rsp/replies/hex.js';
import { partialRegisters, traceFrameReply, traceframeInfoXml } from '../../rsp/replies/trace.js';
import { xferChunk } from '../../rsp/replies/xfer.js';
import { PACKET_SIZE } from '../capabilities.js';
import { errorReply, type HandlerResult, OK, reply, type SessionContext } from '../context.js';
import type { SessionCore } from '../session-core.js';
import type { TraceFrame } from '../tracepoints/frames.js';
import { type TraceState, traceIfAny, traceOf } from '../tracepoints/state.js';
import type { CommandOf, Handler } from './handler.js';

export const traceFrame: Handler<'trace-frame'> = (s, cmd) => {
  const st = traceOf(s);
  const sel = cmd.select;
  if (sel.by === 'none') {
    st.selectFrame(-1);
    return OK;
  }
  let found: { frame: TraceFrame; number: number } | undefined;
  if (sel.by === 'number') {
    const f = st.buffer.frames[sel.frame];
    found = f ? { frame: f, number: sel.frame } : undefined;
  } else if (sel.by === 'pc') {
    found = st.buffer.findAfter(st.frameNumber, (f) => f.pc === sel.pc);
  } else if (sel.by === 'tracepoint') {
    found = st.buffer.findAfter(st.frameNumber, (f) => f.tracepoint === sel.number);
  } else {
    found = st.buffer.findAfter(st.frameNumber, (f) =>
      sel.inside ? sel.start <= f.pc && f.pc <= sel.end : f.pc < sel.start || f.pc > sel.end,
    );
  }
  if (!found) return reply(traceFrameReply(undefined));
  st.selectFrame(found.number);
  return reply(traceFrameReply({ frame: found.number, tracepoint: found.frame.tracepoint }));
};

/** The selected trace frame, if GDB is looking at one. */
function selected(s: SessionCore): { st: TraceState; frame: TraceFrame } | undefined {
  const st = traceIfAny(s);
  return st?.frame ? { st, frame: st.frame } : undefined;
}

/** Register bytes as segments: the frame's block, or all unavailable but the pc. */
function frameRegisters(ctx: SessionContext, frame: TraceFrame): (Buffer | number)[] {
  if (frame.registers) return [frame.registers];
  const out: (Buffer | number)[] = [];
  for (const r of ctx.layout.regs) {
    if (r.name === 'rip') {
      const pc = Buffer.alloc(8);
      pc.writeBigUInt64LE(frame.pc);
      out.push(pc);
    } else out.push(r.size);
  }
  return out;
}

function frameRegister(ctx: SessionContext, frame: TraceFrame, n: number): HandlerResult {
  const def = ctx.layout.regs[n];
  if (!def) return errorReply(22);
  if (frame.registers) {
    let off = 0;
    for (let i = 0; i < n; i++) off += ctx.layout.regs[i]!.size;
    return reply(hexBytes(frame.registers.subarray(off, off + def.size)));
  }
  return reply(partialRegisters(frameRegisters(ctx, frame).slice(n, n + 1)));
}

/** Memory from the frame, or live inside a read-only range; undefined: unavailable. */
async function frameMemory(
  ctx: SessionContext,
  st: TraceState,
  frame: TraceFrame,
  addr: bigint,
  length: number,
): Promise<Buffer | undefined> {
  const data = frame.readMemory(addr, length);
  if (data && data.length > 0) return data;
  if (length === 0) return Buffer.alloc(0);
  if (!st.inReadonly(addr, length)) return undefined;
  try {
    return await ctx.target.base.readMemory(addr, length);
  } catch {
    return undefined;
  }
}

type FrameAware = 'read-registers' | 'read-register' | 'read-memory' | 'read-memory-binary';

/**
 * `live` unless a trace frame is selected; then the frame answers. Writes in a trace frame are
 * refused (inFrameRefused).
 */
export function frameAware<K extends FrameAware>(live: Handler<K>): Handler<K> {
  return (s, cmd) => {
    const sel = selected(s);
    const ctx = s.ctx;
    if (!sel || !ctx) return live(s, cmd);
    return inFrame(ctx, sel.st, sel.frame, cmd as CommandOf<FrameAware>);
  };
}

async function inFrame(
  ctx: SessionContext,
  st: TraceState,
  frame: TraceFrame,
  cmd: CommandOf<FrameAware>,
): Promise<HandlerResult> {
  switch (cmd.kind) {
    case 'read-registers':
      return reply(partialRegisters(frameRegisters(ctx, frame)));
    case 'read-register':
      return frameRegister(ctx, frame, cmd.regnum);
    case 'read-memory': {
      const data = await frameMemory(
        ctx,
        st,
        frame,
        BigInt(cmd.addr),
        Math.min(cmd.length, PACKET_SIZE / 2),
      );
      return data ? reply(hexBytes(data)) : errorReply(1);
    }
    case 'read-memory-binary': {
      const data = await frameMemory(
        ctx,
        st,
        frame,
        cmd.addr,
        Math.min(cmd.length, PACKET_SIZE / 2),
      );
      return data ? reply(binaryMemory(data, { gdbStyle: !ctx.dialect.lldb })) : errorReply(1);
    }
  }
}

type Write = 'write-registers' | 'write-register' | 'write-memory' | 'write-memory-binary';

/** G, P, M, X while a trace frame is selected: E01 (server.cc: the frame cannot change). */
export function inFrameRefused<K extends Write>(live: Handler<K>): Handler<K> {
  return (s, cmd) => (selected(s) ? errorReply(1) : live(s, cmd));
}

/** qXfer:traceframe-info:read: the selected frame's blocks; E01 outside a frame. */
export function traceframeInfo(s: SessionCore, offset: number, length: number): HandlerResult {
  const sel = selected(s);
  if (!sel) return errorReply(1);
  const f = sel.frame;
  const doc = traceframeInfoXml(
    f.memory.map((m) => ({ addr: m.addr, length: m.data.length })),
    f.variables.map((v) => v.number),
  );
  return reply(xferChunk(Buffer.from(doc), offset, length));
}
