import { readFileSync } from 'node:fs';
import test from 'ava';
import fc from 'fast-check';
import { escapeBinary } from '../../rsp/common/binary.js';
import {
  ACK,
  checksum,
  decodeBody,
  encodeDataPrefixWithin,
  encodeHexPacket,
  encodeHexPacketInto,
  encodeNotification,
  encodePacket,
  encodePacketInto,
  INTERRUPT,
  NAK,
  runLengthEncode,
  sumBytes,
} from '../../rsp/index.js';

const latin1 = (b: Buffer) => b.toString('latin1');

test('checksums match the examples in the manuals', (t) => {
  // lldbgdbremote.md, "QStartNoAckMode".
  t.is(latin1(encodePacket('QStartNoAckMode')), '$QStartNoAckMode#b0');
  t.is(latin1(encodePacket('OK')), '$OK#9a');
  t.is(latin1(encodePacket('')), '$#00');
  t.is(checksum(Buffer.from('qC')), 0xb4);
  // Modulo 256: 0xff + 0x02 wraps to 0x01.
  t.is(checksum(Buffer.from([0xff, 0x02])), 0x01);
});

test('notifications use % and the same checksum', (t) => {
  t.is(
    latin1(encodeNotification('Stop:S05')),
    `%Stop:S05#${checksum(Buffer.from('Stop:S05')).toString(16).padStart(2, '0')}`,
  );
});

test('ack, nak and interrupt constants', (t) => {
  t.is(latin1(ACK), '+');
  t.is(latin1(NAK), '-');
  t.deepEqual([...INTERRUPT], [3]);
});

test('the four special bytes are escaped with } and xor 0x20', (t) => {
  const out = encodePacket(Buffer.from('a#b$c}d*e', 'latin1'));
  t.is(latin1(out.subarray(1, out.length - 3)), 'a}\x03b}\x04c}]d}\x0ae');
  // The checksum covers the escaped bytes on the wire.
  t.is(
    Number.parseInt(latin1(out.subarray(out.length - 2)), 16),
    checksum(out.subarray(1, out.length - 3)),
  );
});

test('string bodies are sent as UTF-8', (t) => {
  t.deepEqual([...encodePacket('é').subarray(1, 3)], [0xc3, 0xa9]);
});

test('RLE: short runs stay literal, runs of 4+ are compressed', (t) => {
  t.is(latin1(runLengthEncode(Buffer.from('000'))), '000');
  t.is(latin1(runLengthEncode(Buffer.from('0000'))), '0* ');
  t.is(latin1(runLengthEncode(Buffer.from('00000'))), '0*!');
  t.is(
    latin1(encodePacket('0000', { rle: true })),
    `$0* #${checksum(Buffer.from('0* ')).toString(16)}`,
  );
});

test('RLE: runs of 7 and 8 are split, never using # or $ as the count', (t) => {
  // 7 = 1 + 6 extra (`#` forbidden): 1 + 5 extra + 1 literal.
  t.is(latin1(runLengthEncode(Buffer.from('0'.repeat(7)))), '0*"0');
  // 8 = 1 + 7 extra (`$` forbidden): 1 + 5 extra + 2 literal.
  t.is(latin1(runLengthEncode(Buffer.from('0'.repeat(8)))), '0*"00');
  // 15 and 17 would use `+` and `-`, 14 would use `*`; they are lowered too.
  t.is(latin1(runLengthEncode(Buffer.from('0'.repeat(15)))), '0*)00');
  t.is(latin1(runLengthEncode(Buffer.from('0'.repeat(14)))), '0*)0');
  t.is(latin1(runLengthEncode(Buffer.from('0'.repeat(17)))), '0*,0');
});

