// Incremental RSP receiver returning events (GDB manual, "Overview", "Interrupts", "Notification
// Packets"): FrameReader (frame-reader.ts) with its callbacks collected into an array per push,
// bodies as Buffers of their own. For tests and client-side tools; the server's connection uses
// FrameReader directly. Same rules: never throws, resynchronises on the next `$` or `%`, bodies
// decoded (runs expanded, then `}` escapes undone).
// Buffer imported, not the global: globalThis.Buffer is an accessor in Node 20, a call per use.
import { Buffer } from 'node:buffer';
import type { RspErrorCode } from './errors.js';
import { FrameReader, type FrameSink, type FramerOptions } from './frame-reader.js';

export { decodeBody } from './decode.js';
export type { FramerOptions } from './frame-reader.js';

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
  /** A packet dropped (FrameSink.error says which kinds and what the caller does). */
  | { type: 'error'; code: RspErrorCode; message: string };

/** Collects a FrameReader's calls as events. */
class Collector implements FrameSink {
  events: FrameEvent[] = [];
  packet(body: string): void {
    this.events.push({ type: 'packet', body: Buffer.from(body, 'latin1') });
  }
  notification(body: string): void {
    this.events.push({ type: 'notification', body: Buffer.from(body, 'latin1') });
  }
  ack(): void {
    this.events.push({ type: 'ack' });
  }
  nak(): void {
    this.events.push({ type: 'nak' });
  }
  interrupt(): void {
    this.events.push({ type: 'interrupt' });
  }
  badChecksum(raw: string): void {
    this.events.push({ type: 'bad-checksum', body: Buffer.from(raw, 'latin1') });
  }
  error(code: RspErrorCode, message: string): void {
    this.events.push({ type: 'error', code, message });
  }
}

export class Framer {
  private readonly collector = new Collector();
  private readonly reader: FrameReader;

  constructor(opts: FramerOptions) {
    this.reader = new FrameReader(this.collector, opts);
  }

  /** Packets dropped for a checksum mismatch. */
  get badChecksums(): number {
    return this.reader.badChecksums;
  }

  /** Packets dropped for exceeding maxPacketSize. */
  get oversized(): number {
    return this.reader.oversized;
  }

  /** Bytes seen between packets that were neither `+`, `-`, 0x03 nor a packet start. */
  get discardedBytes(): number {
    return this.reader.discardedBytes;
  }

  /** Whether a packet has begun and not yet ended. */
  get inPacket(): boolean {
    return this.reader.inPacket;
  }

  push(chunk: Uint8Array): FrameEvent[] {
    this.collector.events = [];
    this.reader.push(chunk);
    return this.collector.events;
  }
}
