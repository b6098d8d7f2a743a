import test from 'ava';
import { watchPieces } from '../../stub/arch/x86-watch.js';

const show = (addr: bigint, len: number): string =>
  watchPieces(addr, len)
    .map((p) => `${p.addr.toString(16)}:${p.len}`)
    .join(' ');

test('aligned regions of 1, 2, 4, 8 bytes are one piece', (t) => {
  for (const len of [1, 2, 4, 8]) t.is(show(0x1000n, len), `1000:${len}`);
});

test('odd widths and unaligned starts split as gdbserver splits them', (t) => {
  t.is(show(0x1001n, 2), '1001:1 1002:1');
  t.is(show(0x1000n, 3), '1000:2 1002:1');
  t.is(show(0x1003n, 3), '1003:1 1004:2');
  t.is(show(0x1002n, 8), '1002:2 1004:4 1008:2');
  t.is(show(0x1007n, 8), '1007:1 1008:4 100c:2 100e:1');
  t.is(show(0x1000n, 16), '1000:8 1008:8');
});

test('pieces cover the region exactly, each naturally aligned', (t) => {
  for (let start = 0; start < 16; start++) {
    for (let len = 1; len <= 24; len++) {
      const pieces = watchPieces(BigInt(0x2000 + start), len);
      let next = BigInt(0x2000 + start);
      for (const p of pieces) {
        t.is(p.addr, next);
        t.true([1, 2, 4, 8].includes(p.len));
        t.is(p.addr % BigInt(p.len), 0n);
        next += BigInt(p.len);
      }
      t.is(next, BigInt(0x2000 + start + len));
    }
  }
});

test('an empty region has no pieces', (t) => {
  t.deepEqual(watchPieces(0x1000n, 0), []);
});
