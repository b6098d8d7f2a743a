// Host I/O replies and requests through the real codec: the encoder escapes binary attachments
// and the framer undoes it, with packets no larger than the size the stub offers.
import { writeFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { decodeFioStat, encodePacket, FioMode, Framer, parseCommand } from '../../../rsp/index.js';
import { HostIo, type HostIoReply, isHostIoCommand } from '../../../stub/handlers/host-io.js';
import { wireLength } from '../../../stub/hostio/reply-size.js';
import { bodyOf, fdOf, O, openCmd, parseReply, pread, tempDir } from './_fixtures.js';

/** Bytes heavy in the four that must be escaped, with every other byte value too. */
function awkwardBytes(n: number): Buffer {
  const special = [0x24, 0x23, 0x7d, 0x2a];
  return Buffer.from(
    Array.from({ length: n }, (_, i) => (i % 3 === 0 ? special[i % 4]! : (i * 7) & 0xff)),
  );
}

/** Sends a reply through encodePacket and a Framer of the same size limit; the decoded body. */
function overTheWire(
  t: { is: (a: unknown, b: unknown, m?: string) => void },
  reply: HostIoReply,
  max: number,
  rle = false,
): Buffer {
  const framer = new Framer({ maxPacketSize: max });
  // A framed reply (pread's) goes out as it is; RLE is for bodies the encoder frames.
  const wire =
    typeof reply === 'string' || Buffer.isBuffer(reply) ? encodePacket(reply, { rle }) : reply.wire;
  const events = framer.push(wire);
  t.is(events.length, 1);
  const e = events[0]!;
  if (e.type !== 'packet') throw new Error(`framer said ${JSON.stringify(e)}`);
  return e.body;
}

test('pread attachments with $ # } * survive the encoder and framer', async (t) => {
  const dir = await tempDir(t);
  const data = awkwardBytes(4000);
  await writeFile(join(dir, 'f'), data);
  const io = new HostIo({ maxPacketSize: 0x4000 });
  t.teardown(() => io.close());
  const fd = fdOf(await io.handle(openCmd(join(dir, 'f'))));
  const reply = await io.handle(pread(fd, 4000, 0));
  for (const rle of [false, true]) {
    const body = overTheWire(t, reply, 0x4000, rle);
    t.deepEqual(body, bodyOf(reply));
    const r = parseReply(body);
    t.is(r.result, 4000);
    t.deepEqual(r.attachment, data);
  }
});

test('pread replies fit the packet size even when every byte is escaped', async (t) => {
  const dir = await tempDir(t);
  const max = 256;
  const dollars = Buffer.alloc(1000, 0x24);
  await writeFile(join(dir, 'f'), dollars);
  const io = new HostIo({ maxPacketSize: max });
  t.teardown(() => io.close());
  const fd = fdOf(await io.handle(openCmd(join(dir, 'f'))));
  const reply = await io.handle(pread(fd, 1000, 0));
  t.true(wireLength(Buffer.from(bodyOf(reply))) <= max);
  const r = parseReply(overTheWire(t, reply, max));
  t.true(r.result > 0 && r.result < 1000);
  t.is(r.attachment!.length, r.result, 'the count says what is attached');
  t.deepEqual(r.attachment, dollars.subarray(0, r.result));
  // Unescaped bytes fill the packet instead.
  await writeFile(join(dir, 'g'), Buffer.alloc(1000, 0x41));
  const gfd = fdOf(await io.handle(openCmd(join(dir, 'g'))));
  const g = await io.handle(pread(gfd, 1000, 0));
  t.is(
    wireLength(Buffer.from(bodyOf(g))),
    max - 1,
    'F<cap>; plus data: the header shrank by one digit',
  );
});

test('a gdb-style read loop at a small packet size reassembles the file', async (t) => {
  const dir = await tempDir(t);
  const max = 300;
  const data = awkwardBytes(5000);
  await writeFile(join(dir, 'f'), data);
  const io = new HostIo({ maxPacketSize: max });
  t.teardown(() => io.close());
  const framer = new Framer({ maxPacketSize: max });
  const ask = async (body: string): Promise<Buffer> => {
    const request = framer.push(encodePacket(body));
    const cmd = request[0]?.type === 'packet' ? parseCommand(request[0].body) : undefined;
    if (!cmd || !isHostIoCommand(cmd)) throw new Error(`unparsed: ${body}`);
    return overTheWire(t, await io.handle(cmd), max, true);
  };
  const fd = parseReply(
    await ask(`vFile:open:${Buffer.from(join(dir, 'f')).toString('hex')},0,0`),
  ).result;
  const parts: Buffer[] = [];
  let offset = 0;
  let rounds = 0;
  for (;;) {
    const r = parseReply(await ask(`vFile:pread:${fd.toString(16)},1000,${offset.toString(16)}`));
    t.is(r.attachment!.length, r.result);
    if (r.result === 0) break;
    parts.push(r.attachment!);
    offset += r.result;
    rounds++;
  }
  t.deepEqual(Buffer.concat(parts), data);
  t.true(rounds > 5000 / max, 'the reads were capped');
  t.is(parseReply(await ask(`vFile:close:${fd.toString(16)}`)).result, 0);
});

test('pwrite data escaped by the client lands in the file unchanged', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'w');
  const io = new HostIo({ maxPacketSize: 0x4000 });
  t.teardown(() => io.close());
  const fd = fdOf(await io.handle(openCmd(path, O.CREAT | O.WRONLY, 0o600)));
  const data = awkwardBytes(600);
  const body = Buffer.concat([Buffer.from(`vFile:pwrite:${fd.toString(16)},10,`), data]);
  const events = new Framer({ maxPacketSize: 0x4000 }).push(encodePacket(body));
  if (events[0]?.type !== 'packet') return t.fail('no packet');
  const cmd = parseCommand(events[0].body);
  if (!isHostIoCommand(cmd)) return t.fail(`parsed as ${cmd.kind}`);
  t.is(cmd.kind, 'file-pwrite');
  t.is(await io.handle(cmd), `F${(600).toString(16)}`);
  const written = await readFile(path);
  t.deepEqual(written.subarray(0x10), data);
  t.deepEqual(written.subarray(0, 0x10), Buffer.alloc(0x10));
});

test('the fstat struct survives the wire, escapes included', async (t) => {
  const dir = await tempDir(t);
  // 0x24 bytes long, so the size field itself holds a `$`.
  await writeFile(join(dir, 'f'), Buffer.alloc(0x2a24));
  const io = new HostIo({ maxPacketSize: 0x4000 });
  t.teardown(() => io.close());
  const fd = fdOf(await io.handle(openCmd(join(dir, 'f'))));
  const reply = await io.handle({ kind: 'file-fstat', fd });
  const wire = encodePacket(bodyOf(reply));
  t.true(wire.includes(Buffer.from([0x7d, 0x24 ^ 0x20])), 'the size bytes were escaped');
  const st = decodeFioStat(parseReply(overTheWire(t, reply, 0x4000)).attachment!);
  if (!st.ok) return t.fail(st.error);
  t.is(st.value.size, 0x2a24n);
  t.is(st.value.mode & 0o170000, FioMode.S_IFREG);
});
