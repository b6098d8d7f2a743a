// Acks and retransmission on the link (GDB manual, "Packet Acknowledgment").
import { Duplex } from 'node:stream';
import test from 'ava';
import { encodePacket } from '../../rsp/encoder.js';
import { Connection } from '../../stub/connection.js';

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
        const text = body.toString('latin1');
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

test("a link with setDataListener gets its reads to that listener, and no 'data' listener", (t) => {
  let direct: ((chunk: Buffer) => void) | undefined;
  const events: string[] = [];
  let out = '';
  const stream = {
    on(event: string) {
      events.push(event);
      return stream;
    },
    setDataListener(l: (chunk: Buffer) => void) {
      direct = l;
    },
    write(b: Buffer) {
      out += b.toString('latin1');
      return true;
    },
    pause: () => stream,
    resume: () => stream,
    isPaused: () => false,
    end: () => stream,
    destroy: () => stream,
  };
  const received: string[] = [];
  new Connection(
    stream,
    {
      packet: (body) => received.push(body.toString('latin1')),
      badPacket() {},
      interrupt() {},
      close() {},
    },
    { maxPacketSize: 4096 },
  );
  t.false(events.includes('data'));
  direct!(encodePacket('qC'));
  t.deepEqual(received, ['qC']);
  t.is(out, '+');
});
