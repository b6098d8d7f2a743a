// Field helpers shared by the packet parsers. Packets arrive as latin1 text (one char per byte,
// so binary data survives and can be turned back into bytes exactly).
import { errResult, okResult, type Result } from '../errors.js';
import { hexToBigint, hexToBuffer, hexToNumber } from '../common/hex.js';
import { parseThreadId, type ThreadId } from '../common/thread-id.js';

/** A packet of a known kind that could not be parsed; the stub replies with an error. */
export interface MalformedCommand {
  kind: 'malformed';
  packet: string;
  reason: string;
}

export function malformed(packet: string, reason: string): MalformedCommand {
  return { kind: 'malformed', packet, reason };
}

export function latin1Bytes(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}

export function parseNumber(text: string, what: string): Result<number> {
  const r = hexToNumber(text);
  return r.ok ? r : errResult(`bad ${what}: ${r.error}`);
}

/** 2^64, built once: not a BigInt shift per parsed address. */
const ADDRESS_LIMIT = 1n << 64n;

export function parseAddress(text: string, what = 'address'): Result<bigint> {
  const r = hexToBigint(text);
  if (!r.ok) return errResult(`bad ${what}: ${r.error}`);
  if (r.value >= ADDRESS_LIMIT) return errResult(`${what} 0x${text} exceeds 64 bits`);
  return r;
}

export function parseBytes(text: string, what: string): Result<Buffer> {
  const r = hexToBuffer(text);
  return r.ok ? r : errResult(`bad ${what}: ${r.error}`);
}

export function parseThread(text: string): Result<ThreadId> {
  const r = parseThreadId(text);
  return r.ok ? r : errResult(`bad thread id: ${r.error}`);
}

/** `addr,length` as in `m`, `x`, `qCRC:`. */
export function parseAddrLength(text: string): Result<{ addr: bigint; length: number }> {
  const comma = text.indexOf(',');
  if (comma < 0) return errResult('expected addr,length');
  const addr = parseAddress(text.slice(0, comma));
  if (!addr.ok) return addr;
  const length = parseNumber(text.slice(comma + 1), 'length');
  if (!length.ok) return length;
  return okResult({ addr: addr.value, length: length.value });
}

/** A boolean flag written `0` or `1` (QNonStop:, QThreadEvents:, ...). */
export function parseFlag(text: string): Result<boolean> {
  if (text === '0') return okResult(false);
  if (text === '1') return okResult(true);
  return errResult(`expected 0 or 1, got "${text}"`);
}

/**
 * Splits LLDB's `;thread:<tid>;` suffix (lldbgdbremote.md, "QThreadSuffixSupported") off a
 * packet such as `g;thread:1234;` or `p11;thread:1234;`. The trailing `;` is optional.
 */
export function splitThreadSuffix(text: string): Result<{ rest: string; thread?: ThreadId }> {
  const at = text.indexOf(';thread:');
  if (at < 0) return okResult({ rest: text });
  let tid = text.slice(at + ';thread:'.length);
  if (tid.endsWith(';')) tid = tid.slice(0, -1);
  const thread = parseThread(tid);
  if (!thread.ok) return thread;
  return okResult({ rest: text.slice(0, at), thread: thread.value });
}

/** Hex-encoded UTF-8 text (file names, monitor commands, environment entries). */
export function parseHexText(text: string, what: string): Result<string> {
  const r = parseBytes(text, what);
  return r.ok ? okResult(r.value.toString('utf8')) : r;
}

/** `<prefix>0` / `<prefix>1` packets (QNonStop:, QThreadEvents:, ...). */
export function parseFlagPacket(packet: string, prefix: string): Result<boolean> {
  return parseFlag(packet.slice(prefix.length));
}

/**
 * `sig;sig;...` GDB signal numbers in hex (QPassSignals:, QProgramSignals:) from packet[from];
 * may be empty.
 * gdb ends every item with `;` (remote.c remote_pass_signals), so one trailing `;` is allowed.
 */
export function parseSignalList(packet: string, from = 0): Result<number[]> {
  const fast = signalListAt(packet, from);
  if (fast !== undefined) return okResult(fast);
  let text = packet.slice(from);
  if (text.endsWith(';')) text = text.slice(0, -1);
  if (text === '') return okResult([]);
  const out: number[] = [];
  for (const item of text.split(';')) {
    const n = parseNumber(item, 'signal');
    if (!n.ok) return n;
    if (n.value > 0xff) return errResult(`signal ${item} above 255`);
    out.push(n.value);
  }
  return okResult(out);
}

/**
 * The usual signal list (1-2 hex digits per item, each followed by `;` but maybe the last) read
 * char by char from `packet[from]` on: gdb sends one around every step over a breakpoint, and
 * a substring, split() with its substrings and a Result cost more than the rest of the parse.
 * Undefined for anything else, which parseSignalList reads (and words the errors of) the
 * general way.
 */
export function signalListAt(packet: string, from: number): number[] | undefined {
  const out: number[] = [];
  const n = packet.length;
  let v = -1;
  for (let i = from; i < n; i++) {
    const c = packet.charCodeAt(i);
    if (c === 0x3b) {
      if (v < 0) return undefined; // an empty item
      out.push(v);
      v = -1;
      continue;
    }
    const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1;
    if (d < 0) return undefined; // upper case and anything else: the general way
    v = v < 0 ? d : v * 16 + d;
    if (v > 0xff) return undefined;
  }
  if (v >= 0) out.push(v);
  return out;
}