test('RLE: runs longer than 98 are cut into groups with printable counts', (t) => {
  const out = latin1(runLengthEncode(Buffer.from('f'.repeat(200))));
  // 200 = 98 + 98 + 4.
  t.is(out, 'f*~' + 'f*~' + 'f* ');
  const d = decodeBody(Buffer.from(out, 'latin1'), 1000);
  t.true(d.ok && d.body.equals(Buffer.from('f'.repeat(200))));
});

test('RLE applies after escaping, so escape pairs are never split', (t) => {
  // Five `#` bytes escape to `}\x03` five times: no run to compress.
  const out = encodePacket(Buffer.from('#####'), { rle: true });
  t.is(latin1(out.subarray(1, out.length - 3)), '}\x03'.repeat(5));
});

function countBytes(encoded: Buffer): number[] {
  const counts: number[] = [];
  for (let i = 0; i < encoded.length; i++) {
    if (encoded[i] === 0x2a) counts.push(encoded[++i]!);
  }
  return counts;
}

test('property: RLE never emits a forbidden or unprintable count and always expands back', (t) => {
  fc.assert(
    fc.property(
      fc.array(
        fc.tuple(fc.constantFrom(0x30, 0x66, 0x00, 0x7d, 0x23), fc.integer({ min: 1, max: 300 })),
        {
          maxLength: 8,
        },
      ),
      (runs) => {
        const data = Buffer.concat(runs.map(([b, n]) => Buffer.alloc(n, b)));
        const packet = encodePacket(data, { rle: true });
        const body = packet.subarray(1, packet.length - 3);
        for (const c of countBytes(body)) {
          if (
            c < 32 ||
            c > 126 ||
            c === 0x23 ||
            c === 0x24 ||
            c === 0x2a ||
            c === 0x2b ||
            c === 0x2d ||
            c === 0x7d
          ) {
            return false;
          }
        }
        // No raw frame characters inside the body.
        if (body.includes(0x23) && !body.every((b, i) => b !== 0x23 || body[i - 1] === 0x2a))
          return false;
        if (body.includes(0x24)) return false;
        const d = decodeBody(body, 1 << 20);
        return d.ok && d.body.equals(data) && body.length <= data.length * 2;
      },
    ),
    { numRuns: 1000 },
  );
  t.pass();
});

test('property: without RLE the wire body never contains raw #, $ or *', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 500 }), (data) => {
      const packet = encodePacket(Buffer.from(data));
      const body = packet.subarray(1, packet.length - 3);
      return !body.includes(0x23) && !body.includes(0x24) && !body.includes(0x2a);
    }),
    { numRuns: 500 },
  );
  t.pass();
});

test('property: encodeHexPacket frames the hex text of the first bytes as encodePacket does', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(300), (bytes, cut) => {
      const n = Math.min(cut, bytes.length);
      const hex = Buffer.from(bytes.buffer, bytes.byteOffset, n).toString('hex');
      t.deepEqual(encodeHexPacket(bytes, n), encodePacket(hex));
    }),
  );
});

// The reference framing: one step per byte, escapeBinary and a plain sum.
function referenceSum(bytes: Uint8Array): number {
  let s = 0;
  for (const b of bytes) s += b;
  return s;
}

function referenceFrame(data: Uint8Array): string {
  const body = escapeBinary(data);
  return `$${latin1(Buffer.from(body))}#${(referenceSum(body) & 0xff).toString(16).padStart(2, '0')}`;
}

/** `data` placed at byte `shift` of a larger buffer: sumBytes and the framing see every alignment. */
function shifted(data: Uint8Array, shift: number): Buffer {
  const backing = Buffer.alloc(data.length + shift + 8, 0xa5);
  backing.set(data, shift);
  return backing.subarray(shift, shift + data.length);
}

test('sumBytes is the plain sum at every alignment and length', (t) => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 1200 }),
      fc.integer({ min: 0, max: 7 }),
      fc.nat(1200),
      fc.nat(1200),
      (data, shift, a, b) => {
        const d = shifted(data, shift);
        const from = Math.min(a, b, d.length);
        const to = Math.min(Math.max(a, b), d.length);
        t.is(sumBytes(d, from, to), referenceSum(d.subarray(from, to)));
      },
    ),
  );
});

