// qAttached, qSymbol, qCRC, qSearch:memory, qRcmd, qGetTLSAddr.
import test from 'ava';
import { parse } from '../parse.js';

const hex = (s: string) => Buffer.from(s).toString('hex');

test('qAttached with and without pid', (t) => {
  t.deepEqual(parse('qAttached'), { kind: 'attached' });
  t.deepEqual(parse('qAttached:4d2'), { kind: 'attached', pid: 0x4d2 });
  t.is(parse('qAttached:').kind, 'malformed');
});

test('qSymbol: ready, value known, value unknown', (t) => {
  t.deepEqual(parse('qSymbol::'), { kind: 'symbol-lookup-ready' });
  t.deepEqual(parse(`qSymbol:7ffff7dd1000:${hex('_r_debug')}`), {
    kind: 'symbol-value',
    name: '_r_debug',
    value: 0x7ffff7dd1000n,
  });
  t.deepEqual(parse(`qSymbol::${hex('nptl_version')}`), {
    kind: 'symbol-value',
    name: 'nptl_version',
  });
  for (const p of ['qSymbol:', 'qSymbol:10', 'qSymbol:10:', 'qSymbol:zz:61', 'qSymbol::6']) {
    t.is(parse(p).kind, 'malformed', p);
  }
});

test('qCRC and qSearch:memory', (t) => {
  t.deepEqual(parse('qCRC:401000,1a0'), { kind: 'crc', addr: 0x401000n, length: 0x1a0 });
  t.deepEqual(parse('qSearch:memory:601000;1000;ab;c'), {
    kind: 'search-memory',
    addr: 0x601000n,
    length: 0x1000,
    pattern: Buffer.from('ab;c'),
  });
  t.is(parse('qSearch:memory:601000;1000;').kind, 'malformed');
  t.is(parse('qSearch:memory:z;1;a').kind, 'malformed');
  t.is(parse('qSearch:memory:1;z;a').kind, 'malformed');
});

test('qRcmd decodes the monitor command', (t) => {
  t.deepEqual(parse(`qRcmd,${hex('help')}`), { kind: 'monitor', command: 'help' });
  t.deepEqual(parse('qRcmd,'), { kind: 'monitor', command: '' });
  t.is(parse('qRcmd,zz').kind, 'malformed');
});

test('qGetTLSAddr', (t) => {
  t.deepEqual(parse('qGetTLSAddr:p1.2,10,7ffff7ff9000'), {
    kind: 'tls-address',
    thread: { pid: 1, tid: 2 },
    offset: 0x10n,
    linkMap: 0x7ffff7ff9000n,
  });
  for (const p of [
    'qGetTLSAddr:1,2',
    'qGetTLSAddr:q,1,2',
    'qGetTLSAddr:1,q,2',
    'qGetTLSAddr:1,2,q',
  ]) {
    t.is(parse(p).kind, 'malformed', p);
  }
});
