// The tracepoint packets (trace-*.ts and the argument-less ones in simple.ts), in the forms gdb
// 13 sends them (remote.c remote_download_tracepoint and friends).
import test from 'ava';
import { kindOf, parse } from '../parse.js';

test('QTDP header: enabled, step and pass counts, a condition, more to come', (t) => {
  t.deepEqual(parse('QTDP:2:0000555555555130:E:0:0-'), {
    kind: 'trace-define',
    number: 2,
    addr: 0x555555555130n,
    header: { enabled: true, stepCount: 0, passCount: 0, flavour: 'trap' },
    stepping: false,
    actions: [],
    more: true,
  });
  t.like(parse('QTDP:3:401000:D:a:5:X3,220127'), {
    header: {
      enabled: false,
      stepCount: 10,
      passCount: 5,
      condition: Buffer.from([0x22, 0x01, 0x27]),
    },
    more: false,
  });
  t.like(parse('QTDP:3:401000:E:0:0:F5'), { header: { flavour: 'fast' } });
});

test('QTDP continuation: registers (a mask wider than 64 bits), memory, expressions', (t) => {
  t.deepEqual(parse('QTDP:-2:401000:R0fffffffffffffffffffffffffffffffffffff-'), {
    kind: 'trace-define',
    number: 2,
    addr: 0x401000n,
    stepping: false,
    actions: [
      {
        action: { type: 'registers', mask: '0fffffffffffffffffffffffffffffffffffff' },
        text: 'R0fffffffffffffffffffffffffffffffffffff',
      },
    ],
    more: true,
  });
  const cmd = parse('QTDP:-2:401000:SM-1,601040,4X2,2627M6,fffffffffffffff0,8');
  t.like(cmd, { stepping: true, more: false });
  t.deepEqual(cmd.kind === 'trace-define' ? cmd.actions.map((a) => a.action) : [], [
    { type: 'memory', basereg: -1, offset: 0x601040n, length: 4 },
    { type: 'expr', bytecode: Buffer.from([0x26, 0x27]) },
    { type: 'memory', basereg: 6, offset: 0xfffffffffffffff0n, length: 8 },
  ]);
  t.deepEqual(cmd.kind === 'trace-define' ? cmd.actions.map((a) => a.text) : [], [
    'M-1,601040,4',
    'X2,2627',
    'M6,fffffffffffffff0,8',
  ]);
});

test('QTDP refuses what it cannot read', (t) => {
  for (const bad of [
    'QTDP:',
    'QTDP:2',
    'QTDP:2:401000:Q:0:0',
    'QTDP:2:401000:E:0',
    'QTDP:2:401000:E:0:0:Z',
    'QTDP:-2:401000:X4,26',
    'QTDP:-2:401000:Y',
    'QTDP:-2:401000:M1,2',
  ])
    t.is(kindOf(bad), 'malformed', bad);
});

test('QTDPsrc, QTDV, QTro, QTEnable/QTDisable', (t) => {
  t.deepEqual(parse('QTDPsrc:2:401000:cmd:0:b:636f6c6c6563742078'), {
    kind: 'trace-source',
    number: 2,
    addr: 0x401000n,
    type: 'cmd',
    start: 0,
    length: 0xb,
    text: 'collect x',
  });
  t.deepEqual(parse('QTDV:1:ffffffffffffffff:0:666f6f'), {
    kind: 'trace-variable',
    number: 1,
    value: -1n,
    builtin: false,
    name: 'foo',
  });
  t.deepEqual(parse('QTro:401000,401fff:602000,602010'), {
    kind: 'trace-readonly',
    ranges: [
      { start: 0x401000n, end: 0x401fffn },
      { start: 0x602000n, end: 0x602010n },
    ],
  });
  t.deepEqual(parse('QTro'), { kind: 'trace-readonly', ranges: [] });
  t.deepEqual(parse('QTDisable:2:401000'), {
    kind: 'trace-enable',
    enable: false,
    number: 2,
    addr: 0x401000n,
  });
  t.like(parse('QTEnable:2:401000'), { enable: true });
  t.is(kindOf('QTro:401000'), 'malformed');
});

test('QTFrame selectors, -1 as gdb writes it', (t) => {
  t.deepEqual(parse('QTFrame:3'), { kind: 'trace-frame', select: { by: 'number', frame: 3 } });
  t.deepEqual(parse('QTFrame:ffffffff'), { kind: 'trace-frame', select: { by: 'none' } });
  t.deepEqual(parse('QTFrame:-1'), { kind: 'trace-frame', select: { by: 'none' } });
  t.deepEqual(parse('QTFrame:pc:401000'), {
    kind: 'trace-frame',
    select: { by: 'pc', pc: 0x401000n },
  });
  t.deepEqual(parse('QTFrame:tdp:2'), {
    kind: 'trace-frame',
    select: { by: 'tracepoint', number: 2 },
  });
  t.deepEqual(parse('QTFrame:range:401000:401100'), {
    kind: 'trace-frame',
    select: { by: 'range', start: 0x401000n, end: 0x401100n, inside: true },
  });
  t.like(parse('QTFrame:outside:401000:401100'), { select: { inside: false } });
  t.is(kindOf('QTFrame:zz'), 'malformed');
});

test('QTBuffer, qTBuffer, QTNotes, qTP, qTV', (t) => {
  t.deepEqual(parse('QTBuffer:size:1000'), { kind: 'trace-buffer-config', size: 0x1000 });
  t.deepEqual(parse('QTBuffer:size:-1'), { kind: 'trace-buffer-config', size: 'default' });
  t.deepEqual(parse('QTBuffer:circular:1'), { kind: 'trace-buffer-config', circular: true });
  t.deepEqual(parse('qTBuffer:10,200'), { kind: 'trace-buffer', offset: 0x10, length: 0x200 });
  t.deepEqual(parse('QTNotes:user:6d65;notes:6869;tstop:6279653b;'), {
    kind: 'trace-notes',
    user: 'me',
    notes: 'hi',
    stopNote: 'bye;',
  });
  t.deepEqual(parse('qTP:2:401000'), { kind: 'trace-point-status', number: 2, addr: 0x401000n });
  t.deepEqual(parse('qTV:1f'), { kind: 'trace-variable-value', number: 31 });
  t.is(kindOf('QTBuffer:sizes:1'), 'malformed');
  t.is(kindOf('QTNotes:who:00;'), 'malformed');
});

test('the argument-less tracepoint packets', (t) => {
  t.is(kindOf('QTinit'), 'trace-init');
  t.is(kindOf('QTStart'), 'trace-start');
  t.is(kindOf('QTStop'), 'trace-stop');
  t.is(kindOf('qTStatus'), 'trace-status');
  t.is(kindOf('qTfP'), 'trace-points-first');
  t.is(kindOf('qTsP'), 'trace-points-next');
  t.is(kindOf('qTfV'), 'trace-variables-first');
  t.is(kindOf('qTsV'), 'trace-variables-next');
  t.is(kindOf('qTMinFTPILen'), 'trace-min-ftpi-len');
  // Not served: static tracepoint markers need the in-process agent.
  t.is(kindOf('qTfSTM'), 'unknown');
});
