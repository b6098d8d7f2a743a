import test from 'ava';
import fc from 'fast-check';
import {
  checksum,
  decodeBody,
  encodeNotification,
  encodePacket,
  Framer,
  RSP_ERR_BAD_ESCAPE,
  RSP_ERR_BAD_RLE,
  RSP_ERR_PACKET_TOO_LARGE,
  RSP_ERR_TRUNCATED_PACKET,
} from '../../rsp/index.js';
import { feed, feedBytewise, show, wire } from './feed.js';

function cs(body: string): string {
  return checksum(Buffer.from(body, 'latin1')).toString(16).padStart(2, '0');
}

test('a packet with a good checksum is delivered', (t) => {
  t.deepEqual(show(feed(wire('$qC#b4'))), [{ type: 'packet', body: 'qC' }]);
  t.is(cs('qC'), 'b4');
});

test('upper-case checksum digits are accepted', (t) => {
  t.deepEqual(show(feed(wire('$g#67'))), [{ type: 'packet', body: 'g' }]);
  t.deepEqual(show(feed(wire(`$vMustReplyEmpty#${cs('vMustReplyEmpty').toUpperCase()}`))), [
    { type: 'packet', body: 'vMustReplyEmpty' },
  ]);
});

test('the empty packet is delivered with an empty body', (t) => {
  t.deepEqual(show(feed(wire('$#00'))), [{ type: 'packet', body: '' }]);
});

test('acks, naks and interrupts between packets', (t) => {
  t.deepEqual(show(feed(wire('+-\x03$k#6b+'))), [
    { type: 'ack' },
    { type: 'nak' },
    { type: 'interrupt' },
    { type: 'packet', body: 'k' },
    { type: 'ack' },
  ]);
});

test('0x03 inside a packet body is data, not an interrupt', (t) => {
  const body = 'X0,1:\x03';
  t.deepEqual(show(feed(wire(`$${body}#${cs(body)}`))), [{ type: 'packet', body }]);
});

test('a wrong checksum gives bad-checksum with the raw body and counts it', (t) => {
  const framer = new Framer({ maxPacketSize: 100 });
  const events = framer.push(wire('$qC#b5'));
  t.deepEqual(show(events), [{ type: 'bad-checksum', body: 'qC' }]);
  t.is(framer.badChecksums, 1);
});

test('non-hex checksum characters never match', (t) => {
  t.deepEqual(show(feed(wire('$qC#zz'))), [{ type: 'bad-checksum', body: 'qC' }]);
  t.deepEqual(show(feed(wire('$qC#b'))), []);
});

test('notifications are told apart from packets', (t) => {
  const events = feed(encodeNotification('Stop:T05thread:1;'));
  t.deepEqual(show(events), [{ type: 'notification', body: 'Stop:T05thread:1;' }]);
});

test('% inside a packet body is data (binary X data may hold it)', (t) => {
  const body = 'X10,2:%%';
  t.deepEqual(show(feed(wire(`$${body}#${cs(body)}`))), [{ type: 'packet', body }]);
});

test('many packets in one chunk, mixed with acks', (t) => {
  const bytes = Buffer.concat([
    encodePacket('qSupported:multiprocess+'),
    wire('+'),
    encodePacket('vCont?'),
    encodePacket('m1000,4'),
    wire('-'),
    encodeNotification('Stop:S05'),
  ]);
  t.deepEqual(show(feed(bytes)), [
    { type: 'packet', body: 'qSupported:multiprocess+' },
    { type: 'ack' },
    { type: 'packet', body: 'vCont?' },
    { type: 'packet', body: 'm1000,4' },
    { type: 'nak' },
    { type: 'notification', body: 'Stop:S05' },
  ]);
});

