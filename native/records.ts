// The ntrace record codec: commands are encoded with Buffer writes, replies and events decoded
// with binary-parser. Pure functions over bytes; no I/O.
import { Parser } from 'binary-parser';
import {
  BP_EXPR_CMD,
  BP_EXPR_COND,
  CAP_BITS,
  Cmd,
  DETACH_REASONS,
  Ev,
  HDR_SIZE,
  OUTPUT_SIZE,
  OUTPUT_TRUNCATED,
  REPLY,
  SIGINFO_SIZE,
  STOP_DATA_WORDS,
  STOP_REASONS,
  STOP_REGS_SIZE,
  STOP_SIZE,
  STOPF_REGS,
  THREAD_STATES,
} from './constants.js';
import type {
  BreakpointExprs,
  Caps,
  EngineEvent,
  ProcessExitEvent,
  StopEvent,
  ThreadInfo,
  ThreadRef,
} from './types.js';

export interface RecordHeader {
  len: number;
  type: number;
  flags: number;
  seq: bigint;
}

export interface Reply {
  seq: bigint;
  error: number;
  cmdType: number;
  payload: Buffer;
}

export interface RawHello {
  abi: number;
  backend: number;
  features: bigint;
  caps: bigint;
  maxRecord: number;
  queueBytes: number;
  hwSlots: number;
  xstateSize: number;
  xcr0: bigint;
}

const le = () => new Parser().endianness('little');

/**
 * Compiles a binary-parser parser once, without the bookkeeping its generated code wraps every
 * result in: it adds `$parent`/`$root` to the result and deletes them at the end, which turns
 * each decoded object into a slow dictionary-mode object (a third of the decode time of a STOP
 * record). Our parsers never refer to them (no context variables, no imports), so the same
 * generated code is used with those lines left out; any other parser keeps binary-parser's own.
 */
