// Z and z (insert-breakpoint.ts, remove-breakpoint.ts, breakpoint-spec.ts).
import test from 'ava';
import fc from 'fast-check';
import { parse } from '../parse.js';

test('all five breakpoint types', (t) => {
  t.deepEqual(parse('Z0,401000,1'), {
    kind: 'insert-breakpoint',
    type: 'software',
    addr: 0x401000n,
    size: 1,
    conditions: [],
  });
  t.like(parse('Z1,401000,1'), { kind: 'insert-breakpoint', type: 'hardware' });
  t.like(parse('Z2,601040,4'), { kind: 'insert-breakpoint', type: 'write-watchpoint', size: 4 });
  t.like(parse('Z3,601040,8'), { kind: 'insert-breakpoint', type: 'read-watchpoint', size: 8 });
  t.like(parse('Z4,601040,2'), { kind: 'insert-breakpoint', type: 'access-watchpoint', size: 2 });
  t.deepEqual(parse('z2,601040,4'), {
    kind: 'remove-breakpoint',
    type: 'write-watchpoint',
    addr: 0x601040n,
    size: 4,
  });
});

test('conditions as gdb writes them: back to back after one ;', (t) => {
  t.deepEqual(parse('Z0,400000,1;X2,2201X3,aabbcc'), {
    kind: 'insert-breakpoint',
    type: 'software',
    addr: 0x400000n,
    size: 1,
    conditions: [Buffer.from([0x22, 0x01]), Buffer.from([0xaa, 0xbb, 0xcc])],
  });
});

test('conditions separated by ; as gdbserver also accepts', (t) => {
  const c = parse('Z0,400000,1;X1,27;X1,28');
  t.true(
    c.kind === 'insert-breakpoint' && c.conditions.length === 2 && c.conditions[1]![0] === 0x28,
  );
});

test('commands with persist flag, alone and after conditions', (t) => {
  t.deepEqual(parse('Z0,10,1;cmds:1,X2,0102X1,ff'), {
    kind: 'insert-breakpoint',
    type: 'software',
    addr: 0x10n,
    size: 1,
    conditions: [],
    commands: { persist: true, bytecodes: [Buffer.from([1, 2]), Buffer.from([0xff])] },
  });
  const both = parse('Z0,10,1;X1,27;cmds:0,X1,01');
  t.true(both.kind === 'insert-breakpoint' && both.conditions.length === 1);
  t.true(both.kind === 'insert-breakpoint' && both.commands?.persist === false);
  t.true(both.kind === 'insert-breakpoint' && both.commands?.bytecodes[0]?.[0] === 1);
});

test('malformed breakpoints', (t) => {
  for (const p of [
    'Z5,10,1',
    'Z0,10',
    'Z0,10,1,2',
    'Z0,zz,1',
    'Z0,10,q',
    'Z0,10,1;',
    'Z0,10,1;X2,01', // shorter than its length
    'Z0,10,1;X,01',
    'Z0,10,1;X1', // no comma
    'Z0,10,1;X1,01junk',
    'Z0,10,1;cmds:1,X1',
    'Z0,10,1;Xq,01',
    'Z0,10,1;X1,zz',
    'Z0,10,1;cmds:2,X1,01',
    'Z0,10,1;cmds:1,',
    'Z0,10,1;foo',
    'Z0,10,1X1,01',
    'z0,10,1;X1,01',
  ]) {
    t.is(parse(p).kind, 'malformed', p);
  }
});

test('property: conditions round-trip in both separator styles', (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.uint8Array({ minLength: 1, maxLength: 20 }), { minLength: 1, maxLength: 5 }),
      fc.boolean(),
      (exprs, separated) => {
        const items = exprs.map(
          (e) => `X${e.length.toString(16)},${Buffer.from(e).toString('hex')}`,
        );
        const c = parse(`Z0,1000,1;${items.join(separated ? ';' : '')}`);
        return (
          c.kind === 'insert-breakpoint' &&
          c.conditions.length === exprs.length &&
          c.conditions.every((b, i) => b.equals(Buffer.from(exprs[i]!)))
        );
      },
    ),
  );
  t.pass();
});
