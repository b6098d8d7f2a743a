import test from 'ava';
import { parse } from '../parse.js';

test('D, D;pid and LLDB D1', (t) => {
  t.deepEqual(parse('D'), { kind: 'detach' });
  t.deepEqual(parse('D;4d2'), { kind: 'detach', pid: 0x4d2 });
  t.deepEqual(parse('D1'), { kind: 'detach', keepStopped: true });
  t.is(parse('D;').kind, 'malformed');
  t.is(parse('D2').kind, 'malformed');
  t.is(parse('D;p1').kind, 'malformed');
});
