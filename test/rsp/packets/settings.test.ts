// Q set packets: QNonStop, QPassSignals, QProgramSignals, QCatchSyscalls, QThreadEvents,
// QDisableRandomization, QEnvironment*, QSetWorkingDir, QStartupWithShell.
import test from 'ava';
import fc from 'fast-check';
import { parseSignalList } from '../../../rsp/packets/fields.js';
import { parse } from '../parse.js';

const hex = (s: string) => Buffer.from(s).toString('hex');

test('0/1 flags', (t) => {
  t.deepEqual(parse('QNonStop:1'), { kind: 'non-stop', enable: true });
  t.deepEqual(parse('QNonStop:0'), { kind: 'non-stop', enable: false });
  t.deepEqual(parse('QThreadEvents:1'), { kind: 'thread-events', enable: true });
  t.deepEqual(parse('QDisableRandomization:1'), { kind: 'disable-randomization', disable: true });
  t.deepEqual(parse('QStartupWithShell:0'), { kind: 'startup-with-shell', enable: false });
  for (const p of [
    'QNonStop:',
    'QNonStop:01',
    'QThreadEvents:2',
    'QDisableRandomization:',
    'QStartupWithShell:x',
  ]) {
    t.is(parse(p).kind, 'malformed', p);
  }
});

test('signal lists', (t) => {
  t.deepEqual(parse('QPassSignals:e;14;1e'), { kind: 'pass-signals', signals: [14, 20, 30] });
  t.deepEqual(parse('QPassSignals:'), { kind: 'pass-signals', signals: [] });
  t.deepEqual(parse('QProgramSignals:2;5'), { kind: 'program-signals', signals: [2, 5] });
  // gdb writes a `;` after every number, as the real traffic test shows.
  t.deepEqual(parse('QPassSignals:e;10;97;'), { kind: 'pass-signals', signals: [14, 16, 0x97] });
  t.deepEqual(parse('QProgramSignals:0;1;'), { kind: 'program-signals', signals: [0, 1] });
  for (const p of [
    'QPassSignals:1;;',
    'QPassSignals:;1',
    'QPassSignals:100',
    'QProgramSignals:q',
  ]) {
    t.is(parse(p).kind, 'malformed', p);
  }
});

test('property: signal lists read as split(";") and hex numbers of at most 255 read them', (t) => {
  // The general reading, which the fast one must agree with (values and whether it fails).
  const reference = (text: string): number[] | undefined => {
    const body = text.endsWith(';') ? text.slice(0, -1) : text;
    if (body === '') return [];
    const out: number[] = [];
    for (const item of body.split(';')) {
      if (!/^[0-9a-fA-F]+$/.test(item)) return undefined;
      const v = Number.parseInt(item, 16);
      if (v > 0xff) return undefined;
      out.push(v);
    }
    return out;
  };
  const chars = fc.constantFrom(...'0123456789abcdefAF;;;;x'.split(''));
  fc.assert(
    fc.property(fc.array(chars, { maxLength: 24 }), (cs) => {
      const text = cs.join('');
      const r = parseSignalList(text);
      const want = reference(text);
      if (want === undefined) return !r.ok;
      return r.ok && r.value.length === want.length && r.value.every((v, i) => v === want[i]);
    }),
  );
  t.pass();
});

test('QCatchSyscalls', (t) => {
  t.deepEqual(parse('QCatchSyscalls:0'), { kind: 'catch-syscalls', enable: false });
  t.deepEqual(parse('QCatchSyscalls:1'), { kind: 'catch-syscalls', enable: true });
  t.deepEqual(parse('QCatchSyscalls:1;0;3c;e7'), {
    kind: 'catch-syscalls',
    enable: true,
    syscalls: [0, 60, 231],
  });
  for (const p of [
    'QCatchSyscalls:',
    'QCatchSyscalls:0;1',
    'QCatchSyscalls:1;',
    'QCatchSyscalls:1;q',
  ]) {
    t.is(parse(p).kind, 'malformed', p);
  }
});

test('environment packets', (t) => {
  t.deepEqual(parse(`QEnvironmentHexEncoded:${hex('LANG=C.UTF-8')}`), {
    kind: 'environment-set',
    name: 'LANG',
    value: 'C.UTF-8',
  });
  t.deepEqual(parse(`QEnvironmentHexEncoded:${hex('EMPTY=')}`), {
    kind: 'environment-set',
    name: 'EMPTY',
    value: '',
  });
  t.deepEqual(parse(`QEnvironmentHexEncoded:${hex('A=b=c')}`), {
    kind: 'environment-set',
    name: 'A',
    value: 'b=c',
  });
  t.deepEqual(parse(`QEnvironmentUnset:${hex('LANG')}`), {
    kind: 'environment-unset',
    name: 'LANG',
  });
  t.deepEqual(parse('QEnvironmentReset'), { kind: 'environment-reset' });
  for (const p of [
    `QEnvironmentHexEncoded:${hex('NOVALUE')}`,
    `QEnvironmentHexEncoded:${hex('=x')}`,
    'QEnvironmentHexEncoded:4',
    `QEnvironmentUnset:${hex('A=B')}`,
    'QEnvironmentUnset:zz',
  ]) {
    t.is(parse(p).kind, 'malformed', p);
  }
});

test('QSetWorkingDir', (t) => {
  t.deepEqual(parse(`QSetWorkingDir:${hex('/tmp')}`), { kind: 'set-working-dir', dir: '/tmp' });
  t.deepEqual(parse('QSetWorkingDir:'), { kind: 'set-working-dir' });
  t.is(parse('QSetWorkingDir:2').kind, 'malformed');
});

test("LLDB's plain QEnvironment, QSetDisableASLR and QSetSTDIN/OUT/ERR", (t) => {
  t.deepEqual(parse('QEnvironment:HOME=/root'), {
    kind: 'environment-set',
    name: 'HOME',
    value: '/root',
  });
  t.deepEqual(parse('QEnvironment:A=b=c'), { kind: 'environment-set', name: 'A', value: 'b=c' });
  t.is(parse('QEnvironment:=x').kind, 'malformed');
  t.deepEqual(parse('QSetDisableASLR:1'), { kind: 'disable-randomization', disable: true });
  t.is(parse('QSetDisableASLR:2').kind, 'malformed');
  t.deepEqual(parse(`QSetSTDIN:${hex('/dev/pts/0')}`), {
    kind: 'set-stdio',
    stream: 'stdin',
    path: '/dev/pts/0',
  });
  t.deepEqual(parse(`QSetSTDOUT:${hex('/tmp/o')}`), {
    kind: 'set-stdio',
    stream: 'stdout',
    path: '/tmp/o',
  });
  t.deepEqual(parse(`QSetSTDERR:${hex('/tmp/e')}`), {
    kind: 'set-stdio',
    stream: 'stderr',
    path: '/tmp/e',
  });
  for (const p of ['QSetSTDIN:', 'QSetSTDIN:2', 'QSetSTDOUT:zz'])
    t.is(parse(p).kind, 'malformed', p);
  // Other LLDB launch settings stay unsupported (empty reply).
  t.is(parse('QSetDetachOnError:1').kind, 'unknown');
  t.is(parse('QLaunchArch:x86_64').kind, 'unknown');
});
