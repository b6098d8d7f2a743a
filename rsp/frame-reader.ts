// Incremental RSP receiver reporting through callbacks (GDB manual, "Overview", "Interrupts",
// "Notification Packets"). Feed it chunks of any size; it calls its sink for each thing that
// completes, in wire order, before push() returns. It never throws and always resynchronises on
// the next `$` or `%` seen between packets (a `$` inside a packet body also restarts, since a
// body can never hold a raw `$`).
//
// This is the server's per-packet path: a packet that arrives whole in one chunk (the usual
// case) is scanned once (end, checksum and whether it needs decoding together) and handed over
// as one latin1 string sliced straight from the chunk, with no event object, view or copy
// (bench/RESULTS.md, session 15). Framer (framer.ts) wraps it in the event-array API.
//
// Bodies are handed over decoded: run-length expansion first, then the `}` escape, the order
// gdb's reader applies (remote.c read_frame expands runs; escapes are undone afterwards). Only
// binary data carries escapes and only text outside binary data would be changed by unescaping,
// and text never contains `}`, so decoding every body here is equivalent and spares each packet
// parser. Bodies are strings of one char per byte (latin1), what every packet parser reads.
// Buffer imported, not the global: globalThis.Buffer is an accessor in Node 20, a call per use.
import { Buffer } from 'node:buffer';
import { decodeBody } from './decode.js';
import { RSP_ERR_PACKET_TOO_LARGE, RSP_ERR_TRUNCATED_PACKET, type RspErrorCode } from './errors.js';

/** What a FrameReader reports; every call happens inside push(). */
export interface FrameSink {
  /** A `$...#cs` packet with a good checksum; the caller acks it (unless in no-ack mode). */
  packet(body: string): void;
  /** A `%...#cs` notification (stub to client only; never acked). */
  notification(body: string): void;
  ack(): void;
  nak(): void;
  /** 0x03 between packets: the client asks to stop the running inferior. */
  interrupt(): void;
  /** A packet whose checksum did not match; `raw` is the wire body, undecoded. The caller NAKs. */
  badChecksum(raw: string): void;
  /**
   * A packet was dropped: too large (the caller should ack and reply with an error, since a
   * retransmission would be as large), cut short by a new `$`, or undecodable (bad escape or
   * run-length encoding, with a good checksum: ack and reply with an error).
   */
  error(code: RspErrorCode, message: string): void;
}

export interface FramerOptions {
  /** Largest body accepted, on the wire (between `$` and `#`) and after decoding. */
  maxPacketSize: number;
}

const IDLE = 0;
const BODY = 1;
const CHECKSUM1 = 2;
const CHECKSUM2 = 3;

const DOLLAR = 0x24;
const PERCENT = 0x25;
const HASH = 0x23;
const STAR = 0x2a;
const ESCAPE = 0x7d;

/** Each byte's hex value, -1 for a byte that is no hex digit (either case, as gdb writes). */
const HEX_VALUE = Int8Array.from({ length: 256 }, (_, c) => {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
});

interface Latin1Buffer extends Buffer {
  latin1Slice(start: number, end: number): string;
}

// buf.toString('latin1', s, e) is this after an argument check and an encoding-name lookup per
// call; Node has had the method on every Buffer since 0.x. The fallback keeps the public API.
const FAST_SLICE = typeof (Buffer.prototype as Partial<Latin1Buffer>).latin1Slice === 'function';

/** bytes[start..end) as a string of one char per byte. */
export function latin1(bytes: Uint8Array, start: number, end: number): string {
  const buf =
    bytes instanceof Buffer ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  return FAST_SLICE
    ? (buf as Latin1Buffer).latin1Slice(start, end)
    : buf.toString('latin1', start, end);
}

/** Longest body kept for reuse (recentBody): gdb's repeated packets are shorter. */
const RECENT_MAX = 96;

export class FrameReader {
  /** Packets dropped for a checksum mismatch. */
  badChecksums = 0;
  /** Packets dropped for exceeding maxPacketSize. */
  oversized = 0;
  /** Bytes seen between packets that were neither `+`, `-`, 0x03 nor a packet start. */
  discardedBytes = 0;

  private readonly maxPacketSize: number;
  private state = IDLE;
  private notification = false;
  private overflow = false;
  /** A `*` or `}` was seen in the body: it needs decoding. */
  private special = false;
  /** Reassembly of a body that spans chunks. */
  private buf: Buffer;
  private len = 0;
  private sum = 0;
  private received = 0;
  /**
   * The last body delivered for each checksum, for recentBody: gdb sends the same few packets
   * over and over (QPassSignals, `m` of the same stack, z/Z of the same breakpoints).
   */
  private readonly recent: (string | undefined)[] = new Array<string | undefined>(256).fill(
    undefined,
  );

  constructor(
    private readonly sink: FrameSink,
    opts: FramerOptions,
  ) {
    this.maxPacketSize = Math.max(1, Math.floor(opts.maxPacketSize));
    this.buf = Buffer.allocUnsafe(Math.min(this.maxPacketSize, 4096));
  }

  /** Whether a packet has begun and not yet ended. */
  get inPacket(): boolean {
    return this.state !== IDLE;
  }

