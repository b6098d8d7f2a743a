// Raw records through a RecordChannel: malformed and out-of-order commands get errors, each
// command exactly one reply with its seq, and the session survives.
import test, { type ExecutionContext } from 'ava';
import { Cmd, REPLY } from '../../native/constants.js';
import { errnoName } from '../../native/errno.js';
import { openChannel, type RecordChannel } from '../../native/index.js';
import {
  decodeReply,
  encodeHello,
  encodePid,
  encodeRecord,
  encodeRegs,
  encodeResume,
} from '../../native/records.js';
import { capTest, fixture } from './_session.js';

function channel(t: ExecutionContext): RecordChannel {
  const ch = openChannel();
  t.teardown(() => ch.close());
  return ch;
}

/** Sends raw bytes and returns the errno name of the reply (or 'OK'), checking seq and type. */
async function call(ch: RecordChannel, bytes: Buffer, seq: bigint, type?: number) {
  try {
    ch.send(bytes);
  } catch (err) {
    // A provider may refuse a malformed frame in write(2) itself rather than in a reply.
    return { code: (err as { code?: string }).code ?? 'EIO', reply: undefined };
  }
  for (;;) {
    const rec = await ch.next();
    if (rec.readUInt16LE(4) !== REPLY) continue; // events are not what we wait for
    const r = decodeReply(rec);
    if (r.seq !== seq) throw new Error(`reply for seq ${r.seq}, expected ${seq}`);
    if (type !== undefined && r.cmdType !== type) throw new Error(`reply to ${r.cmdType}`);
    return { code: r.error === 0 ? 'OK' : errnoName(r.error), reply: r };
  }
}

test('anything before HELLO is EPROTO; HELLO then works', async (t) => {
  const ch = channel(t);
  t.is((await call(ch, encodePid(Cmd.LIST_THREADS, 7n, 1), 7n, Cmd.LIST_THREADS)).code, 'EPROTO');
  const hello = await call(ch, encodeHello(8n, 1, 1), 8n, Cmd.HELLO);
  t.is(hello.code, 'OK');
  t.is(hello.reply?.payload.readUInt32LE(0), 1);
  // HELLO may be repeated before the first LAUNCH/ATTACH.
  t.is((await call(ch, encodeHello(9n, 1, 1), 9n)).code, 'OK');
});

test('HELLO rules: no common ABI version, nonzero features', async (t) => {
  const ch = channel(t);
  t.not((await call(ch, encodeHello(1n, 2, 5), 1n)).code, 'OK');
  const withFeatures = encodeHello(2n, 1, 1);
  withFeatures.writeBigUInt64LE(1n, 24);
  t.is((await call(ch, withFeatures, 2n)).code, 'EINVAL');
  t.is((await call(ch, encodeHello(3n, 1, 1), 3n)).code, 'OK');
});

test('malformed frames, unknown types, nonzero reserved fields and tails are EINVAL', async (t) => {
  const ch = channel(t);
  t.is((await call(ch, encodeHello(1n, 1, 1), 1n)).code, 'OK');
  const unknown = encodeRecord(0x01ff, 2n, 8);
  t.is((await call(ch, unknown, 2n, 0x01ff)).code, 'EINVAL');
  const reserved = encodePid(Cmd.LIST_THREADS, 3n, 1);
  reserved.writeUInt32LE(1, 20);
  t.is((await call(ch, reserved, 3n)).code, 'EINVAL');
  const tail = Buffer.concat([encodePid(Cmd.LIST_THREADS, 4n, 1), Buffer.alloc(8, 1)]);
  tail.writeUInt32LE(tail.length, 0);
  t.is((await call(ch, tail, 4n)).code, 'EINVAL');
  const flags = encodePid(Cmd.LIST_THREADS, 5n, 1);
  flags.writeUInt16LE(1, 6);
  t.is((await call(ch, flags, 5n)).code, 'EINVAL');
  const badLen = encodePid(Cmd.LIST_THREADS, 6n, 1);
  badLen.writeUInt32LE(20, 0); // not a multiple of 8
  t.is((await call(ch, badLen, 6n)).code, 'EINVAL');
  const tooLong = encodePid(Cmd.LIST_THREADS, 7n, 1);
  tooLong.writeUInt32LE(4096, 0); // longer than what was written
  t.is((await call(ch, tooLong, 7n)).code, 'EINVAL');
  // A shorter command is zero-extended: LIST_THREADS of pid 0 is simply unknown.
  const short = encodeRecord(Cmd.LIST_THREADS, 8n, 0);
  t.is((await call(ch, short, 8n)).code, 'ESRCH');
  // The session survives all of it.
  t.is((await call(ch, encodeHello(9n, 1, 1), 9n)).code, 'OK');
});

test('unknown handles and pids: ESRCH; bad modes and regsets: EINVAL', async (t) => {
  const ch = channel(t);
  await call(ch, encodeHello(1n, 1, 1), 1n);
  t.is((await call(ch, encodeResume(2n, 999n, 0n, 0, 0, 0n, 0n), 2n)).code, 'ESRCH');
  t.is((await call(ch, encodeResume(3n, 999n, 0n, 9, 0, 0n, 0n), 3n)).code, 'EINVAL');
  t.is((await call(ch, encodeResume(4n, 999n, 0n, 0, 0, 1n, 2n), 4n)).code, 'EINVAL');
  t.is((await call(ch, encodeRegs(Cmd.GET_REGS, 5n, 999n, 0n, 77), 5n)).code, 'EINVAL');
  t.is((await call(ch, encodePid(Cmd.DETACH, 6n, 0x3ffffff0), 6n)).code, 'ESRCH');
  t.is((await call(ch, encodePid(Cmd.KILL, 7n, 0x3ffffff0), 7n)).code, 'ESRCH');
});

capTest(
  ['launch'],
  'out-of-order commands on a live target: ESTALE for a finished stop',
  async (t) => {
    const { NtraceEngine } = await import('../../native/index.js');
    const ch = channel(t);
    const engine = await NtraceEngine.open(ch);
    const path = await fixture('spin');
    const ref = await engine.launch({ path, argv: [path], env: [] });
    const stops: bigint[] = [];
    engine.on('event', (ev) => {
      if (ev.type === 'stop') stops.push(ev.stopId);
    });
    const raw = (bytes: Buffer) => ch.send(bytes);
    // Step once through the engine, then quote the old stop_id by hand.
    while (stops.length === 0) await new Promise((r) => setImmediate(r));
    const first = stops[0]!;
    await engine.resume({ handle: ref.handle, stopId: first, mode: 'step' });
    while (stops.length < 2) await new Promise((r) => setImmediate(r));
    const err = await t.throwsAsync(engine.getRegs(ref.handle, first, 'gpr'));
    t.is((err as unknown as { code: string }).code, 'ESTALE');
    try {
      raw(Buffer.alloc(3)); // garbage shorter than a header: refused or answered, session survives
    } catch {
      // refused by write(2): fine too
    }
    const regs = await engine.getRegs(ref.handle, stops[1]!, 'gpr');
    t.is(regs.length, 216);
    await engine.kill(ref.tgid);
    await engine.close();
  },
);
