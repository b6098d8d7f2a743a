import test from 'ava';
import { FIRST_READ, readLength } from '../../../stub/hostio/read-window.js';

const CAP = 0xfff0;

test('a first read, or one at a new place, is a page', (t) => {
  t.is(readLength(undefined, 0, 0x10000, CAP), FIRST_READ);
  t.is(readLength({ offset: 0, length: 4096 }, 10_000, 0x10000, CAP), FIRST_READ, 'past the end');
  t.is(readLength({ offset: 8192, length: 4096 }, 8192, 0x10000, CAP), FIRST_READ, 'the same');
  t.is(readLength({ offset: 8192, length: 4096 }, 100, 0x10000, CAP), FIRST_READ, 'before');
  t.is(readLength({ offset: 0, length: 0 }, 0, 0x10000, CAP), FIRST_READ, 'after an empty read');
});

test('a read going on from the last doubles it, up to the cap', (t) => {
  t.is(readLength({ offset: 0, length: 4096 }, 4096, 0x10000, CAP), 8192, 'at its end');
  t.is(readLength({ offset: 0, length: 4096 }, 3000, 0x10000, CAP), 8192, 'inside: escaping');
  t.is(readLength({ offset: 0, length: 32768 }, 32768, 0x10000, CAP), CAP);
  t.is(readLength({ offset: 0, length: CAP }, CAP, 0x10000, CAP), CAP);
});

test('never more than the client asked for', (t) => {
  t.is(readLength(undefined, 0, 100, CAP), 100);
  t.is(readLength({ offset: 0, length: 4096 }, 4096, 5000, CAP), 5000);
  t.is(readLength(undefined, 0, 0, CAP), 0);
  t.is(readLength(undefined, 0, 0x10000, 1000), 1000, 'nor more than the cap');
});
