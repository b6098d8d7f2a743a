// FrameReader: the callback receiver the server's connection uses. The event API (Framer) is
// tested in framer.test.ts; here the callbacks themselves, and above all that a packet taken
// whole from one chunk (no copy) is received exactly as one assembled across chunks.
import test from 'ava';
import fc from 'fast-check';
import {
  checksum,
  encodeNotification,
  encodePacket,
  FrameReader,
  type FrameSink,
  RSP_ERR_PACKET_TOO_LARGE,
  RSP_ERR_TRUNCATED_PACKET,
} from '../../rsp/index.js';
import { pushThroughReadBuffer } from './feed.js';

/** A sink that records every call as one line. */
function recorder(): { sink: FrameSink; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    sink: {
      packet: (body) => calls.push(`packet ${body}`),
      notification: (body) => calls.push(`notification ${body}`),
      ack: () => calls.push('ack'),
      nak: () => calls.push('nak'),
      interrupt: () => calls.push('interrupt'),
      badChecksum: (raw) => calls.push(`bad-checksum ${raw}`),
      error: (code) => calls.push(`error ${code}`),
    },
  };
}

/** Feeds `wire` cut at `cuts` through one reused read buffer (see pushThroughReadBuffer). */
function readThrough(wire: Buffer, cuts: number[], max = 4096): string[] {
  const { sink, calls } = recorder();
  const reader = new FrameReader(sink, { maxPacketSize: max });
  pushThroughReadBuffer(wire, cuts, (view) => reader.push(view));
  return calls;
}

function bytewise(wire: Buffer, max = 4096): string[] {
  const { sink, calls } = recorder();
  const reader = new FrameReader(sink, { maxPacketSize: max });
  for (let i = 0; i < wire.length; i++) reader.push(wire.subarray(i, i + 1));
  return calls;
}

function latin(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}

test('a whole packet in one chunk is one packet call with its body as a latin1 string', (t) => {
  const body = 'X10,3:\x00\xff\x80';
  t.deepEqual(readThrough(encodePacket(latin(body)), []), [`packet ${body}`]);
});

test('acks, naks, interrupts and packets are called in wire order', (t) => {
  const wire = Buffer.concat([
    latin('+\x03'),
    encodePacket('qC'),
    latin('-'),
    encodeNotification('Stop:S05'),
    encodePacket('g'),
    latin('+'),
  ]);
  const expected = [
    'ack',
    'interrupt',
    'packet qC',
    'nak',
    'notification Stop:S05',
    'packet g',
    'ack',
  ];
  t.deepEqual(readThrough(wire, []), expected);
  t.deepEqual(bytewise(wire), expected);
});

test('run-length and escapes are decoded on the whole-chunk path and across chunks', (t) => {
  // `0* ` is "0" and 3 more; `}]` is an escaped `}`.
  const raw = 'm0* ,}]';
  const wire = latin(`$${raw}#${checksum(latin(raw)).toString(16).padStart(2, '0')}`);
  t.deepEqual(readThrough(wire, []), ['packet m0000,}']);
  t.deepEqual(bytewise(wire), ['packet m0000,}']);
});

test('a checksum digit that is a `$` restarts at it, whole chunk or not', (t) => {
  for (const [text, last] of [
    ['$qC#b$g#67', 'packet g'],
    // The first digit: `$0#30` is a packet of its own, not a bad checksum of qC.
    ['$qC#$0#30', 'packet 0'],
  ] as const) {
    const expected = [`error ${RSP_ERR_TRUNCATED_PACKET}`, last];
    t.deepEqual(readThrough(latin(text), []), expected);
    t.deepEqual(bytewise(latin(text)), expected);
  }
});

test('a body over the limit in one chunk is reported once the packet ends', (t) => {
  const wire = encodePacket('x'.repeat(20));
  t.deepEqual(readThrough(wire, [], 10), [`error ${RSP_ERR_PACKET_TOO_LARGE}`]);
  t.deepEqual(bytewise(wire, 10), [`error ${RSP_ERR_PACKET_TOO_LARGE}`]);
});

// What a client sends, item by item, and what the reader must report for it.
const item = fc.oneof(
  fc.tuple(fc.uint8Array({ maxLength: 80 }), fc.boolean()).map(([b, rle]) => ({
    wire: encodePacket(Buffer.from(b), { rle }),
    call: `packet ${latin1(b)}`,
  })),
  fc
    .uint8Array({ maxLength: 40 })
    .map((b) => ({ wire: encodeNotification(Buffer.from(b)), call: `notification ${latin1(b)}` })),
  fc.constantFrom(
    { wire: latin('+'), call: 'ack' },
    { wire: latin('-'), call: 'nak' },
    { wire: latin('\x03'), call: 'interrupt' },
    { wire: latin('$qC#b5'), call: 'bad-checksum qC' },
  ),
);

function latin1(b: Uint8Array): string {
  return Buffer.from(b).toString('latin1');
}

test('property: any client stream, cut into reads anywhere, through a reused read buffer, is reported exactly', (t) => {
  fc.assert(
    fc.property(
      fc.array(item, { maxLength: 12 }),
      fc.array(fc.nat(), { maxLength: 8 }),
      (items, cuts) => {
        const wire = Buffer.concat(items.map((i) => i.wire));
        const calls = readThrough(wire, cuts);
        t.deepEqual(
          calls,
          items.map((i) => i.call),
        );
        return true;
      },
    ),
    { numRuns: 1000 },
  );
});

// Bytes biased towards framing characters and hex digits so that frames, some valid, are common.
const frameish = fc
  .array(
    fc.oneof(
      fc.constantFrom(...latin('$#}*+-%\x030123456789abcdefABCDEF')),
      fc.integer({ min: 0, max: 255 }),
    ),
    { maxLength: 200 },
  )
  .map((a) => Buffer.from(a));

test('property: any bytes, cut anywhere, give what they give byte by byte (the whole-chunk path is the slow path)', (t) => {
  fc.assert(
    fc.property(
      frameish,
      fc.array(fc.nat(), { maxLength: 6 }),
      fc.integer({ min: 1, max: 64 }),
      (wire, cuts, max) => {
        t.deepEqual(readThrough(wire, cuts, max), bytewise(wire, max));
        return true;
      },
    ),
    { numRuns: 2000 },
  );
});

test('a packet seen before is handed over without a new latin1 slice; same checksum, other bytes, a new one', (t) => {
  const proto = Buffer.prototype as unknown as { latin1Slice: (s: number, e: number) => string };
  const original = proto.latin1Slice;
  let slices = 0;
  proto.latin1Slice = function (this: Buffer, s: number, e: number) {
    slices++;
    return original.call(this, s, e);
  };
  try {
    const { sink, calls } = recorder();
    const reader = new FrameReader(sink, { maxPacketSize: 4096 });
    // 'ab' and 'ba' share a length and a checksum; so do the m packets of 12 and 21.
    for (const body of [
      'QPassSignals:e;10',
      'QPassSignals:e;10',
      'ab',
      'ba',
      'ab',
      'm12,4',
      'm21,4',
    ])
      pushThroughReadBuffer(encodePacket(body), [], (view) => reader.push(view));
    t.deepEqual(calls, [
      'packet QPassSignals:e;10',
      'packet QPassSignals:e;10',
      'packet ab',
      'packet ba',
      'packet ab',
      'packet m12,4',
      'packet m21,4',
    ]);
    // The second QPassSignals is the only body reused ('ab' came back after 'ba' took its slot).
    t.is(slices, 6);
  } finally {
    proto.latin1Slice = original;
  }
});
