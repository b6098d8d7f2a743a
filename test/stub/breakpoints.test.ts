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
  await t.throwsAsync(async () => set.insert(0x10n));
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

test('a re-insertion of a breakpoint still in the target is answered without a promise', async (t) => {
  const { fake, set } = setup();
  const first = set.insert(0x400010n);
  t.true(first instanceof Promise, 'a new breakpoint goes to the target');
  await first;
  set.remove(0x400010n);
  t.is(set.insert(0x400010n), undefined);
  t.true(set.has(0x400010n));
  // A breakpoint the flush took out goes back to the target, with a promise.
  set.remove(0x400010n);
  await set.flush();
  const again = set.insert(0x400010n);
  t.true(again instanceof Promise);
  await again;
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

test('conditions go with the breakpoint; a changed list is replaced in place, an equal one not', async (t) => {
  const calls: string[] = [];
  const set = new SwBreakpoints({
    setSwBreakpoint: async (addr, x) => {
      calls.push(`set ${addr.toString(16)} ${x?.conditions.map((c) => c.toString('hex')) ?? '-'}`);
    },
    updateSwBreakpoint: async (addr, x) => {
      calls.push(
        `update ${addr.toString(16)} ${x?.conditions.map((c) => c.toString('hex')) ?? '-'}`,
      );
    },
    clearSwBreakpoint: async (addr) => {
      calls.push(`clear ${addr.toString(16)}`);
    },
  });
  const cond = (hex: string) => ({ conditions: [Buffer.from(hex, 'hex')], commands: [] });
  await set.insert(0x10n, cond('220127'));
  // gdb re-sends the same Z0 with no z0 between: set again, so the target can put back an
  // int3 that went away with unloaded code (gdb.base/unload.exp).
  await set.insert(0x10n, cond('220127'));
  await set.insert(0x10n, cond('220027')); // gdb changed the condition
  set.remove(0x10n); // a step over it: z0, then Z0 unconditional: the int3 stayed, nothing to do
  await set.insert(0x10n);
  await set.flush();
  t.deepEqual(calls, ['set 10 220127', 'update 10 220127', 'update 10 220027', 'update 10 -']);
});
