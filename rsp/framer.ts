// Incremental RSP receiver (GDB manual, "Overview", "Interrupts", "Notification Packets").
// Feed it chunks of any size; it returns what completed in that chunk. It never throws and always
// resynchronises on the next `$` or `%` seen between packets (a `$` inside a packet body also
// restarts, since a body can never hold a raw `$`).
//
// Bodies are returned decoded: run-length expansion first, then the `}` escape, the order gdb's
// reader applies (remote.c read_frame expands runs; escapes are undone afterwards). Only binary
// data carries escapes and only text outside binary data would be changed by unescaping, and text
// never contains `}`, so decoding every body here is equivalent and spares each packet parser.
// Buffer imported, not the global: globalThis.Buffer is an accessor in Node 20, a call per use.
import { Buffer } from 'node:buffer';
import { checksum } from './encoder.js';
import {
  RSP_ERR_BAD_ESCAPE,
  RSP_ERR_BAD_RLE,
  RSP_ERR_PACKET_TOO_LARGE,
  RSP_ERR_TRUNCATED_PACKET,
  type RspErrorCode,
} from './errors.js';

export type FrameEvent =
  /** A `$...#cs` packet with a good checksum; the caller acks it (unless in no-ack mode). */
  | { type: 'packet'; body: Buffer }
  /** A `%...#cs` notification (stub to client only; never acked). */
  | { type: 'notification'; body: Buffer }
  | { type: 'ack' }
  | { type: 'nak' }
  /** 0x03 between packets: the client asks to stop the running inferior. */
  | { type: 'interrupt' }
  /** A packet whose checksum did not match; `body` is the raw wire body. The caller NAKs. */
  | { type: 'bad-checksum'; body: Buffer }
  /**
   * A packet was dropped: too large (the caller should ack and reply with an error, since a
   * retransmission would be as large), cut short by a new `$`, or undecodable (bad escape or
   * run-length encoding, with a good checksum: ack and reply with an error).
   */
  | { type: 'error'; code: RspErrorCode; message: string };

export interface FramerOptions {
  /** Largest body accepted, on the wire (between `$` and `#`) and after decoding. */
  maxPacketSize: number;
}

enum State {
  Idle,
  Body,
  Checksum1,
  Checksum2,
}

const DOLLAR = 0x24;
const PERCENT = 0x25;
const HASH = 0x23;
const STAR = 0x2a;
const ESCAPE = 0x7d;

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

type Decoded = { ok: true; body: Buffer } | { ok: false; code: RspErrorCode; message: string };

/**
 * Expands `*` runs, then undoes `}` escapes. Exported for tests and for client-side tools. With
 * `owned`, a `raw` Buffer that needs no decoding is returned itself rather than copied.
 */
export function decodeBody(raw: Uint8Array, maxSize: number, owned = false): Decoded {
  let expanded: Uint8Array = raw;
  if (raw.includes(STAR)) {
    const out: number[] = [];
    for (let i = 0; i < raw.length; i++) {
      const b = raw[i]!;
      if (b !== STAR) {
        out.push(b);
        continue;
      }
      if (out.length === 0) {
        return {
          ok: false,
          code: RSP_ERR_BAD_RLE,
          message: 'run-length marker with no byte to repeat',
        };
      }
      if (i + 1 >= raw.length) {
        return { ok: false, code: RSP_ERR_BAD_RLE, message: 'run-length marker without a count' };
      }
      const count = raw[++i]! - 29;
      // The manual's encoder uses ' ' (3) to '~' (97), but gdb's reader (remote.c read_frame)
      // takes any count from 1 up; we read as leniently as gdb does.
      if (count < 1) {
        return {
          ok: false,
          code: RSP_ERR_BAD_RLE,
          message: `bad run-length count byte ${count + 29}`,
        };
      }
      if (out.length + count > maxSize) {
        return {
          ok: false,
          code: RSP_ERR_PACKET_TOO_LARGE,
          message: `run-length expansion exceeds ${maxSize} bytes`,
        };
      }
      const last = out[out.length - 1]!;
      for (let k = 0; k < count; k++) out.push(last);
    }
    expanded = Uint8Array.from(out);
  }
  if (!expanded.includes(ESCAPE)) {
    // Nothing to undo: a Buffer the caller owns is the body as it is (no copy).
    return {
      ok: true,
      body:
        expanded instanceof Buffer && expanded === raw && owned ? expanded : Buffer.from(expanded),
    };
  }
  const out = Buffer.allocUnsafe(expanded.length);
  let j = 0;
  for (let i = 0; i < expanded.length; i++) {
    const b = expanded[i]!;
    if (b === ESCAPE) {
      if (i + 1 >= expanded.length) {
        return {
          ok: false,
          code: RSP_ERR_BAD_ESCAPE,
          message: 'escape character at end of packet',
        };
      }
      out[j++] = expanded[++i]! ^ 0x20;
    } else {
      out[j++] = b;
    }
  }
  return { ok: true, body: Buffer.from(out.subarray(0, j)) };
}

export class Framer {
  /** Packets dropped for a checksum mismatch. */
  badChecksums = 0;
  /** Packets dropped for exceeding maxPacketSize. */
  oversized = 0;
  /** Bytes seen between packets that were neither `+`, `-`, 0x03 nor a packet start. */
  discardedBytes = 0;

