// LLDB packets: qRegisterInfo, qMemoryRegionInfo, _M, _m, QSaveRegisterState,
// QRestoreRegisterState.
import test from 'ava';
import { parse } from '../parse.js';

test('qRegisterInfo<hex>', (t) => {
  t.deepEqual(parse('qRegisterInfo0'), { kind: 'register-info', regnum: 0 });
  t.deepEqual(parse('qRegisterInfo1a'), { kind: 'register-info', regnum: 26 });
  t.is(parse('qRegisterInfoq').kind, 'malformed');
});

test('qMemoryRegionInfo:<addr>', (t) => {
  t.deepEqual(parse('qMemoryRegionInfo:7ffff7dd3000'), {
    kind: 'memory-region-info',
    addr: 0x7ffff7dd3000n,
  });
  t.is(parse('qMemoryRegionInfo').kind, 'malformed');
  t.is(parse('qMemoryRegionInfo:x').kind, 'malformed');
});

test('_M allocates with permissions, _m frees', (t) => {
  t.deepEqual(parse('_M1000,rx'), {
    kind: 'allocate-memory',
    size: 0x1000,
    permissions: { read: true, write: false, execute: true },
  });
  t.deepEqual(parse('_M10,'), {
    kind: 'allocate-memory',
    size: 16,
    permissions: { read: false, write: false, execute: false },
  });
  t.deepEqual(parse('_m7ffff7fd0000'), { kind: 'deallocate-memory', addr: 0x7ffff7fd0000n });
  for (const p of ['_M', '_M10', '_M0,r', '_M10,rr', '_M10,q', '_m'])
    t.is(parse(p).kind, 'malformed', p);
});

test('QSaveRegisterState / QRestoreRegisterState with and without thread suffix', (t) => {
  t.deepEqual(parse('QSaveRegisterState'), { kind: 'save-registers' });
  t.deepEqual(parse('QSaveRegisterState;thread:4d2;'), {
    kind: 'save-registers',
    thread: { tid: 0x4d2 },
  });
  t.deepEqual(parse('QRestoreRegisterState:12'), { kind: 'restore-registers', saveId: 12 });
  t.deepEqual(parse('QRestoreRegisterState:3;thread:4d2;'), {
    kind: 'restore-registers',
    saveId: 3,
    thread: { tid: 0x4d2 },
  });
  for (const p of [
    'QSaveRegisterStateX',
    'QRestoreRegisterState:',
    'QRestoreRegisterState:a',
    'QRestoreRegisterState:1;thread:q;',
  ]) {
    t.is(parse(p).kind, 'malformed', p);
  }
});
