// stub/lldb/internal-stops.ts: a stop awaited internally is taken once, and only while awaited.
import test from 'ava';
import {
  awaitInternalStop,
  type InternalStopSlot,
  takeInternalStop,
} from '../../../stub/lldb/index.js';
import type { TargetStop } from '../../../stub/target.js';

const stop: TargetStop = {
  kind: 'stopped',
  thread: { pid: 1, tid: 1 },
  signal: 5,
  cause: { type: 'step' },
};

test('a stop is internal only while one is awaited, and is taken once', async (t) => {
  const target: InternalStopSlot = { internalStop: undefined };
  t.false(takeInternalStop(target, stop));
  const next = awaitInternalStop(target);
  // Another process's stop is not ours.
  t.false(takeInternalStop({ internalStop: undefined }, stop));
  t.true(takeInternalStop(target, stop));
  t.is(await next, stop);
  t.false(takeInternalStop(target, stop));
});

test('a waiter left by a call whose resume failed is replaced by the next call', async (t) => {
  const target: InternalStopSlot = { internalStop: undefined };
  void awaitInternalStop(target);
  const next = awaitInternalStop(target);
  t.true(takeInternalStop(target, stop));
  t.is(await next, stop);
  t.false(takeInternalStop(target, stop));
});
