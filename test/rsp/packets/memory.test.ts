// m, M, x, X (read-memory.ts, write-memory.ts, read-memory-binary.ts, write-memory-binary.ts).
import test from 'ava';
import fc from 'fast-check';
import { encodePacket, Framer } from '../../../rsp/index.js';
import { parse } from '../parse.js';

test('m addr,length: the address a number when it is a safe integer, a bigint above', (t) => {
  t.deepEqual(parse('m7fffffffe000,40'), {
    kind: 'read-memory',
    addr: 0x7fffffffe000,
    length: 0x40,
  });
  t.deepEqual(parse('m7FFFFFFFE000,40'), {
    kind: 'read-memory',
    addr: 0x7fffffffe000,
    length: 0x40,
  });
  t.deepEqual(parse('mffffffffffffffff,1'), {
    kind: 'read-memory',
    addr: 0xffffffffffffffffn,
    length: 1,
  });
  // 2^53 - 1 is the last number; 2^53 a bigint; leading zeros do not make a bigint.
  t.deepEqual(parse('m1fffffffffffff,1'), {
    kind: 'read-memory',
    addr: Number.MAX_SAFE_INTEGER,
    length: 1,
  });
  t.deepEqual(parse('m20000000000000,1'), {
    kind: 'read-memory',
    addr: 1n << 53n,
    length: 1,
  });
  t.deepEqual(parse('m0000000000000010,4'), { kind: 'read-memory', addr: 0x10, length: 4 });
  t.deepEqual(parse('m10,4;thread:7;'), {
    kind: 'read-memory',
    addr: 0x10,
    length: 4,
    thread: { tid: 7 },
  });
  for (const p of ['m', 'm10', 'm,4', 'm10,', 'm10,z', 'm10000000000000000,1', 'mx,1']) {
    t.is(parse(p).kind, 'malformed', p);
  }
});

test('M addr,length:hex needs exactly length bytes', (t) => {
  t.deepEqual(parse('M1000,2:cc90'), {
    kind: 'write-memory',
    addr: 0x1000n,
    data: Buffer.from([0xcc, 0x90]),
  });
  t.deepEqual(parse('M1000,0:'), { kind: 'write-memory', addr: 0x1000n, data: Buffer.alloc(0) });
  for (const p of ['M1000,2', 'M1000,2:cc', 'M1000,1:cc90', 'M1000,1:c', 'M1000,1:zz']) {
    t.is(parse(p).kind, 'malformed', p);
  }
});

test('x addr,length, with LLDB-style optional 0x prefixes', (t) => {
  t.deepEqual(parse('x1000,200'), { kind: 'read-memory-binary', addr: 0x1000n, length: 0x200 });
  t.deepEqual(parse('x0x1000,0x200'), { kind: 'read-memory-binary', addr: 0x1000n, length: 0x200 });
  t.deepEqual(parse('x0,0'), { kind: 'read-memory-binary', addr: 0n, length: 0 });
  t.is(parse('x1000').kind, 'malformed');
});

test('X addr,length:binary, including the X..,0: probe and data containing : and ,', (t) => {
  t.deepEqual(parse('X401000,0:'), {
    kind: 'write-memory-binary',
    addr: 0x401000n,
    data: Buffer.alloc(0),
  });
  t.deepEqual(parse('X10,3::,\x00'), {
    kind: 'write-memory-binary',
    addr: 0x10n,
    data: Buffer.from([0x3a, 0x2c, 0]),
  });
  t.is(parse('X10,3:ab').kind, 'malformed');
  t.is(parse('X10,1').kind, 'malformed');
});

test('property: X data survives encode, frame and parse exactly', (t) => {
  fc.assert(
    fc.property(
      fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
      fc.uint8Array({ maxLength: 200 }),
      (addr, data) => {
        const body = Buffer.concat([
          Buffer.from(`X${addr.toString(16)},${data.length.toString(16)}:`),
          data,
        ]);
        const events = new Framer({ maxPacketSize: 1024 }).push(encodePacket(body));
        if (events.length !== 1 || events[0]!.type !== 'packet') return false;
        const c = parse(events[0]!.body.toString('latin1'));
        return (
          c.kind === 'write-memory-binary' && c.addr === addr && c.data.equals(Buffer.from(data))
        );
      },
    ),
  );
  t.pass();
});

test('property: m round-trips address and length', (t) => {
  fc.assert(
    fc.property(
      fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
      fc.integer({ min: 0, max: 0xffffff }),
      (addr, len) => {
        const c = parse(`m${addr.toString(16)},${len.toString(16)}`);
        const safe = addr <= BigInt(Number.MAX_SAFE_INTEGER);
        return (
          c.kind === 'read-memory' &&
          typeof c.addr === (safe ? 'number' : 'bigint') &&
          BigInt(c.addr) === addr &&
          c.length === len
        );
      },
    ),
  );
  t.pass();
});

test('thread suffix on m and M', (t) => {
  t.deepEqual(parse('M10,1:ff;thread:3;'), {
    kind: 'write-memory',
    addr: 0x10n,
    data: Buffer.from([0xff]),
    thread: { tid: 3 },
  });
  t.is(parse('m10,1;thread:q;').kind, 'malformed');
  t.is(parse('M10,1:ff;thread:;').kind, 'malformed');
});
