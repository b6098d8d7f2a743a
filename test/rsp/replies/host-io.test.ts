import test from 'ava';
import fc from 'fast-check';
import {
  decodeFioStat,
  encodePacket,
  escapeBinary,
  fileData,
  fileDataPacketWithin,
  fileError,
  fileExists,
  fileResult,
  fileStat,
  FioErrno,
} from '../../../rsp/index.js';

test('F replies', (t) => {
  t.is(fileResult(8), 'F8');
  t.is(fileResult(0x1024), 'F1024');
  t.is(fileResult(0xc008n), 'Fc008');
  t.is(fileError(FioErrno.ENOENT), 'F-1,2');
  t.is(fileError(FioErrno.ENAMETOOLONG), 'F-1,5b');
  t.is(fileExists(true), 'F,1');
  t.is(fileExists(false), 'F,0');
});

test('pread/readlink data is attached raw (the encoder escapes it)', (t) => {
  t.deepEqual(
    fileData(Buffer.from([0x61, 0x23, 0x00])),
    Buffer.from([0x46, 0x33, 0x3b, 0x61, 0x23, 0x00]),
  );
  t.is(fileData(Buffer.alloc(0)).toString(), 'F0;');
});

test('fstat attaches the 64-byte struct', (t) => {
  const st = {
    dev: 1,
    ino: 2,
    mode: 0o100644,
    nlink: 1,
    uid: 0,
    gid: 0,
    rdev: 0,
    size: 10n,
    blksize: 4096n,
    blocks: 1n,
    atime: 3,
    mtime: 4,
    ctime: 5,
  };
  const reply = fileStat(st);
  t.is(reply.subarray(0, 4).toString(), 'F40;');
  t.deepEqual(decodeFioStat(reply.subarray(4)), { ok: true, value: st });
});

/** The reference: the longest prefix whose escaped bytes fit beside the whole length's head. */
function fittingPrefix(data: Uint8Array, max: number): number {
  const head = `F${data.length.toString(16)};`.length;
  for (let n = data.length; n > 0; n--) {
    if (head + escapeBinary(data.subarray(0, n)).length <= max) return n;
  }
  return 0;
}

test('fileDataPacketWithin frames the prefix that fits, as encodePacket(fileData(...)) would', (t) => {
  // Bytes from a small alphabet heavy in the four that are escaped.
  const byte = fc.constantFrom(0x23, 0x24, 0x7d, 0x2a, 0x00, 0x41, 0xff, 0x5d);
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 600 }),
      fc.array(byte, { maxLength: 600 }),
      fc.integer({ min: 0, max: 1400 }),
      (plain, awkward, max) => {
        for (const data of [plain, Uint8Array.from(awkward)]) {
          const wire = fileDataPacketWithin(data, max);
          const n = fittingPrefix(data, max);
          t.deepEqual(wire, encodePacket(fileData(data.subarray(0, n))));
          if (n > 0) t.true(wire.length - 4 <= max);
        }
      },
    ),
  );
});

test('fileDataPacketWithin: a head that shrinks with the prefix, and nothing that fits', (t) => {
  // 0x100 bytes of `$`: the whole length's head `F100;` is 5 long, the prefix's `F7f;` 4.
  const dollars = Buffer.alloc(0x100, 0x24);
  t.deepEqual(
    fileDataPacketWithin(dollars, 5 + 0xff),
    encodePacket(fileData(dollars.subarray(0, 0x7f))),
  );
  t.deepEqual(fileDataPacketWithin(dollars, 3), encodePacket('F0;'));
  t.deepEqual(fileDataPacketWithin(Buffer.alloc(0), 0x4000), encodePacket('F0;'));
});
