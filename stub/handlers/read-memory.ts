// The memory packets (GDB manual, "Packets" and "General Query Packets"): m (read-memory),
// M (write-memory), X (write-memory-binary), LLDB's x (read-memory-binary, lldbgdbremote.md),
// qSearch:memory (search-memory) and qCRC (crc); their parsers are the rsp/packets files of
// those names.
import { crcReply, hexBytes, searchReply } from '../../rsp/replies/hex.js';
import { PACKET_SIZE } from '../capabilities.js';
import {
  EMPTY,
  errnoOf,
  errorReply,
  type HandlerResult,
  OK,
  reply,
  type SessionContext,
} from '../context.js';
import { TargetError } from '../target.js';
import { type Handler, withProcess } from './handler.js';

const EIO = 5;

/** Largest single read asked of the target (both providers take 64 KiB records); longer requests are split. */
export const READ_CHUNK = 32768;

/** readMemoryInto's buffer: its bytes are hex text before anything else can read into it. */
const scratch = Buffer.allocUnsafe(READ_CHUNK);

/**
 * readSome, answered in the caller's turn where the target can (readMemoryInto, into this
 * file's scratch, copied out at once): a library list or a TLS lookup is a dozen small reads,
 * which as engine records cost a round trip to the tracer each, about 1 ms a list against
 * gdbserver's 0.2, and gdb asks at connect and at every library event (bench/RESULTS.md,
 * sessions 14 and 16). Declined or longer: the record path.
 */
export async function readInTurn(
  ctx: SessionContext,
  addr: bigint,
  length: number,
): Promise<Buffer> {
  const base = ctx.target.base;
  if (base.readMemoryInto !== undefined && length <= scratch.length) {
    const got = base.readMemoryInto(addr, length, scratch);
    if (got !== undefined) {
      if (got === 0) throw new TargetError(`cannot read 0x${addr.toString(16)}`, EIO);
      return Buffer.from(scratch.subarray(0, got));
    }
  }
  return readSome(ctx, addr, length);
}

/** Reads up to `length` bytes, stopping at the first unreadable one. */
export async function readSome(ctx: SessionContext, addr: bigint, length: number): Promise<Buffer> {
  // The usual read is one chunk: its buffer is the answer, not a concatenation of one part.
  if (length <= READ_CHUNK) return ctx.target.base.readMemory(addr, length);
  const parts: Buffer[] = [];
  let got = 0;
  while (got < length) {
    const want = Math.min(READ_CHUNK, length - got);
    let part: Buffer;
    try {
      part = await ctx.target.base.readMemory(addr + BigInt(got), want);
    } catch (err) {
      if (got === 0) throw err;
      break;
    }
    parts.push(part);
    got += part.length;
    if (part.length < want) break;
  }
  return Buffer.concat(parts);
}

/** `m`: a short read returns what was readable; nothing readable is an error. */
export function readMemory(
  ctx: SessionContext,
  addr: number | bigint,
  length: number,
  maxReply: number,
): HandlerResult | Promise<HandlerResult> {
  if (length === 0) return reply(hexBytes(Buffer.alloc(0)));
  const n = Math.min(length, Math.floor(maxReply / 2));
  const target = ctx.target.base;
  if (target.readMemoryInto !== undefined && n <= READ_CHUNK) {
    // The usual read (gdb's 64-byte prologue and stack reads): into one reused buffer, no
    // record and no buffer of its own, when the target can; hex straight into the frame.
    let got: number | undefined;
    try {
      got = target.readMemoryInto(addr, n, scratch);
    } catch (err) {
      return errorReply(errnoOf(err));
    }
    if (got !== undefined) return got === 0 ? errorReply(5) : { hex: scratch, length: got };
  }
  // Declined (the kernel provider, commands or records waiting their turn) or longer: the
  // target's record path, in order with everything else it was asked.
  return readReply(ctx, BigInt(addr), n, hexBytes);
}

/** `x` as LLDB reads it: the same, as raw bytes (the encoder escapes them). */
function readMemoryRaw(
  ctx: SessionContext,
  addr: bigint,
  length: number,
  maxReply: number,
): Promise<HandlerResult> {
  return readReply(ctx, addr, Math.min(length, maxReply), (d) => d);
}

async function readReply(
  ctx: SessionContext,
  addr: bigint,
  length: number,
  encode: (data: Buffer) => string | Buffer,
): Promise<HandlerResult> {
  try {
    const data = await readSome(ctx, addr, length);
    return data.length === 0 ? errorReply(5) : reply(encode(data));
  } catch (err) {
    return errorReply(errnoOf(err));
  }
}

