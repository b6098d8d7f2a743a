// One client link: bytes in through the Framer, packets out through the encoder. Owns acks and
// no-ack mode (GDB manual, "Packet Acknowledgment"), retransmission on `-`, and backpressure:
// reading pauses while the socket's write buffer is full or too many packets wait for the session.
import { decodeBody } from '../rsp/decode.js';
import {
  encodeHexPacket,
  encodeHexPacketInto,
  encodeNotification,
  encodePacket,
  encodePacketInto,
} from '../rsp/encoder.js';
import { FrameReader, type FrameSink, latin1 } from '../rsp/frame-reader.js';

/**
 * What carries the bytes: a Node stream (stdio, or a net.Socket) or the addon's socket
 * (native/rsp-socket.ts); the part of a Duplex used here. A 'data' chunk may be a view of a
 * read buffer used again for the next read: it is valid only while the listener runs.
 */
export interface Link {
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'drain' | 'end' | 'close', listener: () => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  write(data: Buffer): boolean;
  pause(): unknown;
  resume(): unknown;
  isPaused(): boolean;
  end(): unknown;
  destroy(): unknown;
  setNoDelay?(noDelay: boolean): unknown;
  /**
   * Optional: the one consumer of the chunks, called directly instead of through a 'data'
   * event (an EventEmitter emit is a rest-argument array, a dictionary lookup and
   * Reflect.apply per read). The same chunks, valid as long.
   */
  setDataListener?(listener: (chunk: Buffer) => void): void;
  /**
   * Optional, with writeReply: a buffer a reply may be framed into and then written with
   * writeReply(its length), instead of a Buffer per reply handed to write() (the addon's
   * socket: no allocation and no typed-array lookups per reply). Its bytes are the link's
   * again once writeReply returns.
   */
  readonly replyBuffer?: Buffer;
  writeReply?(length: number): boolean;
}

export interface ConnectionEvents {
  /** A packet's decoded body, one char per byte (latin1). */
  packet(body: string): void;
  /** A packet that could not be received; the session answers it with an error. */
  badPacket(reason: string): void;
  interrupt(): void;
  close(): void;
}

export interface ConnectionOptions {
  maxPacketSize: number;
  /** Packet log (--debug). */
  log?: (line: string) => void;
}

const ACK = Buffer.from('+');
const NAK = Buffer.from('-');
/** The commonest reply, framed once (never changed after: it may be sent again on `-`). */
const OK_WIRE = encodePacket('OK');

/** Packets waiting for the session before we stop reading the socket. */
const MAX_QUEUED = 64;

