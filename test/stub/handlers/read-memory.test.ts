import test from 'ava';
import { SessionContext } from '../../../stub/context.js';
import {
  crcMemory,
  gdbCrc32,
  READ_CHUNK,
  readMemory,
  searchMemory,
  writeMemory,
} from '../../../stub/handlers/read-memory.js';
import { TargetError } from '../../../stub/target.js';
import { FakeTarget } from '../../helpers/fake-target.js';
import { connectSession } from '../../helpers/rsp-client.js';
import { fake, GDB_FEATURES, LLDB_FEATURES } from './_fake.js';

function ctx() {
  const fake = new FakeTarget();
  const data = Buffer.alloc(0x3000);
  for (let i = 0; i < data.length; i++) data[i] = i & 0xff;
  data.write('needle', 0x2ffa);
  fake.map(0x10000n, data);
  return { fake, ctx: new SessionContext(fake.asTarget()) };
}

test('gdb crc32 of "123456789"', (t) => {
  t.is(gdbCrc32(Buffer.from('123456789')), 0x0376e6e7);
});

test('m returns the bytes in hex', async (t) => {
  const { ctx: c } = ctx();
  t.deepEqual(await readMemory(c, 0x10010n, 4, 0x4000), { reply: '10111213' });
});

test('m across the end of a mapping returns the readable part', async (t) => {
  const { ctx: c } = ctx();
  const r = await readMemory(c, 0x12ffen, 8, 0x4000);
  t.deepEqual(r, { reply: Buffer.from('le').toString('hex') });
});

test('m at an unmapped address is an error', async (t) => {
  const { ctx: c } = ctx();
  t.deepEqual(await readMemory(c, 0x100n, 4, 0x4000), { reply: 'E05', errno: 5 });
});

test('m longer than the target chunk is split and reassembled', async (t) => {
  const fake = new FakeTarget();
  const len = READ_CHUNK + 0x800;
  const data = Buffer.alloc(len);
  for (let i = 0; i < len; i++) data[i] = i & 0xff;
  fake.map(0x10000n, data);
  const c = new SessionContext(fake.asTarget());
  const r = (await readMemory(c, 0x10000n, len, 4 * len)) as { reply: string };
  t.is(r.reply.length, len * 2);
  t.is(r.reply.slice(READ_CHUNK * 2, READ_CHUNK * 2 + 4), '0001');
  t.is(fake.calls.filter((x) => x.startsWith('readMemory')).length, 2);
});

/**
 * Gives a fake a readMemoryInto that copies what readMemory would answer, or declines; `types`
 * gets the type of each address it is given.
 */
function addInto(fake: FakeTarget, decline: boolean, types: string[] = []): string[] {
  const base = fake as FakeTarget & {
    readMemoryInto?: (addr: number | bigint, length: number, into: Buffer) => number | undefined;
  };
  const into: string[] = [];
  base.readMemoryInto = (addr, length, buf) => {
    into.push(`${addr.toString(16)} ${length}`);
    types.push(typeof addr);
    if (decline) return undefined;
    const out: number[] = [];
    for (let i = 0; i < length; i++) {
      const a = BigInt(addr) + BigInt(i);
      const r = fake.regions.find((x) => a >= x.start && a < x.start + BigInt(x.data.length));
      if (r === undefined) break;
      out.push(r.data[Number(a - r.start)]!);
    }
    if (out.length === 0) throw new TargetError('unmapped', 14);
    buf.set(out);
    return out.length;
  };
  return into;
}

function withInto(decline: boolean) {
  const { fake, ctx: c } = ctx();
  return { fake, ctx: c, into: addInto(fake, decline) };
}

test('m reads through readMemoryInto when the target has it, with its errors', async (t) => {
  const { fake, ctx: c, into } = withInto(false);
  // Its bytes come as they were read, for the connection to frame as hex (sendHex).
  const hexOf = (r: unknown) => {
    const h = r as { hex: Uint8Array; length: number };
    return Buffer.from(h.hex.subarray(0, h.length)).toString('hex');
  };
  t.is(hexOf(await readMemory(c, 0x10010n, 4, 0x4000)), '10111213');
  t.is(hexOf(await readMemory(c, 0x12ffen, 8, 0x4000)), Buffer.from('le').toString('hex'));
  t.deepEqual(await readMemory(c, 0x100n, 4, 0x4000), { reply: 'E0e', errno: 14 });
  t.deepEqual(into, ['10010 4', '12ffe 8', '100 4']);
  t.deepEqual(
    fake.calls.filter((x) => x.startsWith('readMemory')),
    [],
  );
});

