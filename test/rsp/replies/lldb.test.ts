import test from 'ava';
import {
  allocatedAddress,
  allocationError,
  keyValueReply,
  launchFailure,
  memoryRegionReply,
  savedRegisterState,
} from '../../../rsp/index.js';

test('key:value; replies with decimal numbers', (t) => {
  t.is(
    keyValueReply([
      ['triple', '7838365f36342d70632d6c696e75782d676e75'],
      ['ptrsize', 8],
      ['endian', 'little'],
    ]),
    'triple:7838365f36342d70632d6c696e75782d676e75;ptrsize:8;endian:little;',
  );
  t.is(keyValueReply([]), '');
});

test('qMemoryRegionInfo replies', (t) => {
  t.is(
    memoryRegionReply({
      start: 0x400000n,
      size: 0x1000n,
      permissions: { read: true, write: false, execute: true },
      name: '/bin/ls',
    }),
    'start:400000;size:1000;permissions:rx;name:2f62696e2f6c73;',
  );
  // An unmapped gap has no permissions key (lldbgdbremote.md example).
  t.is(memoryRegionReply({ start: 2n, size: 0xfffffffen }), 'start:2;size:fffffffe;');
  // lldb-server 16's order: flags after the permissions, type last.
  t.is(
    memoryRegionReply({
      start: 0x7ffffffde000n,
      size: 0x21000n,
      permissions: { read: true, write: true, execute: false },
      flags: '',
      name: '[stack]',
      type: 'stack',
    }),
    'start:7ffffffde000;size:21000;permissions:rw;flags:;name:5b737461636b5d;type:stack;',
  );
  // lldb-server answers `_M1000,rx` with 16 hex digits, and `_m` of an unknown block with Eff.
  t.is(allocatedAddress(0x7ffff7fd0000n), '00007ffff7fd0000');
  t.is(allocationError(), 'Eff');
  t.is(savedRegisterState(12), '12');
});

test('qLaunchSuccess failure: E and the reason as text', (t) => {
  t.is(launchFailure('launch failed: ENOENT'), 'Elaunch failed: ENOENT');
});
