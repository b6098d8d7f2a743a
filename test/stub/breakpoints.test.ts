import test from 'ava';
import { SwBreakpoints } from '../../stub/breakpoints.js';
import { FakeTarget } from '../helpers/fake-target.js';

function setup() {
  const fake = new FakeTarget().map(0x400000n, Buffer.alloc(0x1000));
  return { fake, set: new SwBreakpoints(fake.breakpointOps) };
}

test('an insertion reaches the target at once', async (t) => {
  const { fake, set } = setup();
  await set.insert(0x400010n);
  t.deepEqual([...fake.swBreaks], [0x400010n]);
});

test('an invalid address is refused at insertion', async (t) => {
  const { set } = setup();
  await t.throwsAsync(set.insert(0x10n));
  t.false(set.has(0x10n));
});

test('remove then re-insert (step over a breakpoint) costs no target call', async (t) => {
  const { fake, set } = setup();
  await set.insert(0x400010n);
  const before = fake.calls.length;
  set.remove(0x400010n);
  await set.flush(new Set([0x400010n])); // the step from that pc keeps it
  await set.insert(0x400010n);
  await set.flush();
  t.is(fake.calls.length, before);
  t.true(fake.swBreaks.has(0x400010n));
});

test('a removal is applied at the next flush', async (t) => {
  const { fake, set } = setup();
  await set.insert(0x400010n);
  await set.insert(0x400020n);
  set.remove(0x400010n);
  t.true(fake.swBreaks.has(0x400010n));
  await set.flush();
  t.deepEqual([...fake.swBreaks], [0x400020n]);
  t.is(set.targetCount, 1);
});

test('a removal kept for a step goes at the following flush', async (t) => {
  const { fake, set } = setup();
  await set.insert(0x400010n);
  set.remove(0x400010n);
  await set.flush(new Set([0x400010n]));
  t.true(fake.swBreaks.has(0x400010n));
  await set.flush();
  t.false(fake.swBreaks.has(0x400010n));
});

test('clearAll empties the target', async (t) => {
  const { fake, set } = setup();
  await set.insert(0x400010n);
  await set.insert(0x400011n);
  await set.clearAll();
  t.is(fake.swBreaks.size, 0);
});
