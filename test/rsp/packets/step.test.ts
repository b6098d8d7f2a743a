import test from 'ava';
import { parse } from '../parse.js';

test('s and S forms', (t) => {
  t.deepEqual(parse('s'), { kind: 'step' });
  t.deepEqual(parse('s10'), { kind: 'step', addr: 0x10n });
  t.deepEqual(parse('S05'), { kind: 'step', signal: 5 });
  t.deepEqual(parse('S02;1000'), { kind: 'step', signal: 2, addr: 0x1000n });
  t.is(parse('Sxx').kind, 'malformed');
  t.is(parse('s;').kind, 'malformed');
});
