import test from 'ava';
import fc from 'fast-check';
import {
  bigintToHex,
  bigintToLeBytes,
  bigintToLeHex,
  bufferToHex,
  byteToHex,
  hexToBigint,
  hexToBuffer,
  hexToNumber,
  hexToText,
  isHex,
  leBytesToBigint,
  leHexToBigint,
  numberToHex,
  textToHex,
} from '../../../rsp/index.js';

test('hexToBuffer decodes pairs in either case', (t) => {
  const r = hexToBuffer('00fFa5');
  t.true(r.ok);
  if (r.ok) t.deepEqual([...r.value], [0x00, 0xff, 0xa5]);
  const empty = hexToBuffer('');
  t.true(empty.ok && empty.value.length === 0);
});

test('hexToBuffer refuses odd lengths and non-hex characters', (t) => {
  const odd = hexToBuffer('abc');
  t.false(odd.ok);
  if (!odd.ok) t.regex(odd.error, /odd/);
  const bad = hexToBuffer('zz');
  t.false(bad.ok);
  if (!bad.ok) t.regex(bad.error, /non-hex/);
  // Buffer.from(.., 'hex') would silently stop at the first bad pair; we refuse instead.
  t.false(hexToBuffer('00g0').ok);
  t.false(hexToBuffer(' 0').ok);
});

test('bufferToHex is lowercase and handles views', (t) => {
  t.is(bufferToHex(Buffer.from([0xab, 0x01])), 'ab01');
  const view = new Uint8Array([1, 2, 3, 4]).subarray(1, 3);
  t.is(bufferToHex(view), '0203');
});

test('hexToBigint reads big-endian numbers of any width', (t) => {
  t.deepEqual(hexToBigint('7fffffffe000'), { ok: true, value: 0x7fffffffe000n });
  t.deepEqual(hexToBigint('ffffffffffffffff'), { ok: true, value: 0xffffffffffffffffn });
  t.deepEqual(hexToBigint('0'), { ok: true, value: 0n });
  t.false(hexToBigint('').ok);
  t.false(hexToBigint('-1').ok);
  t.false(hexToBigint('0x10').ok);
});

test('bigintToHex writes minimal lowercase digits', (t) => {
  t.is(bigintToHex(0n), '0');
  t.is(bigintToHex(0x401000n), '401000');
  t.is(bigintToHex(0xdeadbeefn), 'deadbeef');
  t.is(bigintToHex(-0x10n), '-10');
});

test('hexToNumber keeps to safe integers', (t) => {
  t.deepEqual(hexToNumber('1f'), { ok: true, value: 31 });
  t.deepEqual(hexToNumber('1fffffffffffff'), { ok: true, value: Number.MAX_SAFE_INTEGER });
  t.false(hexToNumber('20000000000000').ok);
  t.is(numberToHex(255), 'ff');
});

test('byteToHex always gives two digits', (t) => {
  t.is(byteToHex(5), '05');
  t.is(byteToHex(0x91), '91');
  t.is(byteToHex(0x105), '05');
});

test('little-endian register helpers', (t) => {
  t.is(bigintToLeHex(0x1234n, 2), '3412');
  t.is(bigintToLeHex(0x401000n, 8), '0010400000000000');
  t.deepEqual(leHexToBigint('0010400000000000'), { ok: true, value: 0x401000n });
  t.is(leBytesToBigint(Buffer.from([0x78, 0x56, 0x34, 0x12])), 0x12345678n);
  t.deepEqual([...bigintToLeBytes(-1n, 2)], [0xff, 0xff]);
  t.false(leHexToBigint('').ok);
  t.false(leHexToBigint('123').ok);
});

test('text hex helpers use UTF-8', (t) => {
  t.is(textToHex('ls'), '6c73');
  t.deepEqual(hexToText('6c73'), { ok: true, value: 'ls' });
  t.deepEqual(hexToText('c3a9'), { ok: true, value: 'é' });
  t.false(hexToText('6').ok);
  t.true(isHex('09afAF'));
  t.false(isHex('0x'));
});

test('property: bytes round-trip through hex', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (data) => {
      const r = hexToBuffer(bufferToHex(data));
      return r.ok && r.value.equals(Buffer.from(data));
    }),
  );
  t.pass();
});

test('property: numbers and register values round-trip', (t) => {
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (v) => {
      const be = hexToBigint(bigintToHex(v));
      const le = leHexToBigint(bigintToLeHex(v, 8));
      return be.ok && be.value === v && le.ok && le.value === v;
    }),
  );
  t.pass();
});

test('numbers up to 13 digits and longer ones read alike, in any case; junk is refused', (t) => {
  // 13 digits take the no-BigInt path, 14 and more the other one.
  t.deepEqual(hexToNumber('fffffffffffff'), { ok: true, value: 2 ** 52 - 1 });
  t.deepEqual(hexToNumber('1FFFFFFFFFFFFF'), { ok: true, value: Number.MAX_SAFE_INTEGER });
  t.false(hexToNumber('20000000000000').ok);
  t.deepEqual(hexToBigint('7FfF12345678'), { ok: true, value: 0x7fff12345678n });
  t.deepEqual(hexToBigint('ffffffffffffffff'), { ok: true, value: 0xffffffffffffffffn });
  for (const bad of ['12g4', ' 1', '1-', 'x', '0x10', '-1', '1.5']) {
    t.false(hexToNumber(bad).ok, bad);
    t.false(hexToBigint(bad).ok, bad);
  }
  t.false(hexToBigint('fffffffffffffffffg').ok);
  t.false(hexToNumber('').ok);
});

test('property: the fast and the BigInt readings of a number agree', (t) => {
  t.notThrows(() =>
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.boolean(), (v, upper) => {
        const text = upper ? v.toString(16).toUpperCase() : v.toString(16);
        const r = hexToBigint(text);
        return r.ok && r.value === v;
      }),
    ),
  );
});
