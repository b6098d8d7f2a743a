// Acks and retransmission on the link (GDB manual, "Packet Acknowledgment").
import { Duplex } from 'node:stream';
import test from 'ava';
import fc from 'fast-check';
import { encodePacket } from '../../rsp/encoder.js';
import { Connection } from '../../stub/connection.js';
import { pushThroughReadBuffer } from '../rsp/feed.js';

/** A link whose client side we drive by hand: `feed` is what the client sends. */
function link(): {
  conn: Connection;
  feed: (s: string | Buffer) => void;
  sent: () => string;
  received: string[];
} {
  let out = '';
  const received: string[] = [];
  const stream = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, cb) {
      out += chunk.toString('latin1');
      cb();
    },
  });
  const conn: Connection = new Connection(
    stream,
    {
      packet(body) {
        const text = body;
        received.push(text);
        // Answers at once, as a session does for a query.
        conn.send(`reply-to-${text}`);
        conn.done();
      },
      badPacket() {},
      interrupt() {},
      close() {},
    },
    { maxPacketSize: 4096 },
  );
  return {
    conn,
    feed: (s) => stream.push(typeof s === 'string' ? encodePacketText(s) : s),
    sent: () => {
      const s = out;
      out = '';
      return s;
    },
    received,
  };
}

const OK_WIRE = encodePacket('OK').toString('latin1');

function encodePacketText(s: string): Buffer {
  return s === '+' || s === '-' ? Buffer.from(s) : encodePacket(s);
}

async function settle(): Promise<void> {
  await new Promise((r) => setImmediate(r));
}

test('a packet sent again before our answer was acked is a retransmission: answered once', async (t) => {
  const l = link();
  // gdb timed out waiting for the ack of a server still starting, and sent qSupported again;
  // both copies arrive together.
  l.feed(Buffer.concat([encodePacket('qSupported'), encodePacket('qSupported')]));
  await settle();
  t.deepEqual(l.received, ['qSupported']);
  t.is(l.sent(), `+${encodePacket('reply-to-qSupported').toString('latin1')}`);
  // gdb acks the answer and goes on; its next packet is answered, not paired with a stale reply.
  l.feed('+');
  l.feed('vMustReplyEmpty');
  await settle();
  t.deepEqual(l.received, ['qSupported', 'vMustReplyEmpty']);
  t.is(l.sent(), `+${encodePacket('reply-to-vMustReplyEmpty').toString('latin1')}`);
});

test('the same packet again after the client acked our answer is a new request', async (t) => {
  const l = link();
  l.feed('vCont;s');
  await settle();
  l.feed('+');
  l.feed('vCont;s');
  await settle();
  t.deepEqual(l.received, ['vCont;s', 'vCont;s']);
});

test('a different packet before the ack is still served (a client that does not wait)', async (t) => {
  const l = link();
  l.feed(Buffer.concat([encodePacket('g'), encodePacket('m0,1')]));
  await settle();
  t.deepEqual(l.received, ['g', 'm0,1']);
});

test('in no-ack mode identical packets are each a request', async (t) => {
  const l = link();
  l.conn.noAck = true;
  l.feed(Buffer.concat([encodePacket('vCont;s'), encodePacket('vCont;s')]));
  await settle();
  t.deepEqual(l.received, ['vCont;s', 'vCont;s']);
  t.false(l.sent().includes('+'));
});

/** A link that hands its reads to a listener (as the addon socket does) and records writes. */
function directStream() {
  const events: string[] = [];
  const d = {
    events,
    out: '',
    feed: undefined as ((chunk: Buffer) => void) | undefined,
    stream: {
      on(event: string) {
        events.push(event);
        return d.stream;
      },
      setDataListener(l: (chunk: Buffer) => void) {
        d.feed = l;
      },
      write(b: Buffer) {
        d.out += b.toString('latin1');
        return true;
      },
      pause: () => d.stream,
      resume: () => d.stream,
      isPaused: () => false,
      end: () => d.stream,
      destroy: () => d.stream,
    },
  };
  return d;
}

test("a link with setDataListener gets its reads to that listener, and no 'data' listener", (t) => {
  const d = directStream();
  const received: string[] = [];
  new Connection(
    d.stream,
    {
      packet: (body) => received.push(body),
      badPacket() {},
      interrupt() {},
      close() {},
    },
    { maxPacketSize: 4096 },
  );
  t.false(d.events.includes('data'));
  d.feed!(encodePacket('qC'));
  t.deepEqual(received, ['qC']);
  t.is(d.out, '+');
});