test('sumBytes: all-0xff blocks fill both 16-bit lanes to their bound without a carry', (t) => {
  // 64 words of 0xffffffff is the most one block adds; 65 words and a tail go past it.
  for (const n of [255, 256, 257, 260, 4096, 65536 + 3]) {
    const d = shifted(new Uint8Array(n).fill(0xff), n & 3);
    t.is(sumBytes(d, 0, n), 0xff * n);
  }
});

test('binary replies frame as escapeBinary and a plain sum, at any alignment', (t) => {
  // Bytes heavy in the four that are escaped, runs of them included.
  const byte = fc.constantFrom(0x23, 0x24, 0x7d, 0x2a, 0x00, 0x41, 0xff, 0x5d);
  fc.assert(
    fc.property(
      fc.oneof(fc.uint8Array({ maxLength: 2000 }), fc.array(byte, { maxLength: 2000 })),
      fc.integer({ min: 0, max: 7 }),
      (bytes, shift) => {
        const d = shifted(Uint8Array.from(bytes), shift);
        t.is(latin1(encodePacket(d)), referenceFrame(d));
      },
    ),
  );
});

test('a 64 KiB read framed whole: the escapes of a real file and its checksum', (t) => {
  const file = readFileSync(process.execPath).subarray(4096, 4096 + 65536);
  t.is(latin1(encodePacket(file)), referenceFrame(file));
  const head = (n: number) => `F${n.toString(16)};`;
  const max = 0x10000;
  const wire = encodeDataPrefixWithin(file, max, head);
  // The longest prefix that fits beside the whole length's head, as the reference frames it.
  let n = file.length;
  while (n > 0 && head(file.length).length + escapeBinary(file.subarray(0, n)).length > max) n--;
  const body = Buffer.concat([Buffer.from(head(n)), escapeBinary(file.subarray(0, n))]);
  t.is(
    latin1(wire),
    `$${latin1(body)}#${(referenceSum(body) & 0xff).toString(16).padStart(2, '0')}`,
  );
});

test('property: encodePacketInto frames a text body into the buffer as encodePacket does, or declines', (t) => {
  // Text replies as the stub makes them (ASCII), with the bytes that need escaping and chars
  // above 0x7f (sent as UTF-8 by encodePacket) mixed in.
  const text = fc.string({
    unit: fc.oneof(
      fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
      fc.constantFrom('#', '$', '}', '*', '\x7f', '\x00', '\x80', '\xff', '\u20ac'),
    ),
    maxLength: 80,
  });
  fc.assert(
    fc.property(text, fc.integer({ min: 4, max: 90 }), (body, size) => {
      const out = Buffer.alloc(size, 0xee);
      const n = encodePacketInto(out, body);
      const plain = [...body].every((c) => c.charCodeAt(0) <= 0x7f && !'#$}*'.includes(c));
      if (!plain || body.length + 4 > size) t.is(n, -1);
      else t.deepEqual(out.subarray(0, n), encodePacket(body));
    }),
  );
  const out = Buffer.alloc(6);
  t.is(encodePacketInto(out, 'OK'), 6);
  t.is(out.toString('latin1'), '$OK#9a');
});

test('property: encodeHexPacketInto frames as encodeHexPacket does, or declines a frame too long', (t) => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 100 }),
      fc.nat(100),
      fc.integer({ min: 4, max: 210 }),
      (bytes, cut, size) => {
        const n = Math.min(cut, bytes.length);
        const out = Buffer.alloc(size, 0xee);
        const got = encodeHexPacketInto(out, bytes, n);
        if (2 * n + 4 > size) t.is(got, -1);
        else t.deepEqual(out.subarray(0, got), encodeHexPacket(bytes, n));
      },
    ),
  );
});
