import test from 'ava';
import {
  attachedReply,
  binaryMemory,
  crcReply,
  hexBytes,
  hexText,
  offsetsReply,
  searchReply,
  symbolLookup,
  unavailableBytes,
} from '../../../rsp/index.js';

test('hex payload helpers', (t) => {
  t.is(hexBytes(Buffer.from([0x55, 0x48, 0x89, 0xe5])), '554889e5');
  t.is(hexText('Thread 1'), '5468726561642031');
  t.is(crcReply(0xdeadbeef), 'Cdeadbeef');
  t.is(crcReply(-1), 'Cffffffff');
  t.is(searchReply(undefined), '0');
  t.is(searchReply(0x601040n), '1,601040');
  t.is(attachedReply(true), '1');
  t.is(attachedReply(false), '0');
  t.is(offsetsReply(0x1000n, 0x2000n), 'Text=1000;Data=2000;Bss=2000');
  t.is(offsetsReply(0n, 1n, 2n), 'Text=0;Data=1;Bss=2');
  t.is(symbolLookup('_r_debug'), 'qSymbol:5f725f6465627567');
});

test('x replies: gdb style has a leading b, LLDB style none', (t) => {
  t.is(binaryMemory(Buffer.from('ab'), { gdbStyle: true }).toString(), 'bab');
  t.is(binaryMemory(Buffer.from('ab'), { gdbStyle: false }).toString(), 'ab');
  t.is(binaryMemory(Buffer.alloc(0), { gdbStyle: true }).toString(), 'b');
});

test('unavailable registers are xx per byte', (t) => {
  t.is(unavailableBytes(3), 'xxxxxx');
  t.is(unavailableBytes(0), '');
});
