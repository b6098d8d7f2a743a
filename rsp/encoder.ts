// Packet encoding (GDB manual, "Overview"): `$body#cs` (and `%body#cs` for notifications,
// "Notification Packets"), where cs is the modulo-256 sum of the bytes between the delimiters,
// written as two lowercase hex digits.
//
// The body is escaped with `}` for 0x23 `#`, 0x24 `$`, 0x7d `}` and 0x2a `*` so that any byte
// string frames safely. gdb's reader (remote.c read_frame) expands run-length encoding in every
// reply but undoes the `}` escape only where data is binary: qXfer data, vFile attachments and
// the `x` reply. Text replies therefore must not contain those four bytes to begin with
// (replies/basic.ts keeps `E.` texts clean; hex and key:value replies never have them). LLDB's
// JSON replies are escaped the same way by lldb-server (SendJSONResponse), so JSON bodies may be
// passed as they are. Escaping first and compressing second matches the readers, which expand
// runs first and unescape afterwards.
// Buffer imported, not the global: globalThis.Buffer is an accessor in Node 20, a call per use.
import { Buffer } from 'node:buffer';
import { escapeBinary, needsEscape } from './common/binary.js';

const HEX = '0123456789abcdef';
const ESCAPED = Uint8Array.from({ length: 256 }, (_, b) => (needsEscape(b) ? 1 : 0));

/** Modulo-256 sum of the bytes, the RSP checksum. */
export function checksum(bytes: Uint8Array): number {
  return sumBytes(bytes, 0, bytes.length) & 0xff;
}

export interface EncodeOptions {
  /** Run-length encode runs of repeated bytes (only replies may be compressed). */
  rle?: boolean;
}

// Repeat counts (GDB manual, "Overview"): the byte after `*` is n + 29 for n extra copies and
// must be printable and neither `#` (n = 6) nor `$` (n = 7); so n runs from 3 (` `) to 97 (`~`).
// Older manuals also ruled out `+` (n = 14) and `-` (n = 16), which a glitching link could
// confuse with acks, and we avoid `*` (n = 13) and `}` (n = 96) so that a reader scanning for
// markers or unescaping before expanding is not misled. A forbidden count is lowered and the
// rest of the run starts a new group.
const RLE_MIN = 3;
const RLE_MAX = 97;
const FORBIDDEN_COUNTS = new Set([6, 7, 13, 14, 16, 96]);

function rleCount(extra: number): number {
  let n = Math.min(extra, RLE_MAX);
  while (FORBIDDEN_COUNTS.has(n)) n--;
  return n;
}

/** Run-length encodes an already escaped body. Exported for tests. */
export function runLengthEncode(data: Uint8Array): Buffer {
  const out: number[] = [];
  let i = 0;
  while (i < data.length) {
    const b = data[i]!;
    let run = 1;
    while (i + run < data.length && data[i + run] === b) run++;
    i += run;
    // Each group is the byte itself plus, if worth it, `*` and a count of extra copies; what a
    // count cannot cover (forbidden or over 97) starts a new group.
    let remaining = run;
    while (remaining > 0) {
      out.push(b);
      remaining--;
      if (remaining >= RLE_MIN) {
        const n = rleCount(remaining);
        out.push(0x2a, n + 29);
        remaining -= n;
      }
    }
  }
  return Buffer.from(out);
}

function frame(start: number, body: Buffer | string, opts?: EncodeOptions): Buffer {
  let wire: Buffer;
  if (typeof body === 'string' && !opts?.rle) {
    // Text replies (hex, key:value) rarely need an escape: encode straight into the frame.
    const len = Buffer.byteLength(body, 'utf8');
    const out = Buffer.allocUnsafe(len + 4);
    out.write(body, 1, 'utf8');
    // One pass for both the checksum and the escape test.
    let sum = 0;
    let escapes = 0;
    for (let i = 1; i <= len; i++) {
      const b = out[i]!;
      sum += b;
      escapes |= ESCAPED[b]!;
    }
    if (escapes === 0) return finishFrame(out, start, len, sum & 0xff);
    wire = escapeBinary(out.subarray(1, len + 1));
  } else if (typeof body !== 'string' && !opts?.rle) {
    return frameBinary(start, body);
  } else {
    wire = escapeBinary(typeof body === 'string' ? Buffer.from(body, 'utf8') : body);
    if (opts?.rle) wire = runLengthEncode(wire);
  }
  const out = Buffer.allocUnsafe(wire.length + 4);
  wire.copy(out, 1);
  return finishFrame(out, start, wire.length);
}

