// Test helpers: feed wire bytes to a Framer whole, split at one offset, or byte by byte.
import { type FrameEvent, Framer } from '../../rsp/index.js';

export const MAX = 4096;

export function feed(wire: Buffer, cuts: number[] = [], max = MAX): FrameEvent[] {
  const framer = new Framer({ maxPacketSize: max });
  const events: FrameEvent[] = [];
  let start = 0;
  for (const cut of [...cuts, wire.length]) {
    events.push(...framer.push(wire.subarray(start, cut)));
    start = cut;
  }
  return events;
}

export function feedBytewise(wire: Buffer, max = MAX): FrameEvent[] {
  const framer = new Framer({ maxPacketSize: max });
  const events: FrameEvent[] = [];
  for (let i = 0; i < wire.length; i++) events.push(...framer.push(wire.subarray(i, i + 1)));
  return events;
}

/** Events with Buffers as latin1 strings, for readable deepEqual. */
export function show(events: FrameEvent[]): unknown[] {
  return events.map((e) =>
    'body' in e
      ? { type: e.type, body: e.body.toString('latin1') }
      : e.type === 'error'
        ? { type: e.type, code: e.code }
        : { type: e.type },
  );
}

export function wire(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}

/**
 * Feeds `wire` cut at `cuts` through one reused read buffer, as the addon socket does: each
 * piece is copied into the same buffer, handed to `push` as a view of it, and the buffer
 * scribbled over once push returns, so anything that kept a view past push would see 'A's.
 */
export function pushThroughReadBuffer(
  wire: Buffer,
  cuts: number[],
  push: (view: Buffer) => void,
): void {
  const readBuffer = Buffer.alloc(wire.length + 1);
  const points = [...new Set(cuts.map((c) => c % (wire.length + 1)))].sort((a, b) => a - b);
  let start = 0;
  for (const end of [...points, wire.length]) {
    if (end <= start) continue;
    wire.copy(readBuffer, 0, start, end);
    push(readBuffer.subarray(0, end - start));
    readBuffer.fill(0x41);
    start = end;
  }
}
