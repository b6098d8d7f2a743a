// vRun, vAttach, vKill, R, A (run.ts, attach.ts, kill-process.ts, restart.ts, launch.ts).
import test from 'ava';
import fc from 'fast-check';
import { parse } from '../parse.js';

const hex = (s: string) => Buffer.from(s).toString('hex');

test('vRun with program and arguments, hex-encoded', (t) => {
  t.deepEqual(parse(`vRun;${hex('/bin/true')};${hex('-v')};${hex('a b')}`), {
    kind: 'run',
    filename: '/bin/true',
    args: ['-v', 'a b'],
  });
  t.deepEqual(parse('vRun;'), { kind: 'run', filename: '', args: [] });
  t.deepEqual(parse(`vRun;;${hex('x')};`), { kind: 'run', filename: '', args: ['x', ''] });
  for (const p of ['vRun', 'vRun;2', 'vRun;2f;zz', 'vRunx']) t.is(parse(p).kind, 'malformed', p);
});

test('property: vRun argument vectors round-trip', (t) => {
  fc.assert(
    fc.property(
      fc.string({ maxLength: 30 }),
      fc.array(fc.string({ maxLength: 20 }), { maxLength: 6 }),
      (file, args) => {
        const c = parse(['vRun', hex(file), ...args.map(hex)].join(';'));
        t.deepEqual(c, { kind: 'run', filename: file, args });
        return true;
      },
    ),
    { numRuns: 200 },
  );
});

test('vAttach and vKill', (t) => {
  t.deepEqual(parse('vAttach;4d2'), { kind: 'attach', pid: 0x4d2 });
  t.deepEqual(parse('vKill;4d2'), { kind: 'kill-process', pid: 0x4d2 });
  for (const p of ['vAttach;', 'vAttach;0', 'vAttach;q', 'vKill;', 'vKill;-1'])
    t.is(parse(p).kind, 'malformed', p);
  // vAttachWait / vAttachOrWait / vAttachName (LLDB) are not supported: empty reply.
  t.is(parse('vAttachWait;61').kind, 'unknown');
});

test('R restarts whatever follows', (t) => {
  t.deepEqual(parse('R00'), { kind: 'restart' });
  t.deepEqual(parse('R'), { kind: 'restart' });
});

test("A: LLDB's launch packet, decimal lengths counting hex digits", (t) => {
  // The example from lldbgdbremote.md.
  const path = '/Volumes/work/gclayton/Documents/src/attach/a.out';
  t.is(hex(path).length, 98);
  t.deepEqual(parse(`A98,0,${hex(path)}`), { kind: 'launch', args: [path] });
  t.deepEqual(parse(`A8,0,${hex('/bin')},4,1,${hex('-l')}`), {
    kind: 'launch',
    args: ['/bin', '-l'],
  });
  for (const p of ['A', 'A4,0,2f', 'A2,1,2f', 'A2,0,zz', 'A2,0,2f,', 'A2,0,2fX', 'Ax,0,2f']) {
    t.is(parse(p).kind, 'malformed', p);
  }
});
