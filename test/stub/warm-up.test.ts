// The warm-up session runs the real packet path: every packet it sends gets a real answer.
import test from 'ava';
import { warmUp } from '../../stub/warm-up.js';

test('warm-up rounds are answered, none with an error, and it ends its session', async (t) => {
  const w = warmUp(20);
  const { packets, errors } = await w.done;
  t.deepEqual(errors, []);
  // The handshake (6 packets) and 20 rounds of 10.
  t.is(packets, 6 + 20 * 10);
});

test('stop ends the warm-up at the next round', async (t) => {
  const w = warmUp(1_000_000);
  await new Promise((r) => setTimeout(r, 50));
  await w.stop();
  const { packets, errors } = await w.done;
  t.deepEqual(errors, []);
  t.true(packets < 6 + 1_000_000 * 10);
  t.is((packets - 6) % 10, 0);
});
