import test from 'ava';

test('placeholder until the codec lands', (t) => {
  t.is(1 + 1, 2);
});
