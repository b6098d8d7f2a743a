import test from 'ava';
import {
  MEMORY_REGION_INFO_SUPPORTED,
  memoryRegionReply,
  parseMaps,
  readMaps,
} from '../../../stub/lldb/memory-region.js';

// A process's maps and lldb-server-16's replies for it (captured), minus the stack type, which
// lldb-server does not send and is checked separately.
const MAPS = `555555554000-555555555000 r--p 00000000 fe:00 2147465                    /tmp/lldbcap/prog
555555555000-555555556000 r-xp 00001000 fe:00 2147465                    /tmp/lldbcap/prog
555555559000-55555557a000 rw-p 00000000 00:00 0                          [heap]
7ffff75ce000-7ffff75cf000 ---p 00000000 00:00 0 
7ffff7fbe000-7ffff7fc0000 rwxp 00000000 00:00 0 
7ffff7fc8000-7ffff7fca000 r-xp 00000000 00:00 0                          [vdso]
7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0                          [stack]
ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]
`;
const maps = parseMaps(MAPS);
const reply = (addr: bigint) => memoryRegionReply(maps, addr, { stackType: false });

test('parseMaps reads ranges, permissions and names', (t) => {
  t.is(maps.length, 8);
  t.deepEqual(maps[0], {
    start: 0x555555554000n,
    end: 0x555555555000n,
    read: true,
    write: false,
    execute: false,
    shared: false,
    name: '/tmp/lldbcap/prog',
  });
  t.is(maps[3]!.name, '');
  t.is(maps[6]!.name, '[stack]');
});

test('an address inside a file mapping (lldb-server format)', (t) => {
  const expected =
    'start:555555554000;size:1000;permissions:r;flags:;name:2f746d702f6c6c64626361702f70726f67;';
  t.is(reply(0x555555554000n), expected);
  t.is(reply(0x555555554fffn), expected);
});

test('anonymous memory has no name key', (t) => {
  t.is(reply(0x7ffff7fbe000n), 'start:7ffff7fbe000;size:2000;permissions:rwx;flags:;');
});

test('the vdso, the stack and vsyscall (lldb-server format)', (t) => {
  t.is(
    reply(0x7ffff7fc9000n),
    'start:7ffff7fc8000;size:2000;permissions:rx;flags:;name:5b7664736f5d;',
  );
  t.is(
    reply(0x7ffffffde000n),
    'start:7ffffffde000;size:21000;permissions:rw;flags:;name:5b737461636b5d;',
  );
  t.is(
    reply(0xffffffffff600000n),
    'start:ffffffffff600000;size:1000;permissions:x;flags:;name:5b7673797363616c6c5d;',
  );
});

test('a ---p mapping has no permissions key', (t) => {
  t.is(reply(0x7ffff75ce800n), 'start:7ffff75ce000;size:1000;flags:;');
});

test('a gap starts at the queried address and runs to the next mapping', (t) => {
  t.is(reply(0n), 'start:0;size:555555554000;');
  t.is(reply(0x1000n), 'start:1000;size:555555553000;');
  t.is(reply(0x55555557a000n), 'start:55555557a000;size:2aaaa2054000;');
  t.is(reply(0x55555557b000n), 'start:55555557b000;size:2aaaa2053000;');
});

test('past the last mapping the region runs to the top of the address space', (t) => {
  t.is(reply(0xffffffffff601000n), 'start:ffffffffff601000;size:9fefff;');
  t.is(reply(0xfffffffffffff000n), 'start:fffffffffffff000;size:fff;');
});

test('[stack] is marked type:stack by default', (t) => {
  t.is(
    memoryRegionReply(maps, 0x7fffffffe000n),
    'start:7ffffffde000;size:21000;permissions:rw;flags:;name:5b737461636b5d;type:stack;',
  );
});

test('no mappings at all: one region covering everything', (t) => {
  t.is(memoryRegionReply([], 0n), 'start:0;size:ffffffffffffffff;');
});

test('malformed maps lines are skipped and entries sorted', (t) => {
  const m = parseMaps('garbage\n2000-3000 r--p 0 0:0 0\n1000-2000 rw-p 0 0:0 0 x y\n');
  t.deepEqual(
    m.map((e) => [e.start, e.name]),
    [
      [0x1000n, 'x y'],
      [0x2000n, ''],
    ],
  );
});

test('the bare probe is answered OK', (t) => {
  t.is(MEMORY_REGION_INFO_SUPPORTED, 'OK');
});

test('readMaps of this process finds its own stack', async (t) => {
  const own = await readMaps(process.pid);
  const stack = own.find((e) => e.name === '[stack]');
  t.truthy(stack);
  t.true(memoryRegionReply(own, stack!.start).endsWith('type:stack;'));
});