function compile<T>(parser: Parser): (buf: Buffer) => T {
  const code = parser.getCode();
  const bookkeeping = /^(vars\.\$(parent|root) = .*|delete vars\.\$(parent|root));$/;
  const kept = code.split('\n').filter((l) => !bookkeeping.test(l));
  const other = /\$parent|\$root|imports|TextDecoder|constructorFn\(/;
  if (kept.some((l) => other.test(l))) return (buf) => parser.parse(buf) as T;
  const fn = new Function('buffer', kept.join('\n')) as (buf: Buffer) => T;
  return fn;
}

const hdrParser = le().uint32('len').uint16('type').uint16('flags').uint64('seq');
const threadParser = le().uint64('handle').int32('tgid').int32('tid');

const replyParser = le()
  .nest('hdr', { type: hdrParser })
  .int32('error')
  .uint32('cmdType')
  .buffer('payload', { readUntil: 'eof' });

const helloParser = le()
  .uint32('abi')
  .uint32('backend')
  .uint64('features')
  .uint64('caps')
  .uint32('maxRecord')
  .uint32('queueBytes')
  .uint32('hwSlots')
  .uint32('xstateSize')
  .uint64('xcr0');

const threadInfoParser = le()
  .nest('thread', { type: threadParser })
  .uint64('stopId')
  .uint32('state')
  .uint32('reserved');

const threadListParser = le()
  .uint32('count')
  .uint32('reserved')
  .array('threads', { type: threadInfoParser, length: 'count' });

const lenDataParser = le().uint32('len').uint32('reserved').buffer('data', { length: 'len' });

const stopParser = le()
  .nest('hdr', { type: hdrParser })
  .nest('thread', { type: threadParser })
  .uint64('stopId')
  .uint32('reason')
  .int32('signo')
  .uint64('pc')
  .uint64('sp')
  .array('data', { type: 'uint64le', length: STOP_DATA_WORDS })
  .buffer('siginfo', { length: SIGINFO_SIZE });

const threadEvParser = le()
  .nest('hdr', { type: hdrParser })
  .nest('thread', { type: threadParser })
  .int64('data');

const procExitParser = le()
  .nest('hdr', { type: hdrParser })
  .nest('thread', { type: threadParser })
  .int32('wstatus')
  .uint32('reserved');

const detachedParser = le().nest('hdr', { type: hdrParser }).int32('pid').uint32('reason');
const lostParser = le().nest('hdr', { type: hdrParser }).uint64('count').uint64('firstSeq');

// Compiled once, at load.
const hdrDecode = compile<unknown>(hdrParser);
const replyDecode = compile<unknown>(replyParser);
const helloDecode = compile<unknown>(helloParser);
const threadDecode = compile<unknown>(threadParser);
const threadListDecode = compile<unknown>(threadListParser);
const lenDataDecode = compile<unknown>(lenDataParser);
const stopDecode = compile<unknown>(stopParser);
const threadEvDecode = compile<unknown>(threadEvParser);
const procExitDecode = compile<unknown>(procExitParser);
const detachedDecode = compile<unknown>(detachedParser);
const lostDecode = compile<unknown>(lostParser);

interface ParsedThread {
  handle: bigint;
  tgid: number;
  tid: number;
}

function threadRef(t: ParsedThread): ThreadRef {
  return { handle: t.handle, tgid: t.tgid, tid: t.tid };
}

export function decodeHeader(rec: Buffer): RecordHeader {
  return hdrDecode(rec) as RecordHeader;
}

/** Splits a buffer of whole records by hdr.len. Throws on a frame that does not fit. */
export function splitRecords(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let off = 0;
  while (off < buf.length) {
    if (buf.length - off < HDR_SIZE) throw new Error('truncated record header');
    const len = buf.readUInt32LE(off);
    if (len < HDR_SIZE || len % 8 !== 0 || off + len > buf.length) {
      throw new Error(`bad record length ${len}`);
    }
    out.push(buf.subarray(off, off + len));
    off += len;
  }
  return out;
}

export function isReply(rec: Buffer): boolean {
  return rec.readUInt16LE(4) === REPLY;
}

export function decodeReply(rec: Buffer): Reply {
  const r = replyDecode(rec) as {
    hdr: RecordHeader;
    error: number;
    cmdType: number;
    payload: Buffer;
  };
  return { seq: r.hdr.seq, error: r.error, cmdType: r.cmdType, payload: r.payload };
}

export function decodeHello(payload: Buffer): RawHello {
  return helloDecode(payload) as RawHello;
}

export function decodeCaps(bits: bigint): Caps {
  const caps = {} as Record<(typeof CAP_BITS)[number], boolean>;
  CAP_BITS.forEach((name, i) => {
    caps[name] = ((bits >> BigInt(i)) & 1n) === 1n;
  });
  return caps;
}

export function decodeThreadRef(payload: Buffer): ThreadRef {
  return threadRef(threadDecode(payload) as ParsedThread);
}

export function decodeThreadList(payload: Buffer): ThreadInfo[] {
  const r = threadListDecode(payload) as {
    threads: { thread: ParsedThread; stopId: bigint; state: number }[];
  };
  return r.threads.map((t) => ({
    ...threadRef(t.thread),
    stopId: t.stopId,
    state: THREAD_STATES[t.state] ?? 'running',
  }));
}

/** The {u32 len; u32 reserved; u8 data[len]} replies of GET_REGS, READ_MEM, WRITE_MEM. */
export function decodeLenData(payload: Buffer): { len: number; data: Buffer } {
  const r = lenDataDecode(payload) as { len: number; data: Buffer };
  return { len: r.len, data: r.data };
}

export function decodeMemLen(payload: Buffer): number {
  return payload.readUInt32LE(0);
}

/** wait(2) status to the typed exit. */
export function decodeWaitStatus(status: number): { code: number } | { signal: number } {
  const sig = status & 0x7f;
  return sig === 0 ? { code: (status >> 8) & 0xff } : { signal: sig };
}

/** Decodes one event record; undefined for types this binding does not know (skipped by len). */
export function decodeEvent(rec: Buffer): EngineEvent | undefined {
  const type = rec.readUInt16LE(4);
  switch (type) {
    case Ev.STOP: {
      const s = stopDecode(rec) as {
        hdr: RecordHeader;
        thread: ParsedThread;
        stopId: bigint;
        reason: number;
        signo: number;
        pc: bigint;
        sp: bigint;
        data: bigint[];
        siginfo: Buffer;
      };
      const reason = STOP_REASONS[s.reason];
      if (reason === undefined) return undefined;
      const ev: StopEvent = {
        type: 'stop',
        seq: s.hdr.seq,
        thread: threadRef(s.thread),
        stopId: s.stopId,
        reason,
        signo: s.signo,
        pc: s.pc,
        sp: s.sp,
        data: s.data,
        // Views of the record, not copies: each read hands JavaScript a fresh buffer of its own.
        siginfo: s.siginfo,
      };
      if ((s.hdr.flags & STOPF_REGS) !== 0 && rec.length >= STOP_SIZE + STOP_REGS_SIZE) {
        ev.regs = rec.subarray(STOP_SIZE, STOP_SIZE + STOP_REGS_SIZE);
      }
      return ev;
    }
    case Ev.THREAD_NEW:
    case Ev.THREAD_EXIT: {
      const t = threadEvDecode(rec) as {
        hdr: RecordHeader;
        thread: ParsedThread;
        data: bigint;
      };
      if (type === Ev.THREAD_NEW) {
        return { type: 'thread-new', seq: t.hdr.seq, thread: threadRef(t.thread), parent: t.data };
      }
      const exit = decodeWaitStatus(Number(t.data));
      const code = 'code' in exit ? exit.code : 128 + exit.signal;
      return { type: 'thread-exit', seq: t.hdr.seq, thread: threadRef(t.thread), code };
    }
    case Ev.PROC_EXIT: {
      const p = procExitDecode(rec) as {
        hdr: RecordHeader;
        thread: ParsedThread;
        wstatus: number;
      };
      const ev: ProcessExitEvent = {
        type: 'process-exit',
        seq: p.hdr.seq,
        thread: threadRef(p.thread),
        pid: p.thread.tgid,
        exit: decodeWaitStatus(p.wstatus),
      };
      return ev;
    }
    case Ev.DETACHED: {
      const d = detachedDecode(rec) as { hdr: RecordHeader; pid: number; reason: number };
      return {
        type: 'detached',
        seq: d.hdr.seq,
        pid: d.pid,
        reason: DETACH_REASONS[d.reason] ?? 'gone',
      };
    }
    case Ev.LOST: {
      const l = lostDecode(rec) as { hdr: RecordHeader; count: bigint; firstSeq: bigint };
      return { type: 'lost', seq: l.hdr.seq, count: l.count, firstSeq: l.firstSeq };
    }
    case Ev.OUTPUT: {
      if (rec.length < OUTPUT_SIZE) return undefined;
      const len = rec.readUInt32LE(40);
      if (len > rec.length - OUTPUT_SIZE) return undefined;
      return {
        type: 'output',
        seq: rec.readBigUInt64LE(8),
        thread: {
          handle: rec.readBigUInt64LE(16),
          tgid: rec.readInt32LE(24),
          tid: rec.readInt32LE(28),
        },
        addr: rec.readBigUInt64LE(32),
        text: Buffer.from(rec.subarray(OUTPUT_SIZE, OUTPUT_SIZE + len)),
        truncated: (rec.readUInt32LE(44) & OUTPUT_TRUNCATED) !== 0,
      };
    }
    default:
      return undefined;
  }
}

// ------------------------------------------------------------------ encoders

const align8 = (n: number) => (n + 7) & ~7;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const TWO_32 = 0x100000000;

/**
 * A u64 field. Values up to 2^53 (seqs, stop ids, handles, user addresses: all of the hot
 * path) are written as two 32-bit halves from a Number, without writeBigUInt64LE's BigInt
 * arithmetic; anything else goes through it, with its RangeError for what a u64 cannot hold.
 */
export function writeU64(b: Buffer, v: bigint, at: number): void {
  if (v >= 0n && v <= MAX_SAFE) {
    const n = Number(v);
    const lo = n % TWO_32;
    b.writeUInt32LE(lo, at);
    b.writeUInt32LE((n - lo) / TWO_32, at + 4);
  } else b.writeBigUInt64LE(v, at);
}

/**
 * A command record of HDR_SIZE + bodyLen bytes, aligned, zeroed (unused fields must be zero)
 * with its header written; the encoders write the body at HDR_SIZE + offset.
 */
function record(type: number, seq: bigint, bodyLen: number): Buffer {
  const len = align8(HDR_SIZE + bodyLen);
  // From node's pool (small commands are the hot path).
  const b = Buffer.allocUnsafe(len).fill(0);
  b.writeUInt32LE(len, 0);
  b.writeUInt16LE(type, 4);
  writeU64(b, seq, 8);
  return b;
}

/** A command record: header plus a body of bodyLen bytes (zeroed), filled by `fill`. */
export function encodeRecord(
  type: number,
  seq: bigint,
  bodyLen: number,
  fill?: (body: Buffer) => void,
): Buffer {
  const b = record(type, seq, bodyLen);
  if (fill) fill(b.subarray(HDR_SIZE, HDR_SIZE + bodyLen));
  return b;
}

const H = HDR_SIZE;

export function encodeHello(seq: bigint, abiMin: number, abiMax: number): Buffer {
  return encodeRecord(Cmd.HELLO, seq, 16, (b) => {
    b.writeUInt32LE(abiMin, 0);
    b.writeUInt32LE(abiMax, 4);
  });
}

export function encodeLaunch(
  seq: bigint,
  flags: number,
  path: string,
  cwd: string,
  argv: string[],
  env: string[],
): Buffer {
  const strings = Buffer.concat(
    [path, cwd, ...argv, ...env].map((s) => Buffer.from(`${s}\0`, 'utf8')),
  );
  return encodeRecord(Cmd.LAUNCH, seq, 16 + strings.length, (b) => {
    b.writeUInt32LE(flags, 0);
    b.writeUInt32LE(argv.length, 4);
    b.writeUInt32LE(env.length, 8);
    b.writeUInt32LE(strings.length, 12);
    strings.copy(b, 16);
  });
}

export function encodeAttach(seq: bigint, pid: number, flags: number): Buffer {
  const b = record(Cmd.ATTACH, seq, 8);
  b.writeInt32LE(pid, H);
  b.writeUInt32LE(flags, H + 4);
  return b;
}

/** DETACH, KILL, LIST_THREADS. */
export function encodePid(type: number, seq: bigint, pid: number): Buffer {
  const b = record(type, seq, 8);
  b.writeInt32LE(pid, H);
  return b;
}

export function encodeSetOptions(
  seq: bigint,
  pid: number,
  flags: number,
  events: bigint,
  stopSignals: bigint,
  syscalls: bigint[],
): Buffer {
  const b = record(Cmd.SET_OPTIONS, seq, 24 + 64);
  b.writeInt32LE(pid, H);
  b.writeUInt32LE(flags, H + 4);
  b.writeBigUInt64LE(events, H + 8);
  b.writeBigUInt64LE(stopSignals, H + 16);
  for (let i = 0; i < 8; i++) b.writeBigUInt64LE(syscalls[i] ?? 0n, H + 24 + i * 8);
  return b;
}

export function encodeStop(seq: bigint, handle: bigint, pid: number): Buffer {
  const b = record(Cmd.STOP, seq, 16);
  writeU64(b, handle, H);
  b.writeInt32LE(pid, H + 8);
  return b;
}

export function encodeResume(
  seq: bigint,
  handle: bigint,
  stopId: bigint,
  mode: number,
  sig: number,
  rangeStart: bigint,
  rangeEnd: bigint,
): Buffer {
  const b = record(Cmd.RESUME, seq, 40);
  writeU64(b, handle, H);
  writeU64(b, stopId, H + 8);
  b.writeUInt32LE(mode, H + 16);
  b.writeInt32LE(sig, H + 20);
  writeU64(b, rangeStart, H + 24);
  writeU64(b, rangeEnd, H + 32);
  return b;
}

/** GET_REGS (no data) and SET_REGS. */
export function encodeRegs(
  type: number,
  seq: bigint,
  handle: bigint,
  stopId: bigint,
  regset: number,
  data?: Buffer,
): Buffer {
  const n = data?.length ?? 0;
  const b = record(type, seq, 24 + n);
  writeU64(b, handle, H);
  writeU64(b, stopId, H + 8);
  b.writeUInt32LE(regset, H + 16);
  b.writeUInt32LE(n, H + 20);
  data?.copy(b, H + 24);
  return b;
}

/** READ_MEM (len wanted, no data) and WRITE_MEM (data). */
export function encodeMem(
  type: number,
  seq: bigint,
  pid: number,
  addr: bigint,
  len: number,
  data?: Buffer,
): Buffer {
  const b = record(type, seq, 16 + (data?.length ?? 0));
  b.writeInt32LE(pid, H);
  b.writeUInt32LE(len, H + 4);
  writeU64(b, addr, H + 8);
  data?.copy(b, H + 16);
  return b;
}

export function encodeSiginfo(
  type: number,
  seq: bigint,
  handle: bigint,
  stopId: bigint,
  siginfo?: Buffer,
): Buffer {
  const b = record(type, seq, 16 + (siginfo ? SIGINFO_SIZE : 0));
  writeU64(b, handle, H);
  writeU64(b, stopId, H + 8);
  siginfo?.copy(b, H + 16, 0, SIGINFO_SIZE);
  return b;
}

/** SET_BP's expression items (struct ntrace_bp_expr + bytecode each), conditions first. */
export function encodeBpExprs(exprs: BreakpointExprs | undefined): Buffer | undefined {
  const items: [number, Buffer][] = [
    ...(exprs?.conditions ?? []).map((c): [number, Buffer] => [BP_EXPR_COND, c]),
    ...(exprs?.commands ?? []).map((c): [number, Buffer] => [BP_EXPR_CMD, c]),
  ];
  if (items.length === 0) return undefined;
  const out = Buffer.alloc(items.reduce((n, [, c]) => n + 8 + c.length, 0));
  let at = 0;
  for (const [kind, code] of items) {
    out.writeUInt32LE(code.length, at);
    out.writeUInt16LE(kind, at + 4);
    code.copy(out, at + 8);
    at += 8 + code.length;
  }
  return out;
}

export function encodeBp(
  type: number,
  seq: bigint,
  pid: number,
  kind: number,
  addr: bigint,
  len: number,
  cond?: Buffer,
  flags = 0,
): Buffer {
  const n = cond?.length ?? 0;
  const b = record(type, seq, 24 + n);
  b.writeInt32LE(pid, H);
  b.writeUInt32LE(kind, H + 4);
  writeU64(b, addr, H + 8);
  b.writeUInt32LE(len, H + 16);
  b.writeUInt32LE(n, H + 20);
  cond?.copy(b, H + 24);
  if (flags !== 0) b.writeUInt16LE(flags, 6);
  return b;
}