/**
 * The sum of data[from..to) (not reduced modulo 256). Four bytes a step: cold, V8 runs this in
 * its interpreter, where a loop step per byte costs ~0.1-0.2 us, and a session's host I/O reads
 * are ~0.5 MB (bench/RESULTS.md, session 16). Each 32-bit word adds its bytes 0 and 2 and its
 * bytes 1 and 3 as two 16-bit lanes; 64 words carry out of neither the low lane (64 * 510 <
 * 65536) nor 32 bits, so a block's sum is its two lanes added.
 */
export function sumBytes(data: Uint8Array, from: number, to: number): number {
  let sum = 0;
  let i = from;
  while (i < to && ((data.byteOffset + i) & 3) !== 0) sum += data[i++]!;
  const words = (to - i) >> 2;
  if (words > 0) {
    const w32 = new Uint32Array(data.buffer, data.byteOffset + i, words);
    for (let k = 0; k < words; ) {
      const end = Math.min(k + 64, words);
      let acc = 0;
      for (; k < end; k++) {
        const w = w32[k]!;
        acc += (w & 0x00ff00ff) + ((w >>> 8) & 0x00ff00ff);
      }
      sum += (acc & 0xffff) + (acc >>> 16);
    }
    i += words << 2;
  }
  while (i < to) sum += data[i++]!;
  return sum;
}

/** The bytes the binary escape covers (GDB manual, "Overview"). */
const ESCAPE_BYTES = [0x23, 0x24, 0x7d, 0x2a];

/**
 * The first byte to escape at or after `from`, or data.length; next[k] keeps where
 * ESCAPE_BYTES[k] occurs next (below `from`: not looked for yet).
 */
function nextEscape(data: Uint8Array, from: number, next: Int32Array): number {
  let p = data.length;
  for (let k = 0; k < 4; k++) {
    if (next[k]! < from) {
      const at = data.indexOf(ESCAPE_BYTES[k]!, from);
      next[k] = at < 0 ? data.length : at;
    }
    if (next[k]! < p) p = next[k]!;
  }
  return p;
}

interface Escaped {
  /** Bytes of data that went in. */
  consumed: number;
  /** Where the copy ends in out. */
  end: number;
  /** The sum of the bytes written (not reduced). */
  sum: number;
}

/**
 * Copies data escaped into out from `at`, at most `room` bytes, stopping before a byte that
 * does not fit whole. The runs between bytes to escape are found with indexOf and copied with
 * TypedArray.set, both native: no JavaScript step per byte, which a session's first host I/O
 * reads and documents ran in V8's interpreter (bench/RESULTS.md, session 16).
 */
function escapeInto(data: Uint8Array, out: Uint8Array, at: number, room: number): Escaped {
  const n = data.length;
  const next = new Int32Array(4).fill(-1);
  let i = 0;
  let j = at;
  let extra = 0;
  while (i < n) {
    const p = nextEscape(data, i, next);
    const run = Math.min(p - i, room);
    if (run > 0) {
      out.set(data.subarray(i, i + run), j);
      i += run;
      j += run;
      room -= run;
    }
    if (i < p || i === n || room < 2) break;
    const b = data[i++]!;
    const e = b ^ 0x20;
    out[j] = 0x7d;
    out[j + 1] = e;
    j += 2;
    room -= 2;
    // The escape's two bytes in place of the byte.
    extra += 0x7d + e - b;
  }
  return { consumed: i, end: j, sum: sumBytes(data, 0, i) + extra };
}

/**
 * Escapes `data` straight into the frame and sums it: binary replies (vFile:pread, qXfer, x)
 * are up to 64 KiB.
 */
function frameBinary(start: number, data: Uint8Array): Buffer {
  const n = data.length;
  const out = Buffer.allocUnsafe(2 * n + 4);
  const { end, sum } = escapeInto(data, out, 1, 2 * n);
  return finishFrame(out.subarray(0, end + 3), start, end - 1, sum & 0xff);
}

/**
 * `$<head(n)><data[0..n) escaped>#cs` for the longest prefix n of `data` whose body, head
 * included, fits in `max` bytes; `head` (`F<n>;` for host I/O reads) is ASCII that needs no
 * escape and never shorter for a larger n. One pass fits, escapes, copies and sums: host I/O
 * reads are 64 KiB, and a pass to fit, a copy behind the head and the encoder's own passes took
 * about twice as long, warm or cold (bench/RESULTS.md, session 12).
 */
