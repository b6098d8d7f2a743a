import test from 'ava';
import fc from 'fast-check';
import { EVENT_BITS } from '../../native/constants.js';
import { ALL_ONES, bitmap, eventMask, signalMask } from '../../native/masks.js';

// The masks as they were built before, one BigInt shift per bit: the reference.
function reference(values: Iterable<number>, offset: number): bigint {
  let m = 0n;
  for (const v of values) m |= 1n << BigInt(v - offset);
  return m;
}

test('signalMask: bit s-1 per signal, both halves, all when undefined', (t) => {
  t.is(signalMask(undefined), ALL_ONES);
  t.is(ALL_ONES, (1n << 64n) - 1n);
  t.is(signalMask([]), 0n);
  t.is(signalMask([1]), 1n);
  t.is(signalMask([32]), 1n << 31n);
  t.is(signalMask([33]), 1n << 32n);
  t.is(signalMask([64]), 1n << 63n);
  t.throws(() => signalMask([0]), { instanceOf: RangeError });
  t.throws(() => signalMask([65]), { instanceOf: RangeError });
  t.throws(() => signalMask([1.5]), { instanceOf: RangeError });
});

test('property: signalMask equals the BigInt-per-signal reference', (t) => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: 64 })), (sigs) => {
      t.is(signalMask(sigs), reference(sigs, 1));
    }),
  );
});

test('property: bitmap equals the BigInt-per-value reference in every word', (t) => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 511 })), (values) => {
      const words = bitmap(values, 8);
      t.is(words.length, 8);
      const all = reference(values, 0);
      for (let i = 0; i < 8; i++) t.is(words[i], (all >> BigInt(64 * i)) & ALL_ONES);
    }),
  );
  t.throws(() => bitmap([512], 8), { instanceOf: RangeError });
});

test('eventMask: bit i per EVENT_BITS[i]', (t) => {
  t.is(eventMask({}), 0n);
  t.is(eventMask({ clone: true, threadReports: true }), 1n | (1n << BigInt(EVENT_BITS.length - 1)));
  t.is(eventMask({ exec: true, fork: false }), 1n << BigInt(EVENT_BITS.indexOf('exec')));
});