test('the same events whatever the split point, including byte by byte', (t) => {
  const bytes = Buffer.concat([
    wire('+'),
    encodePacket(Buffer.from('X1000,6:#$}*\x03\x00', 'latin1')),
    wire('\x03'),
    encodePacket('0000000000000000ffff', { rle: true }),
    encodeNotification('Stop:W00'),
    wire('$bad#00'),
    encodePacket('OK'),
  ]);
  const whole = show(feed(bytes));
  t.deepEqual(whole, [
    { type: 'ack' },
    { type: 'packet', body: 'X1000,6:#$}*\x03\x00' },
    { type: 'interrupt' },
    { type: 'packet', body: '0000000000000000ffff' },
    { type: 'notification', body: 'Stop:W00' },
    { type: 'bad-checksum', body: 'bad' },
    { type: 'packet', body: 'OK' },
  ]);
  for (let cut = 0; cut <= bytes.length; cut++) {
    t.deepEqual(show(feed(bytes, [cut])), whole, `split at ${cut}`);
  }
  for (let a = 0; a <= bytes.length; a += 3) {
    for (let b = a; b <= bytes.length; b += 5) {
      t.deepEqual(show(feed(bytes, [a, b])), whole, `split at ${a} and ${b}`);
    }
  }
  t.deepEqual(show(feedBytewise(bytes)), whole);
});

test('escapes are undone in the body', (t) => {
  // 0x7d 0x03 is `#`, 0x7d 0x04 is `$`, 0x7d 0x5d is `}`, 0x7d 0x0a is `*`.
  const raw = 'X0,4:}\x03}\x04}]}\x0a';
  t.deepEqual(show(feed(wire(`$${raw}#${cs(raw)}`))), [{ type: 'packet', body: 'X0,4:#$}*' }]);
});

test('run-length encoding is expanded (GDB manual example "0* " is "0000")', (t) => {
  t.deepEqual(show(feed(wire(`$0* #${cs('0* ')}`))), [{ type: 'packet', body: '0000' }]);
  // A count of `~` (126) is 97 extra copies.
  t.deepEqual(show(feed(wire(`$a*~#${cs('a*~')}`))), [{ type: 'packet', body: 'a'.repeat(98) }]);
  // Runs expand before escapes are undone: `}` + `\x03` repeated gives `#` then raw 0x03s.
  const raw = '}\x03* ';
  t.deepEqual(show(feed(wire(`$${raw}#${cs(raw)}`))), [{ type: 'packet', body: '#\x03\x03\x03' }]);
});

test('counts outside the printable range are read as leniently as gdb reads them', (t) => {
  // 0x1e is 1 extra copy, 0x7f is 98, 0xff is 226 (remote.c read_frame: repeat = c - 29).
  t.deepEqual(show(feed(wire(`$a*\x1e#${cs('a*\x1e')}`))), [{ type: 'packet', body: 'aa' }]);
  t.deepEqual(show(feed(wire(`$a*\x7f#${cs('a*\x7f')}`))), [
    { type: 'packet', body: 'a'.repeat(99) },
  ]);
  t.deepEqual(show(feed(wire(`$a*\xff#${cs('a*\xff')}`))), [
    { type: 'packet', body: 'a'.repeat(227) },
  ]);
});

test('a second `*` after a run repeats the last byte again, as gdb reads it', (t) => {
  t.deepEqual(show(feed(wire(`$0* * #${cs('0* * ')}`))), [{ type: 'packet', body: '0'.repeat(7) }]);
});

test('undecodable bodies with a good checksum give errors and are dropped', (t) => {
  const cases: Array<[string, string]> = [
    ['*  ', RSP_ERR_BAD_RLE], // nothing to repeat
    ['0*', RSP_ERR_BAD_RLE], // no count
    ['0*\x1d', RSP_ERR_BAD_RLE], // count byte 29: zero copies
    ['ab}', RSP_ERR_BAD_ESCAPE], // escape at end
  ];
  for (const [raw, code] of cases) {
    t.deepEqual(
      show(feed(wire(`$${raw}#${cs(raw)}`))),
      [{ type: 'error', code }],
      JSON.stringify(raw),
    );
  }
});

test('a `$` inside a packet drops the partial packet and starts a new one', (t) => {
  t.deepEqual(show(feed(wire('$m10,4$qC#b4'))), [
    { type: 'error', code: RSP_ERR_TRUNCATED_PACKET },
    { type: 'packet', body: 'qC' },
  ]);
  t.deepEqual(show(feed(wire('$m10,4#$qC#b4'))), [
    { type: 'error', code: RSP_ERR_TRUNCATED_PACKET },
    { type: 'packet', body: 'qC' },
  ]);
  t.deepEqual(show(feed(wire('$m10,4#a$qC#b4'))), [
    { type: 'error', code: RSP_ERR_TRUNCATED_PACKET },
    { type: 'packet', body: 'qC' },
  ]);
});