export function encodeDataPrefixWithin(
  data: Uint8Array,
  max: number,
  head: (n: number) => string,
): Buffer {
  const n = data.length;
  // The data goes after the longest head; a shorter one ends at the same place.
  const at = 1 + head(n).length;
  const room = Math.max(0, max - (at - 1));
  const out = Buffer.allocUnsafe(at + Math.min(2 * n, room) + 3);
  const escaped = escapeInto(data, out, at, room);
  let sum = escaped.sum;
  const h = head(escaped.consumed);
  const first = at - h.length;
  for (let k = 0; k < h.length; k++) {
    const c = h.charCodeAt(k);
    out[first + k] = c;
    sum += c;
  }
  const frame = out.subarray(first - 1, escaped.end + 3);
  return finishFrame(frame, 0x24, escaped.end - first, sum & 0xff);
}

/** Fills in `$`/`%`, `#` and the checksum around the `len` body bytes already at out[1..]. */
function finishFrame(
  out: Buffer,
  start: number,
  len: number,
  sum = checksum(out.subarray(1, len + 1)),
): Buffer {
  out[0] = start;
  out[len + 1] = 0x23;
  out[len + 2] = HEX.charCodeAt(sum >> 4);
  out[len + 3] = HEX.charCodeAt(sum & 0xf);
  return out;
}

// Each byte's two hex digits as one little-endian 16-bit store, and their checksum share.
const HEX_PAIR = new Uint16Array(256);
const HEX_PAIR_SUM = new Uint16Array(256);
for (let b = 0; b < 256; b++) {
  const hi = HEX.charCodeAt(b >> 4);
  const lo = HEX.charCodeAt(b & 0xf);
  HEX_PAIR[b] = hi | (lo << 8);
  HEX_PAIR_SUM[b] = hi + lo;
}

/**
 * `$<hex of data[0..length)>#cs` built in one buffer: encodePacket(hex text) without the text
 * (the `m` reply from a reused read buffer). Hex digits never need an escape.
 */
export function encodeHexPacket(data: Uint8Array, length: number): Buffer {
  const out = Buffer.allocUnsafe(2 * length + 4);
  encodeHexPacketInto(out, data, length);
  return out;
}

/**
 * `$body#cs` framed into `out` from its start, as encodePacket(body) frames it; returns the
 * frame's length, or -1 where encodePacket is needed instead (a char above 0x7f, whose UTF-8
 * is more than one byte; a byte that needs an escape; a frame longer than `out`). The reply
 * path's usual case: a short text reply framed into the link's reply buffer with no Buffer of
 * its own and no call into C++ (Buffer.write, Buffer.byteLength) (bench/RESULTS.md, session 16).
 */
export function encodePacketInto(out: Uint8Array, body: string): number {
  const len = body.length;
  if (len + 4 > out.length) return -1;
  let sum = 0;
  for (let i = 0; i < len; i++) {
    const c = body.charCodeAt(i);
    if (c > 0x7f || ESCAPED[c] === 1) return -1;
    out[i + 1] = c;
    sum += c;
  }
  out[0] = 0x24;
  out[len + 1] = 0x23;
  out[len + 2] = HEX.charCodeAt((sum >> 4) & 0xf);
  out[len + 3] = HEX.charCodeAt(sum & 0xf);
  return len + 4;
}

/**
 * encodeHexPacket(data, length) framed into `out` from its start; returns the frame's length,
 * or -1 when it is longer than `out`.
 */
export function encodeHexPacketInto(out: Uint8Array, data: Uint8Array, length: number): number {
  if (2 * length + 4 > out.length) return -1;
  let sum = 0;
  let j = 1;
  for (let i = 0; i < length; i++) {
    const b = data[i]!;
    const pair = HEX_PAIR[b]!;
    out[j] = pair & 0xff;
    out[j + 1] = pair >> 8;
    sum += HEX_PAIR_SUM[b]!;
    j += 2;
  }
  sum &= 0xff;
  out[0] = 0x24;
  out[j] = 0x23;
  out[j + 1] = HEX.charCodeAt(sum >> 4);
  out[j + 2] = HEX.charCodeAt(sum & 0xf);
  return j + 3;
}

/** `$body#cs`. A string body is sent as UTF-8. */
export function encodePacket(body: Buffer | string, opts?: EncodeOptions): Buffer {
  return frame(0x24, body, opts);
}

/** `%body#cs`, an asynchronous notification such as `%Stop:T05...`. */
export function encodeNotification(body: Buffer | string, opts?: EncodeOptions): Buffer {
  return frame(0x25, body, opts);
}

export const ACK = Buffer.from('+');
export const NAK = Buffer.from('-');
/** The interrupt request a client sends between packets (GDB manual, "Interrupts"). */
export const INTERRUPT = Buffer.from([0x03]);