test('property: in ack mode, a client stream cut into reads anywhere is acked, NAKed and served in order', (t) => {
  // Each step is what gdb sends: a packet (then its ack of our reply), a corrupted packet (NAKed,
  // then sent again whole) or a Ctrl-C; reads land in one reused buffer, as the addon's do.
  const step = fc.oneof(
    fc
      .tuple(fc.uint8Array({ maxLength: 60 }), fc.boolean())
      .map(([b, rle]) => ({ kind: 'packet' as const, body: Buffer.from(b), rle })),
    fc.constant({ kind: 'interrupt' as const }),
    fc
      .uint8Array({ maxLength: 20 })
      .map((b) => ({ kind: 'corrupt' as const, body: Buffer.from(b) })),
  );
  fc.assert(
    fc.property(
      fc.array(step, { maxLength: 10 }),
      fc.array(fc.nat(), { maxLength: 8 }),
      (steps, cuts) => {
        const d = directStream();
        const seen: string[] = [];
        const conn: Connection = new Connection(
          d.stream,
          {
            packet(body) {
              seen.push(`packet ${body}`);
              conn.send('OK');
              conn.done();
            },
            badPacket() {},
            interrupt: () => seen.push('interrupt'),
            close() {},
          },
          { maxPacketSize: 4096 },
        );
        const parts: Buffer[] = [];
        const expected: string[] = [];
        let expectedOut = '';
        for (const s of steps) {
          if (s.kind === 'interrupt') {
            parts.push(Buffer.from([3]));
            expected.push('interrupt');
            continue;
          }
          const good = encodePacket(s.body, { rle: s.kind === 'packet' && s.rle });
          if (s.kind === 'corrupt') {
            const bad = Buffer.from(good);
            bad[bad.length - 1] = bad[bad.length - 1] === 0x30 ? 0x31 : 0x30;
            parts.push(bad);
            expectedOut += '-';
          }
          parts.push(good, Buffer.from('+'));
          expected.push(`packet ${s.body.toString('latin1')}`);
          expectedOut += `+${OK_WIRE}`;
        }
        const wire = Buffer.concat(parts);
        pushThroughReadBuffer(wire, cuts, (view) => d.feed!(view));
        t.deepEqual(seen, expected);
        t.is(d.out, expectedOut);
        return true;
      },
    ),
    { numRuns: 500 },
  );
});

/** A direct link with a reply buffer (as the addon socket has): writes and writeReply recorded. */
function replyBufferStream(size: number) {
  const d = directStream();
  const replies: string[] = [];
  const replyBuffer = Buffer.alloc(size);
  const stream = Object.assign(d.stream, {
    replyBuffer,
    writeReply(n: number) {
      replies.push(replyBuffer.toString('latin1', 0, n));
      d.out += replies[replies.length - 1];
      // The link's again: what was framed there is gone.
      replyBuffer.fill(0x3f);
      return true;
    },
  });
  return { d, stream, replies };
}

test('with a reply buffer, text and hex replies are framed into it and written by length', (t) => {
  const { d, stream, replies } = replyBufferStream(64);
  const writes: string[] = [];
  const write = stream.write;
  stream.write = (b: Buffer) => {
    writes.push(b.toString('latin1'));
    return write(b);
  };
  const conn: Connection = new Connection(
    stream,
    {
      packet(body) {
        if (body === 'm') conn.sendHex(Buffer.from([0xde, 0xad, 0x01, 0x99]), 3);
        else if (body === 'big') conn.sendHex(Buffer.alloc(40, 0xab), 40);
        else conn.send(body === 'esc' ? 'a#b' : 'OK');
        conn.done();
      },
      badPacket() {},
      interrupt() {},
      close() {},
    },
    { maxPacketSize: 4096 },
  );
  conn.noAck = true;
  for (const p of ['qC', 'm', 'esc', 'big']) d.feed!(encodePacket(p));
  // OK and the hex of 3 bytes through the buffer; an escape or a frame longer than the buffer
  // through write(), as before.
  t.deepEqual(replies, ['$OK#9a', encodePacket('dead01').toString('latin1')]);
  t.deepEqual(writes, [
    encodePacket('a#b').toString('latin1'),
    encodePacket('ab'.repeat(40)).toString('latin1'),
  ]);
});

test('with a reply buffer in ack mode, a `-` gets the reply again after the buffer was reused', (t) => {
  const { d, stream } = replyBufferStream(64);
  const conn: Connection = new Connection(
    stream,
    {
      packet() {
        conn.sendHex(Buffer.from([0x12, 0x34]), 2);
        conn.done();
      },
      badPacket() {},
      interrupt() {},
      close() {},
    },
    { maxPacketSize: 4096 },
  );
  d.feed!(encodePacket('m1,2'));
  d.out = '';
  d.feed!(Buffer.from('-'));
  t.is(d.out, encodePacket('1234').toString('latin1'));
});