  /** Reports what `chunk` completes. The chunk may be reused once this returns. */
  push(chunk: Uint8Array): void {
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      const state = this.state;
      if (state === IDLE) {
        const b = chunk[i]!;
        i++;
        if (b === DOLLAR || b === PERCENT) {
          this.start(b === PERCENT);
          i = this.body(chunk, i);
        } else if (b === 0x2b) this.sink.ack();
        else if (b === 0x2d) this.sink.nak();
        else if (b === 0x03) this.sink.interrupt();
        else this.discardedBytes++;
      } else if (state === BODY) i = this.body(chunk, i);
      else i = this.checksumByte(chunk, i);
    }
  }

  private start(notification: boolean): void {
    this.state = BODY;
    this.notification = notification;
    this.overflow = false;
    this.special = false;
    this.len = 0;
    this.sum = 0;
  }

  /** Body bytes from chunk[i]; returns where to go on. */
  private body(chunk: Uint8Array, i: number): number {
    const n = chunk.length;
    let end = i;
    let sum = 0;
    let special = false;
    // One pass: the end, the checksum and whether the body needs decoding.
    for (; end < n; end++) {
      const b = chunk[end]!;
      if (b === HASH || b === DOLLAR) break;
      sum += b;
      if (b === STAR || b === ESCAPE) special = true;
    }
    if (this.len === 0 && !this.overflow && end + 2 < n && chunk[end] === HASH) {
      // The whole packet, checksum included, is in this chunk (the usual case): no copy.
      const hi = HEX_VALUE[chunk[end + 1]!]!;
      const lo = HEX_VALUE[chunk[end + 2]!]!;
      if (hi >= 0 && lo >= 0 && end - i <= this.maxPacketSize) {
        this.state = IDLE;
        this.deliver(chunk, i, end, (hi << 4) | lo, sum & 0xff, special || this.special);
        return end + 3;
      }
      // A checksum digit that is no hex digit (maybe a `$` restarting): byte by byte below.
    }
    this.append(chunk, i, end, sum);
    if (special) this.special = true;
    if (end === n) return end;
    if (chunk[end] === DOLLAR) {
      this.sink.error(
        RSP_ERR_TRUNCATED_PACKET,
        'packet start inside a packet; the partial packet was dropped',
      );
      this.start(false);
      return end + 1;
    }
    this.state = CHECKSUM1;
    this.received = 0;
    return end + 1;
  }

  private append(chunk: Uint8Array, start: number, end: number, sum: number): void {
    const count = end - start;
    if (this.overflow || count === 0) return;
    this.sum = (this.sum + sum) & 0xff;
    if (this.len + count > this.maxPacketSize) {
      // Keep reading to the end of the packet, then report it once (see finish).
      this.overflow = true;
      return;
    }
    if (this.len + count > this.buf.length) {
      const grown = Buffer.allocUnsafe(
        Math.min(this.maxPacketSize, Math.max(this.buf.length * 2, this.len + count)),
      );
      this.buf.copy(grown, 0, 0, this.len);
      this.buf = grown;
    }
    this.buf.set(chunk.subarray(start, end), this.len);
    this.len += count;
  }

  private checksumByte(chunk: Uint8Array, i: number): number {
    const b = chunk[i]!;
    if (b === DOLLAR) {
      this.sink.error(
        RSP_ERR_TRUNCATED_PACKET,
        'packet start inside a checksum; the partial packet was dropped',
      );
      this.start(false);
      return i + 1;
    }
    const v = HEX_VALUE[b]!;
    // A non-hex digit can never match; remember that with a value outside 0..255.
    this.received = v < 0 || this.received < 0 ? -1 : (this.received << 4) | v;
    if (this.state === CHECKSUM1) {
      this.state = CHECKSUM2;
      return i + 1;
    }
    this.state = IDLE;
    if (this.overflow) {
      // Reported only once the packet is over, so the caller's ack and error reply follow a
      // whole packet. The checksum is not consulted: a retransmission would be as large.
      this.oversized++;
      this.sink.error(
        RSP_ERR_PACKET_TOO_LARGE,
        `packet body exceeds ${this.maxPacketSize} bytes; dropped`,
      );
      return i + 1;
    }
    this.deliver(this.buf, 0, this.len, this.received, this.sum, this.special);
    return i + 1;
  }

  /** A whole body, bytes[start..end), with its checksum as received and as computed. */
  private deliver(
    bytes: Uint8Array,
    start: number,
    end: number,
    received: number,
    sum: number,
    special: boolean,
  ): void {
    if (received !== sum) {
      this.badChecksums++;
      this.sink.badChecksum(latin1(bytes, start, end));
      return;
    }
    let body: string;
    if (!special) body = this.recentBody(bytes, start, end, sum);
    else {
      const decoded = decodeBody(bytes.subarray(start, end), this.maxPacketSize);
      if (!decoded.ok) {
        if (decoded.code === RSP_ERR_PACKET_TOO_LARGE) this.oversized++;
        this.sink.error(decoded.code, decoded.message);
        return;
      }
      body = latin1(decoded.body, 0, decoded.body.length);
    }
    if (this.notification) this.sink.notification(body);
    else this.sink.packet(body);
  }

  /**
   * bytes[start..end) as a string: the string delivered last with this checksum when it has
   * the same bytes (compared here, char by char), else a new one. A repeated packet then costs
   * no call into C++ (latin1Slice) and no new string (bench/RESULTS.md, session 16).
   */
  private recentBody(bytes: Uint8Array, start: number, end: number, sum: number): string {
    const len = end - start;
    if (len > RECENT_MAX) return latin1(bytes, start, end);
    const known = this.recent[sum];
    if (known !== undefined && known.length === len) {
      let i = 0;
      while (i < len && known.charCodeAt(i) === bytes[start + i]) i++;
      if (i === len) return known;
    }
    const body = latin1(bytes, start, end);
    this.recent[sum] = body;
    return body;
  }
}
