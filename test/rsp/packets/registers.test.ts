// g, G, p, P (read-registers.ts, write-registers.ts, read-register.ts, write-register.ts).
import test from 'ava';
import fc from 'fast-check';
import { parse } from '../parse.js';

test('g with and without the LLDB thread suffix', (t) => {
  t.deepEqual(parse('g'), { kind: 'read-registers' });
  t.deepEqual(parse('g;thread:4d2;'), { kind: 'read-registers', thread: { tid: 0x4d2 } });
  t.deepEqual(parse('g;thread:p1.2'), { kind: 'read-registers', thread: { pid: 1, tid: 2 } });
  t.is(parse('g;thread:;').kind, 'malformed');
  t.is(parse('g1').kind, 'malformed');
});

test('G carries all registers as bytes', (t) => {
  t.deepEqual(parse('G0011ff'), { kind: 'write-registers', data: Buffer.from([0, 0x11, 0xff]) });
  t.deepEqual(parse('G0102;thread:a;'), {
    kind: 'write-registers',
    data: Buffer.from([1, 2]),
    thread: { tid: 10 },
  });
  t.is(parse('G').kind, 'malformed');
  t.is(parse('G012').kind, 'malformed');
  t.is(parse('Gxx').kind, 'malformed');
});

test('p reads one register', (t) => {
  t.deepEqual(parse('p10'), { kind: 'read-register', regnum: 16 });
  t.deepEqual(parse('p1a;thread:1f;'), { kind: 'read-register', regnum: 26, thread: { tid: 31 } });
  t.is(parse('p').kind, 'malformed');
  t.is(parse('p-1').kind, 'malformed');
});

test('P writes one register in target byte order', (t) => {
  t.deepEqual(parse('P10=0010400000000000'), {
    kind: 'write-register',
    regnum: 16,
    value: Buffer.from('0010400000000000', 'hex'),
  });
  t.deepEqual(parse('P1a=1234abcd;thread:5;'), {
    kind: 'write-register',
    regnum: 26,
    value: Buffer.from('1234abcd', 'hex'),
    thread: { tid: 5 },
  });
  for (const p of ['P10', 'P=00', 'P10=', 'P10=0', 'Pz=00']) t.is(parse(p).kind, 'malformed', p);
});

test('property: P round-trips register number and value', (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 500 }),
      fc.uint8Array({ minLength: 1, maxLength: 64 }),
      (n, v) => {
        const c = parse(`P${n.toString(16)}=${Buffer.from(v).toString('hex')}`);
        return c.kind === 'write-register' && c.regnum === n && c.value.equals(Buffer.from(v));
      },
    ),
  );
  t.pass();
});

test('a bad thread suffix makes g, G, p and P malformed', (t) => {
  for (const p of ['G00;thread:q;', 'p1;thread:zz;', 'P1=00;thread:;', 'g;thread:p1.;']) {
    t.is(parse(p).kind, 'malformed', p);
  }
});