test('garbage between packets is skipped and counted', (t) => {
  const framer = new Framer({ maxPacketSize: 64 });
  t.deepEqual(show(framer.push(wire('hello#00\n$qC#b4 '))), [{ type: 'packet', body: 'qC' }]);
  // "hello#00\n" and the trailing space.
  t.is(framer.discardedBytes, 10);
});

test('an oversized packet is reported once, dropped, and the next one still arrives', (t) => {
  const framer = new Framer({ maxPacketSize: 8 });
  const big = encodePacket('m' + '1'.repeat(20));
  // Nothing is reported until the oversized packet is over, so an ack follows a whole packet.
  t.deepEqual(framer.push(big.subarray(0, 15)), []);
  const events = [...framer.push(big.subarray(15)), ...framer.push(encodePacket('qC'))];
  t.deepEqual(show(events), [
    { type: 'error', code: RSP_ERR_PACKET_TOO_LARGE },
    { type: 'packet', body: 'qC' },
  ]);
  t.is(framer.oversized, 1);
  t.is(framer.badChecksums, 0);
});

test('a packet of exactly maxPacketSize is accepted', (t) => {
  const body = 'x'.repeat(8);
  t.deepEqual(show(feed(encodePacket(body), [], 8)), [{ type: 'packet', body }]);
  t.deepEqual(show(feed(encodePacket(body + 'y'), [], 8)), [
    { type: 'error', code: RSP_ERR_PACKET_TOO_LARGE },
  ]);
});

test('run-length expansion beyond maxPacketSize is refused', (t) => {
  const framer = new Framer({ maxPacketSize: 50 });
  t.deepEqual(show(framer.push(wire(`$a*~#${cs('a*~')}`))), [
    { type: 'error', code: RSP_ERR_PACKET_TOO_LARGE },
  ]);
  t.is(framer.oversized, 1);
});

test('the buffer grows past its initial size for large packets', (t) => {
  const body = Buffer.alloc(20000, 0x41);
  const events = feed(encodePacket(body), [1, 4097, 8000], 65536);
  t.is(events.length, 1);
  t.true(events[0]!.type === 'packet' && events[0]!.body.equals(body));
});

test('inPacket tells whether a packet is partly received', (t) => {
  const framer = new Framer({ maxPacketSize: 64 });
  t.false(framer.inPacket);
  framer.push(wire('$qC'));
  t.true(framer.inPacket);
  framer.push(wire('#b4'));
  t.false(framer.inPacket);
});

test('decodeBody alone expands and unescapes', (t) => {
  const r = decodeBody(wire('a* }]'), 100);
  t.true(r.ok);
  if (r.ok) t.is(r.body.toString('latin1'), 'aaaa}');
});

// Property tests.

const bytes = fc.uint8Array({ maxLength: 300 });

test('property: random bytes never throw and every event is well formed', (t) => {
  fc.assert(
    fc.property(fc.array(bytes, { maxLength: 6 }), (chunks) => {
      const framer = new Framer({ maxPacketSize: 128 });
      for (const c of chunks) {
        for (const e of framer.push(Buffer.from(c))) {
          if (e.type === 'packet' || e.type === 'notification') {
            if (e.body.length > 128) return false;
          }
        }
      }
      return true;
    }),
    { numRuns: 500 },
  );
  t.pass();
});

test('property: any body round-trips through encodePacket and the framer, RLE or not, at any split', (t) => {
  fc.assert(
    fc.property(bytes, fc.boolean(), fc.nat(), (body, rle, cutSeed) => {
      const data = Buffer.from(body);
      const packet = encodePacket(data, { rle });
      const cut = cutSeed % (packet.length + 1);
      const events = feed(packet, [cut], 1024);
      return events.length === 1 && events[0]!.type === 'packet' && events[0]!.body.equals(data);
    }),
    { numRuns: 500 },
  );
  t.pass();
});

test('property: after random garbage, the next good packet is received', (t) => {
  fc.assert(
    fc.property(bytes, bytes, (garbage, body) => {
      const framer = new Framer({ maxPacketSize: 1024 });
      framer.push(Buffer.from(garbage));
      // Whatever state the garbage left, a lone `#xx` ends any partial packet; the next `$`
      // then starts ours. (A partial packet is dropped with an error, never merged.)
      const data = Buffer.from(body);
      const events = framer.push(Buffer.concat([encodePacket(data), encodePacket(data)]));
      const packets = events.filter((e) => e.type === 'packet');
      // At least the second copy must arrive intact.
      const last = packets[packets.length - 1];
      return last !== undefined && last.type === 'packet' && last.body.equals(data);
    }),
    { numRuns: 500 },
  );
  t.pass();
});