function printable(body: Buffer | string): string {
  const s = typeof body === 'string' ? body : body.toString('latin1');
  const shown = s.length > 200 ? `${s.slice(0, 200)}...(${s.length} bytes)` : s;
  return shown.replace(
    /[^\x20-\x7e]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

export class Connection {
  noAck = false;
  private readonly reader: FrameReader;
  /** Our last packet, for a `-` (ack mode only). */
  private lastSent: Buffer | undefined;
  /** The link's reply buffer, if it has one (Link.replyBuffer). */
  private readonly replyBuffer: Buffer | undefined;
  /** The last packet received, until the client acks our answer to it (ack mode only). */
  private pendingRequest: string | undefined;
  private pendingAnswered = false;
  private queued = 0;
  private writePaused = false;
  private closed = false;

  constructor(
    private readonly stream: Link,
    private readonly events: ConnectionEvents,
    private readonly opts: ConnectionOptions,
  ) {
    // The reader calls back in place, each read handed over from the link's buffer: no event
    // objects, views or copies per packet (bench/RESULTS.md, session 15).
    const sink: FrameSink = {
      packet: (body) => this.onPacket(body),
      notification: () => {},
      ack: () => {
        if (this.pendingAnswered) this.pendingRequest = undefined;
      },
      nak: () => {
        if (this.lastSent && !this.noAck) this.write(this.lastSent);
      },
      interrupt: () => {
        this.opts.log?.('interrupt (0x03)');
        this.events.interrupt();
      },
      badChecksum: (raw) => this.onBadChecksum(raw),
      error: (code, message) => {
        this.opts.log?.(`dropped packet: ${code}: ${message}`);
        // A truncated packet is simply gone; anything else was received whole and gets an
        // answer so the client does not wait forever.
        if (code !== 'RSP_ERR_TRUNCATED_PACKET') {
          if (!this.noAck) this.write(ACK);
          this.queued++;
          this.events.badPacket(message);
        }
      },
    };
    this.reader = new FrameReader(sink, { maxPacketSize: opts.maxPacketSize });
    this.replyBuffer = stream.writeReply !== undefined ? stream.replyBuffer : undefined;
    stream.setNoDelay?.(true);
    const onData = (chunk: Buffer): void => this.reader.push(chunk);
    if (stream.setDataListener !== undefined) stream.setDataListener(onData);
    else stream.on('data', onData);
    stream.on('drain', () => {
      this.writePaused = false;
      this.maybeResume();
    });
    stream.on('error', (err) => {
      this.opts.log?.(`connection error: ${err.message}`);
      this.shutdown();
    });
    stream.on('end', () => this.shutdown());
    stream.on('close', () => this.shutdown());
    stream.resume();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private shutdown(): void {
    if (this.closed) return;
    this.closed = true;
    this.events.close();
  }

  private onPacket(body: string): void {
    if (this.noAck) {
      this.opts.log?.(`getpkt ("${printable(body)}")`);
      this.pendingRequest = undefined;
    } else {
      if (this.isRetransmission(body)) {
        this.opts.log?.(`retransmission dropped: "${printable(body)}"`);
        return;
      }
      this.opts.log?.(`getpkt ("${printable(body)}")`);
      this.write(ACK);
      this.pendingRequest = body;
    }
    this.pendingAnswered = false;
    if (++this.queued >= MAX_QUEUED) this.stream.pause();
    this.events.packet(body);
  }

  private onBadChecksum(raw: string): void {
    this.opts.log?.(`bad checksum: "${printable(raw)}"`);
    if (!this.noAck) {
      this.write(NAK);
      return;
    }
    // In no-ack mode nobody would retransmit: take the packet as it is, like gdbserver
    // ("Not much we can do, GDB wasn't expecting an ack/nac").
    const decoded = decodeBody(Buffer.from(raw, 'latin1'), this.opts.maxPacketSize);
    this.queued++;
    if (decoded.ok) this.events.packet(latin1(decoded.body, 0, decoded.body.length));
    else this.events.badPacket(decoded.message);
  }

  /**
   * A copy of the last packet, arriving before the client acked our answer to it: the client
   * timed out waiting for our ack (a slow start, `target remote | prog`) and sent it again, and
   * no client in ack mode sends its next packet before that ack (GDB manual, "Packet
   * Acknowledgment"). gdbserver reads and discards everything until the `+` (remote-utils.cc
   * putpkt_bin); answering the copy would pair our second answer with gdb's next packet.
   */
  private isRetransmission(body: string): boolean {
    return this.pendingRequest === body;
  }

  /** The session finished one packet. */
  done(): void {
    this.queued = Math.max(0, this.queued - 1);
    this.maybeResume();
  }

  private maybeResume(): void {
    if (!this.closed && !this.writePaused && this.queued < MAX_QUEUED && this.stream.isPaused())
      this.stream.resume();
  }

  private write(bytes: Buffer): void {
    if (this.closed) return;
    if (!this.stream.write(bytes)) {
      this.writePaused = true;
      this.stream.pause();
    }
  }

  send(body: Buffer | string): void {
    this.opts.log?.(`putpkt ("${printable(body)}")`);
    this.pendingAnswered = true;
    const out = this.replyBuffer;
    if (out !== undefined && typeof body === 'string') {
      const n = encodePacketInto(out, body);
      if (n >= 0) {
        this.writeReply(out, n);
        return;
      }
    }
    const wire = body === 'OK' ? OK_WIRE : encodePacket(body);
    this.lastSent = wire;
    this.write(wire);
  }

  /** `$<hex of data[0, length)>#cs` (the `m` reply): send(hex text) without the text. */
  sendHex(data: Uint8Array, length: number): void {
    this.opts.log?.(`putpkt ("${Buffer.from(data.subarray(0, length)).toString('hex')}")`);
    this.pendingAnswered = true;
    const out = this.replyBuffer;
    if (out !== undefined) {
      const n = encodeHexPacketInto(out, data, length);
      if (n >= 0) {
        this.writeReply(out, n);
        return;
      }
    }
    const wire = encodeHexPacket(data, length);
    this.lastSent = wire;
    this.write(wire);
  }

  /** A reply framed in the link's reply buffer, out[0, n). */
  private writeReply(out: Buffer, n: number): void {
    // A `-` wants these bytes again after the buffer has been reused: keep a copy, in ack mode
    // only (gdb and LLDB leave it at once).
    this.lastSent = this.noAck ? undefined : Buffer.from(out.subarray(0, n));
    if (this.closed) return;
    if (!this.stream.writeReply!(n)) {
      this.writePaused = true;
      this.stream.pause();
    }
  }

  /** A packet rsp/ framed already (`$...#cs`): sent as send() would send its body. */
  sendFramed(wire: Buffer): void {
    this.opts.log?.(`putpkt ("${printable(wire.subarray(1, wire.length - 3))}")`);
    this.lastSent = wire;
    this.pendingAnswered = true;
    this.write(wire);
  }

  /**
   * `%body#cs`, an asynchronous notification (GDB manual, "Notification Packets"): sent at any
   * time, never acked, so never retransmitted.
   */
  notify(body: string): void {
    this.opts.log?.(`notif ("${printable(body)}")`);
    this.write(encodeNotification(body));
  }

  close(): void {
    if (this.closed) return;
    this.stream.end();
    this.stream.destroy();
    this.shutdown();
  }
}
