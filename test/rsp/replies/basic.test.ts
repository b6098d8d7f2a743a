import test from 'ava';
import { empty, encodePacket, error, errorText, errorWithString, ok } from '../../../rsp/index.js';

test('standard replies', (t) => {
  t.is(ok(), 'OK');
  t.is(empty(), '');
  t.is(error(1), 'E01');
  t.is(error(14), 'E0e');
  t.is(error(0x105), 'E05');
});

test('E.text keeps printable ASCII and replaces framing and non-ASCII characters', (t) => {
  t.is(errorText('no such process'), 'E.no such process');
  t.is(errorText('a#b$c}d*e\nf\u00e9'), 'E.a?b?c?d?e?f?');
  // The result frames without any escape, so gdb reads the text verbatim.
  const wire = encodePacket(errorText('50% * done #1')).toString('latin1');
  t.false(wire.slice(1, -3).includes('}'));
});

test('LLDB error strings: EXX;<hex>', (t) => {
  t.is(errorWithString(2, 'not found'), 'E02;6e6f7420666f756e64');
});