/** `M` and `X`: all or an error. */
export async function writeMemory(
  ctx: SessionContext,
  addr: bigint,
  data: Buffer,
): Promise<HandlerResult> {
  if (data.length === 0) return OK;
  try {
    const n = await ctx.target.base.writeMemory(addr, data);
    return n === data.length ? OK : errorReply(5);
  } catch (err) {
    return errorReply(errnoOf(err));
  }
}

/** `qSearch:memory:addr;length;pattern`: `1,addr` for the first match, `0` for none. */
export async function searchMemory(
  ctx: SessionContext,
  addr: bigint,
  length: number,
  pattern: Buffer,
): Promise<HandlerResult> {
  if (pattern.length === 0) return errorReply(22);
  const window = Math.max(READ_CHUNK, pattern.length * 2);
  let offset = 0;
  try {
    while (offset < length) {
      const want = Math.min(window, length - offset);
      const data = await readSome(ctx, addr + BigInt(offset), want);
      const at = data.indexOf(pattern);
      if (at >= 0) return reply(searchReply(addr + BigInt(offset + at)));
      if (data.length < want) return reply(searchReply(undefined));
      if (offset + want >= length) break;
      // Overlap windows so a match across the boundary is seen.
      offset += want - (pattern.length - 1);
    }
    return reply(searchReply(undefined));
  } catch (err) {
    return errorReply(errnoOf(err));
  }
}

const CRC_TABLE = (() => {
  // GDB's crc32 (gdb/utils.c xcrc32): polynomial 0x04c11db7, MSB first, no final xor.
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let j = 0; j < 8; j++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    t[i] = c >>> 0;
  }
  return t;
})();

export function gdbCrc32(data: Uint8Array, crc = 0xffffffff): number {
  for (const b of data) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ b) & 0xff]!) >>> 0;
  return crc >>> 0;
}

/** `qCRC:addr,length` -> `C<crc32>`. */
export async function crcMemory(
  ctx: SessionContext,
  addr: bigint,
  length: number,
): Promise<HandlerResult> {
  try {
    let crc = 0xffffffff;
    let done = 0;
    while (done < length) {
      const want = Math.min(READ_CHUNK, length - done);
      const data = await readSome(ctx, addr + BigInt(done), want);
      if (data.length < want) return errorReply(5);
      crc = gdbCrc32(data, crc);
      done += want;
    }
    return reply(crcReply(crc));
  } catch (err) {
    return errorReply(errnoOf(err));
  }
}

/**
 * `x<addr>,<length>` as LLDB reads it (lldbgdbremote.md, "x"): the bytes themselves, with no
 * `b` prefix, and `x0,0` probed with OK. GDB is offered no `x` (no binary-upload+), so it gets
 * the empty reply and uses `m` (rr#3901: one reply format cannot serve both).
 */
export async function readMemoryBinary(
  ctx: SessionContext,
  addr: bigint,
  length: number,
  maxReply: number,
): Promise<HandlerResult> {
  if (!ctx.dialect.lldb) return EMPTY;
  if (length === 0) return OK;
  return readMemoryRaw(ctx, addr, length, maxReply);
}

export const readMemoryHandler: Handler<'read-memory'> = withProcess((_s, cmd, ctx) =>
  readMemory(ctx, cmd.addr, cmd.length, PACKET_SIZE),
);

export const writeMemoryHandler: Handler<'write-memory'> = withProcess((_s, cmd, ctx) =>
  writeMemory(ctx, cmd.addr, cmd.data),
);

export const writeMemoryBinary: Handler<'write-memory-binary'> = withProcess((_s, cmd, ctx) =>
  writeMemory(ctx, cmd.addr, cmd.data),
);

export const readMemoryBinaryHandler: Handler<'read-memory-binary'> = withProcess((_s, cmd, ctx) =>
  readMemoryBinary(ctx, cmd.addr, cmd.length, PACKET_SIZE),
);

export const searchMemoryHandler: Handler<'search-memory'> = withProcess((_s, cmd, ctx) =>
  searchMemory(ctx, cmd.addr, cmd.length, cmd.pattern),
);

export const crcHandler: Handler<'crc'> = withProcess((_s, cmd, ctx) =>
  crcMemory(ctx, cmd.addr, cmd.length),
);
