import test from 'ava';
import fc from 'fast-check';
import { parse } from '../parse.js';

test('c and C forms', (t) => {
  t.deepEqual(parse('c'), { kind: 'continue' });
  t.deepEqual(parse('c401000'), { kind: 'continue', addr: 0x401000n });
  t.deepEqual(parse('C0b'), { kind: 'continue', signal: 11 });
  t.deepEqual(parse('C1e;7fff0000'), { kind: 'continue', signal: 30, addr: 0x7fff0000n });
});

test('malformed c and C', (t) => {
  for (const p of ['cg', 'C', 'C100', 'C05;', 'C05;q', 'c-1']) t.is(parse(p).kind, 'malformed', p);
});

test('property: C round-trips signal and address', (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 255 }),
      fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
      (sig, addr) => {
        const c = parse(`C${sig.toString(16).padStart(2, '0')};${addr.toString(16)}`);
        return c.kind === 'continue' && c.signal === sig && c.addr === addr;
      },
    ),
  );
  t.pass();
});