test('property: a packet with any wrong checksum is never accepted', (t) => {
  fc.assert(
    fc.property(bytes, fc.integer({ min: 1, max: 255 }), (body, delta) => {
      const good = encodePacket(Buffer.from(body));
      const sum = Number.parseInt(good.subarray(good.length - 2).toString(), 16);
      const bad = Buffer.concat([
        good.subarray(0, good.length - 2),
        Buffer.from(((sum + delta) & 0xff).toString(16).padStart(2, '0')),
      ]);
      const framer = new Framer({ maxPacketSize: 1024 });
      const events = framer.push(bad);
      return events.length === 1 && events[0]!.type === 'bad-checksum' && framer.badChecksums === 1;
    }),
    { numRuns: 500 },
  );
  t.pass();
});

// Bytes biased towards framing characters and hex digits so that frames, some valid, are common.
const frameish = fc
  .array(
    fc.oneof(
      fc.constantFrom(...Buffer.from('$#}*+-%0123456789abcdef')),
      fc.integer({ min: 0, max: 255 }),
    ),
    { maxLength: 200 },
  )
  .map((a) => Buffer.from(a));

/** Every `$raw#cs` frame in the wire whose checksum is right, decoded. */
function verifiedBodies(bytesIn: Buffer): string[] {
  const out: string[] = [];
  for (const m of bytesIn.toString('latin1').matchAll(/\$([^$#]*)#([0-9a-fA-F]{2})/g)) {
    const raw = Buffer.from(m[1]!, 'latin1');
    if (checksum(raw) !== Number.parseInt(m[2]!, 16)) continue;
    const d = decodeBody(raw, 1 << 20);
    if (d.ok) out.push(d.body.toString('latin1'));
  }
  return out;
}

test('property: a packet is only ever accepted from a frame whose checksum is right', (t) => {
  fc.assert(
    fc.property(frameish, fc.nat(), (bytesIn, cutSeed) => {
      const events = feed(bytesIn, [cutSeed % (bytesIn.length + 1)], 1 << 20);
      const allowed = verifiedBodies(bytesIn);
      return events.every(
        (e) => e.type !== 'packet' || allowed.includes(e.body.toString('latin1')),
      );
    }),
    { numRuns: 1000 },
  );
  t.pass();
});

test('property: a corrupted body byte is caught (checksum) or breaks the frame, never passes as the original', (t) => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 1, maxLength: 100 }),
      fc.nat(),
      fc.integer({ min: 1, max: 255 }),
      (body, at, delta) => {
        const good = encodePacket(Buffer.from(body));
        const i = 1 + (at % (good.length - 4));
        const bad = Buffer.from(good);
        bad[i] = (bad[i]! + delta) & 0xff;
        const events = feed(bad, [], 1024);
        const original = Buffer.from(body);
        return events.every((e) => e.type !== 'packet' || !e.body.equals(original));
      },
    ),
    { numRuns: 1000 },
  );
  t.pass();
});

test('a body never shares memory with the chunk it came in (a read buffer may be reused)', (t) => {
  for (const [raw, decoded] of [
    ['m401000,40', 'm401000,40'],
    ['X10,2:}]}]', 'X10,2:}}'],
  ] as const) {
    const chunk = Buffer.from(`$${raw}#${cs(raw)}`, 'latin1');
    const evs = new Framer({ maxPacketSize: 100 }).push(chunk);
    chunk.fill(0x41);
    t.deepEqual(show(evs), [{ type: 'packet', body: decoded }]);
  }
});

test('a packet whose checksum comes in the next chunk is taken whole', (t) => {
  const f = new Framer({ maxPacketSize: 100 });
  const first = Buffer.from('$qC#b', 'latin1');
  t.deepEqual(f.push(first), []);
  first.fill(0x41);
  t.deepEqual(show(f.push(Buffer.from('4', 'latin1'))), [{ type: 'packet', body: 'qC' }]);
});