test('m falls back to readMemory when readMemoryInto declines', async (t) => {
  const { fake, ctx: c, into } = withInto(true);
  t.deepEqual(await readMemory(c, 0x10010n, 4, 0x4000), { reply: '10111213' });
  t.deepEqual(into, ['10010 4']);
  t.deepEqual(
    fake.calls.filter((x) => x.startsWith('readMemory')),
    ['readMemory 10010 4'],
  );
});

test('m through readMemoryInto over a session: the framed reply goes out as it is', async (t) => {
  const f = fake();
  const types: string[] = [];
  const into = addInto(f, false, types);
  const h = await connectSession(f.asTarget());
  t.is(await h.client.request('m401000,4'), '00010203');
  t.is(await h.client.request('m401ffe,8'), 'feff');
  t.is(await h.client.request('m0,8'), 'E0e');
  t.is(await h.client.request('mfffffffffffff000,8'), 'E0e');
  t.deepEqual(into, ['401000 4', '401ffe 8', '0 8', 'fffffffffffff000 8']);
  // gdb's addresses reach the target as numbers (no BigInt per packet); one above 2^53 as a bigint.
  t.deepEqual(types, ['number', 'number', 'number', 'bigint']);
  await h.close();
});

test('M writes, and a write into unmapped memory fails', async (t) => {
  const { fake, ctx: c } = ctx();
  t.deepEqual(await writeMemory(c, 0x10000n, Buffer.from([0xaa, 0xbb])), { reply: 'OK' });
  t.is(fake.regions[0]!.data[1], 0xbb);
  t.deepEqual(await writeMemory(c, 0x100n, Buffer.from([1])), { reply: 'E05', errno: 5 });
  t.deepEqual(await writeMemory(c, 0x12fffn, Buffer.from([1, 2])), { reply: 'E05', errno: 5 });
});

test('qSearch:memory finds a pattern across chunk boundaries, or reports none', async (t) => {
  const { ctx: c } = ctx();
  t.deepEqual(await searchMemory(c, 0x10000n, 0x3000, Buffer.from('needle')), { reply: '1,12ffa' });
  t.deepEqual(await searchMemory(c, 0x10000n, 0x3000, Buffer.from('absent!')), { reply: '0' });
});

test('qCRC matches a local crc and fails on unreadable memory', async (t) => {
  const { fake, ctx: c } = ctx();
  const expect = gdbCrc32(fake.regions[0]!.data.subarray(0, 0x2000));
  t.deepEqual(await crcMemory(c, 0x10000n, 0x2000), { reply: `C${expect.toString(16)}` });
  t.deepEqual(await crcMemory(c, 0x12000n, 0x2000), { reply: 'E05', errno: 5 });
});

test('memory: reads, partial reads, unmapped reads, writes', async (t) => {
  const f = fake();
  const h = await connectSession(f.asTarget());
  t.is(await h.client.request('m401000,4'), '00010203');
  t.is(await h.client.request('m401ffe,8'), 'feff');
  t.is(await h.client.request('m0,8'), 'E05');
  t.is(await h.client.request('M401000,2:aabb'), 'OK');
  t.is(await h.client.request('m401000,2'), 'aabb');
  t.is(
    await h.client.request(Buffer.concat([Buffer.from('X401002,2:'), Buffer.from([0x23, 0x7d])])),
    'OK',
  );
  t.is(await h.client.request('m401002,2'), '237d');
  t.is(await h.client.request('M10,1:00'), 'E05');
  await h.close();
});

test('x: raw bytes for LLDB (x0,0 is OK), the empty reply for GDB', async (t) => {
  const data = Buffer.from([0x23, 0x24, 0x7d, 0x2a, 0x00, 0x41, 0xff]);
  const lldb = new FakeTarget().map(0x5000n, Buffer.from(data));
  const h = await connectSession(lldb.asTarget());
  try {
    await h.client.request(LLDB_FEATURES);
    t.is(await h.client.request('x0,0'), 'OK');
    // The framer has undone the `}` escapes of #, $, } and * already.
    t.deepEqual(Buffer.from(await h.client.request('x5000,7'), 'latin1'), data);
    // A read running off the mapping returns what was readable; nothing readable is an error.
    t.deepEqual(Buffer.from(await h.client.request('x5005,10'), 'latin1'), data.subarray(5));
    t.is(await h.client.request('x9000,4'), 'E05');
  } finally {
    await h.close();
  }
  const gdb = new FakeTarget().map(0x5000n, Buffer.from(data));
  const g = await connectSession(gdb.asTarget());
  try {
    await g.client.request(GDB_FEATURES);
    t.is(await g.client.request('x5000,7'), '');
  } finally {
    await g.close();
  }
});
