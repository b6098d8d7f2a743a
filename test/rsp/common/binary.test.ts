import test from 'ava';
import fc from 'fast-check';
import { escapeBinary, needsEscape, unescapeBinary } from '../../../rsp/index.js';

test('escapeBinary escapes exactly # $ } *', (t) => {
  t.is(escapeBinary(Buffer.from('a#$}*b')).toString('latin1'), 'a}\x03}\x04}]}\x0ab');
  for (let b = 0; b < 256; b++) t.is(needsEscape(b), [0x23, 0x24, 0x7d, 0x2a].includes(b), `${b}`);
});

test('unescapeBinary undoes the escape and refuses a trailing }', (t) => {
  const r = unescapeBinary(Buffer.from('}\x03x}]', 'latin1'));
  t.true(r.ok && r.value.toString('latin1') === '#x}');
  t.false(unescapeBinary(Buffer.from('ab}', 'latin1')).ok);
  // Any byte may follow the escape character.
  const any = unescapeBinary(Buffer.from([0x7d, 0x20]));
  t.true(any.ok && any.value[0] === 0x00);
});

test('property: unescape(escape(x)) === x', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (data) => {
      const r = unescapeBinary(escapeBinary(data));
      return r.ok && r.value.equals(Buffer.from(data));
    }),
  );
  t.pass();
});