  private readonly maxPacketSize: number;
  private state = State.Idle;
  private notification = false;
  private overflow = false;
  private buf: Buffer;
  private len = 0;
  private sum = 0;
  private received = 0;
  /** The body, when it came whole in one chunk (a view of that chunk until finish()). */
  private whole: Uint8Array | undefined;

  constructor(opts: FramerOptions) {
    this.maxPacketSize = Math.max(1, Math.floor(opts.maxPacketSize));
    this.buf = Buffer.allocUnsafe(Math.min(this.maxPacketSize, 4096));
  }

  /** Whether a packet has begun and not yet ended. */
  get inPacket(): boolean {
    return this.state !== State.Idle;
  }

  push(chunk: Uint8Array): FrameEvent[] {
    const events: FrameEvent[] = [];
    let i = 0;
    while (i < chunk.length) {
      switch (this.state) {
        case State.Idle:
          i = this.idle(chunk, i, events);
          break;
        case State.Body:
          i = this.body(chunk, i, events);
          break;
        case State.Checksum1:
        case State.Checksum2:
          i = this.checksumByte(chunk, i, events);
          break;
      }
    }
    return events;
  }

  private idle(chunk: Uint8Array, i: number, events: FrameEvent[]): number {
    const b = chunk[i]!;
    if (b === DOLLAR || b === PERCENT) this.start(b === PERCENT);
    else if (b === 0x2b) events.push({ type: 'ack' });
    else if (b === 0x2d) events.push({ type: 'nak' });
    else if (b === 0x03) events.push({ type: 'interrupt' });
    else this.discardedBytes++;
    return i + 1;
  }

  private start(notification: boolean): void {
    this.whole = undefined;
    this.state = State.Body;
    this.notification = notification;
    this.overflow = false;
    this.len = 0;
    this.sum = 0;
  }

  private body(chunk: Uint8Array, i: number, events: FrameEvent[]): number {
    let end = i;
    while (end < chunk.length && chunk[end] !== HASH && chunk[end] !== DOLLAR) end++;
    const part = chunk.subarray(i, end);
    if (this.len === 0 && end + 2 < chunk.length && chunk[end] === HASH && !this.overflow) {
      // The whole packet, checksum included, is in this chunk (the usual case): its body is
      // copied once, in finish() before push() returns, instead of into the reassembly buffer
      // first. (A chunk may be a reused read buffer: no view of it outlives push().)
      this.whole = part;
      this.sum = checksum(part);
      if (part.length > this.maxPacketSize) this.overflow = true;
    } else {
      this.append(part);
    }
    if (end === chunk.length) return end;
    if (chunk[end] === DOLLAR) {
      events.push({
        type: 'error',
        code: RSP_ERR_TRUNCATED_PACKET,
        message: 'packet start inside a packet; the partial packet was dropped',
      });
      this.start(false);
      return end + 1;
    }
    this.state = State.Checksum1;
    this.received = 0;
    return end + 1;
  }

  private append(data: Uint8Array): void {
    if (this.overflow || data.length === 0) return;
    let sum = this.sum;
    for (let i = 0; i < data.length; i++) sum += data[i]!;
    this.sum = sum & 0xff;
    if (this.len + data.length > this.maxPacketSize) {
      // Keep reading to the end of the packet, then report it once (see finish).
      this.overflow = true;
      return;
    }
    if (this.len + data.length > this.buf.length) {
      const grown = Buffer.allocUnsafe(
        Math.min(this.maxPacketSize, Math.max(this.buf.length * 2, this.len + data.length)),
      );
      this.buf.copy(grown, 0, 0, this.len);
      this.buf = grown;
    }
    this.buf.set(data, this.len);
    this.len += data.length;
  }

  private checksumByte(chunk: Uint8Array, i: number, events: FrameEvent[]): number {
    const b = chunk[i]!;
    if (b === DOLLAR) {
      events.push({
        type: 'error',
        code: RSP_ERR_TRUNCATED_PACKET,
        message: 'packet start inside a checksum; the partial packet was dropped',
      });
      this.start(false);
      return i + 1;
    }
    const v = hexValue(b);
    // A non-hex digit can never match; remember that with a value outside 0..255.
    this.received = v < 0 || this.received < 0 ? -1 : (this.received << 4) | v;
    if (this.state === State.Checksum1) {
      this.state = State.Checksum2;
      return i + 1;
    }
    this.state = State.Idle;
    this.finish(events);
    return i + 1;
  }

  private finish(events: FrameEvent[]): void {
    if (this.overflow) {
      // Reported only once the packet is over, so the caller's ack and error reply follow a
      // whole packet. The checksum is not consulted: a retransmission would be as large.
      this.oversized++;
      events.push({
        type: 'error',
        code: RSP_ERR_PACKET_TOO_LARGE,
        message: `packet body exceeds ${this.maxPacketSize} bytes; dropped`,
      });
      return;
    }
    // The one copy of the packet: the chunk (or the reassembly buffer) is reused after this.
    const raw = Buffer.from(this.whole ?? this.buf.subarray(0, this.len));
    this.whole = undefined;
    if (this.received !== this.sum) {
      this.badChecksums++;
      events.push({ type: 'bad-checksum', body: raw });
      return;
    }
    const decoded = decodeBody(raw, this.maxPacketSize, true);
    if (!decoded.ok) {
      if (decoded.code === RSP_ERR_PACKET_TOO_LARGE) this.oversized++;
      events.push({ type: 'error', code: decoded.code, message: decoded.message });
      return;
    }
    events.push({ type: this.notification ? 'notification' : 'packet', body: decoded.body });
  }
}
