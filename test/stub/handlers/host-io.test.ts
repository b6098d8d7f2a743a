import { createHook } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import {
  chmod,
  lstat,
  readdir,
  readFile,
  readlink,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { decodeFioStat, FioErrno, FioMode } from '../../../rsp/index.js';
import { HostIo, MIN_HOSTIO_PACKET_SIZE } from '../../../stub/handlers/host-io.js';
import { bodyOf, fdOf, O, openCmd, parseReply, pread, tempDir } from '../hostio/_fixtures.js';

const PACKET = 0x4000;

function hostIo(
  t: { teardown(fn: () => unknown): void },
  maxPacketSize = PACKET,
  maxOpenFiles?: number,
) {
  const io = new HostIo({ maxPacketSize, ...(maxOpenFiles ? { maxOpenFiles } : {}) });
  t.teardown(() => io.close());
  return io;
}

test('open, pread and close a file', async (t) => {
  const dir = await tempDir(t);
  const data = randomBytes(3000);
  await writeFile(join(dir, 'f'), data);
  const io = hostIo(t);
  const open = await io.handle(openCmd(join(dir, 'f')));
  t.is(open, 'F3', 'the first fd of a connection is 3');
  const r = parseReply(await io.handle(pread(3, 3000, 0)));
  t.is(r.result, 3000);
  t.deepEqual(r.attachment, data);
  t.is(await io.handle({ kind: 'file-close', fd: 3 }), 'F0');
  t.is(io.openFiles, 0);
});

test('pread at offsets, across and past the end of the file', async (t) => {
  const dir = await tempDir(t);
  const data = randomBytes(100);
  await writeFile(join(dir, 'f'), data);
  const io = hostIo(t);
  const fd = fdOf(await io.handle(openCmd(join(dir, 'f'))));
  const mid = parseReply(await io.handle(pread(fd, 10, 0x20)));
  t.deepEqual(mid.attachment, data.subarray(0x20, 0x2a));
  t.is(mid.result, 10);
  const tail = parseReply(await io.handle(pread(fd, 0x40, 90)));
  t.is(tail.result, 10);
  t.deepEqual(tail.attachment, data.subarray(90));
  t.deepEqual(bodyOf(await io.handle(pread(fd, 0x40, 100))), Buffer.from('F0;'));
  t.deepEqual(bodyOf(await io.handle(pread(fd, 0x40, 0x100000))), Buffer.from('F0;'));
  t.deepEqual(bodyOf(await io.handle(pread(fd, 0, 0))), Buffer.from('F0;'));
});

/** Letters only: no byte the encoder escapes, so every byte read fits the reply. */
function letters(n: number): Buffer {
  return Buffer.from(Array.from({ length: n }, (_, i) => 0x61 + ((i * 7) % 26)));
}

test('a pread at a new place reads a page, one going on from there twice the last', async (t) => {
  const dir = await tempDir(t);
  const data = letters(200_000);
  await writeFile(join(dir, 'f'), data);
  const io = hostIo(t, 0x10000);
  const fd = fdOf(await io.handle(openCmd(join(dir, 'f'))));
  // gdb asks for a whole packet on every miss of its readahead cache.
  const at = async (offset: number) => parseReply(await io.handle(pread(fd, 0x10000, offset)));
  const first = await at(0);
  t.is(first.result, 4096, 'a header or a table: one page');
  t.deepEqual(first.attachment, data.subarray(0, 4096));
  t.is((await at(4096)).result, 8192);
  const third = await at(4096 + 8192);
  t.is(third.result, 16384);
  t.deepEqual(third.attachment, data.subarray(12288, 12288 + 16384));
  t.is((await at(28672)).result, 32768);
  const capped = (await at(61440)).result;
  t.true(capped > 32768 && capped <= 0x10000, 'then up to what fits the packet');
  t.is((await at(150_000)).result, 4096, 'a read elsewhere starts again at a page');
  t.is((await at(100)).result, 4096, 'so does one before the last');
  t.is((await at(100 + 2000)).result, 8192, 'one inside what the last read goes on');
  t.is((await at(2100 + 8192 + 1)).result, 4096, 'past its end does not');
  t.is((await at(10293 + 4096)).result, 8192);
  t.is((await at(14389 + 8192)).result, 16384);
  t.is((await at(22581 + 16384)).result, 32768);
  t.is((await at(38965 + 32768)).result, 0x10000 - 7, 'the packet: F<count>; and the data');
});

test('each open file keeps its own reads, and a client asking for less gets that', async (t) => {
  const dir = await tempDir(t);
  const data = letters(100_000);
  await writeFile(join(dir, 'f'), data);
  const io = hostIo(t, 0x10000);
  const a = fdOf(await io.handle(openCmd(join(dir, 'f'))));
  const b = fdOf(await io.handle(openCmd(join(dir, 'f'))));
  const read = async (fd: number, count: number, offset: number) =>
    parseReply(await io.handle(pread(fd, count, offset))).result;
  t.is(await read(a, 0x10000, 0), 4096);
  t.is(await read(b, 0x10000, 50_000), 4096);
  t.is(await read(a, 0x10000, 4096), 8192, "b's read in between does not reset a's");
  t.is(await read(b, 100, 54_096), 100);
  t.is(await read(b, 0x10000, 54_196), 200, 'twice what was read, not what the policy allowed');
  t.is(await read(a, 0x10000, 99_000), 1000, 'the end of the file');
});

test('a gdb-style read loop at the packet size reassembles a file in few rounds', async (t) => {
  const dir = await tempDir(t);
  const data = randomBytes(300_000);
  await writeFile(join(dir, 'f'), data);
  const io = hostIo(t, 0x10000);
  const fd = fdOf(await io.handle(openCmd(join(dir, 'f'))));
  const parts: Buffer[] = [];
  let offset = 0;
  let rounds = 0;
  for (;;) {
    const r = parseReply(await io.handle(pread(fd, 0x10000, offset)));
    if (r.result === 0) break;
    parts.push(r.attachment!);
    offset += r.result;
    rounds++;
  }
  t.deepEqual(Buffer.concat(parts), data);
  // 4 + 8 + 16 + 32 KiB, then packets of about 64 KiB less what escaping took: 8 or 9 in all.
  t.true(rounds <= 10, `${rounds} rounds`);
});

test('pwrite then read back, with the mode of a created file', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'new');
  const io = hostIo(t);
  const fd = fdOf(await io.handle(openCmd(path, O.RDWR | O.CREAT | O.EXCL, 0o640)));
  t.is((await stat(path)).mode & 0o777, 0o640);
  const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  t.is(await io.handle({ kind: 'file-pwrite', fd, offset: 0, data: all }), 'F100');
  t.is(
    await io.handle({ kind: 'file-pwrite', fd, offset: 0x200, data: Buffer.from('tail') }),
    'F4',
  );
  const r = parseReply(await io.handle(pread(fd, 0x1000, 0)));
  t.is(r.result, 0x204);
  t.deepEqual(r.attachment!.subarray(0, 256), all);
  t.deepEqual(r.attachment!.subarray(256, 0x200), Buffer.alloc(0x100), 'the hole reads as zeros');
  t.deepEqual(await readFile(path), r.attachment);
  // O_TRUNC empties it again.
  t.is(await io.handle({ kind: 'file-close', fd }), 'F0');
  fdOf(await io.handle(openCmd(path, O.WRONLY | O.TRUNC)));
  t.is((await stat(path)).size, 0);
});

test('fstat fields decode from the big-endian struct', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'f');
  await writeFile(path, randomBytes(12345));
  await chmod(path, 0o604);
  const io = hostIo(t);
  const fd = fdOf(await io.handle(openCmd(path)));
  const r = parseReply(await io.handle({ kind: 'file-fstat', fd }));
  t.is(r.result, 64);
  const st = decodeFioStat(r.attachment!);
  if (!st.ok) return t.fail(st.error);
  const host = await stat(path, { bigint: true });
  t.is(st.value.size, 12345n);
  t.is(st.value.mode, FioMode.S_IFREG | 0o604);
  t.is(st.value.ino, Number(host.ino & 0xffffffffn));
  t.is(st.value.nlink, 1);
  t.is(st.value.uid, Number(host.uid));
  t.is(st.value.blocks, host.blocks);
  t.is(st.value.mtime, Number(host.mtimeNs / 1_000_000_000n));

  const dfd = fdOf(await io.handle(openCmd(dir)));
  const d = decodeFioStat(parseReply(await io.handle({ kind: 'file-fstat', fd: dfd })).attachment!);
  t.true(d.ok && (d.value.mode & 0o170000) === FioMode.S_IFDIR);
});

test('readlink returns the link target bytes', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'f'), '');
  await symlink('../some/where $#}*', join(dir, 'l'));
  const io = hostIo(t);
  const r = parseReply(await io.handle({ kind: 'file-readlink', path: join(dir, 'l') }));
  t.is(r.result, 18);
  t.is(r.attachment!.toString(), '../some/where $#}*');
  t.is(
    await io.handle({ kind: 'file-readlink', path: join(dir, 'f') }),
    `F-1,${FioErrno.EINVAL.toString(16)}`,
    'not a link',
  );
  t.is(await io.handle({ kind: 'file-readlink', path: join(dir, 'none') }), 'F-1,2');
});

test('a link target too long for one packet is ENAMETOOLONG, as in gdbserver', async (t) => {
  const dir = await tempDir(t);
  await symlink('x'.repeat(200), join(dir, 'l'));
  const io = hostIo(t, MIN_HOSTIO_PACKET_SIZE);
  t.is(await io.handle({ kind: 'file-readlink', path: join(dir, 'l') }), 'F-1,5b');
});

test('unlink removes the file, and a second unlink is ENOENT', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'f');
  await writeFile(path, 'x');
  await symlink(path, join(dir, 'l'));
  const io = hostIo(t);
  t.is(await io.handle({ kind: 'file-unlink', path: join(dir, 'l') }), 'F0');
  t.true(existsSync(path), 'unlink removes the link, not its target');
  t.is(await io.handle({ kind: 'file-unlink', path }), 'F0');
  t.false(existsSync(path));
  t.is(await io.handle({ kind: 'file-unlink', path }), 'F-1,2');
  t.is(await io.handle({ kind: 'file-unlink', path: dir }), 'F-1,15', 'EISDIR (21)');
});

test('fds this connection did not open are EBADF', async (t) => {
  const io = hostIo(t);
  t.is(await io.handle(pread(0, 10, 0)), 'F-1,9');
  t.is(await io.handle(pread(3, 10, 0)), 'F-1,9');
  t.is(await io.handle({ kind: 'file-close', fd: 1 }), 'F-1,9');
  t.is(await io.handle({ kind: 'file-fstat', fd: 2 }), 'F-1,9');
  t.is(await io.handle({ kind: 'file-pwrite', fd: 3, offset: 0, data: Buffer.from('x') }), 'F-1,9');
});

test('a closed fd is EBADF and its number is reused', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'a'), 'a');
  await writeFile(join(dir, 'b'), 'b');
  const io = hostIo(t);
  t.is(await io.handle(openCmd(join(dir, 'a'))), 'F3');
  t.is(await io.handle(openCmd(join(dir, 'b'))), 'F4');
  t.is(await io.handle({ kind: 'file-close', fd: 3 }), 'F0');
  t.is(await io.handle({ kind: 'file-close', fd: 3 }), 'F-1,9');
  t.is(await io.handle(pread(3, 1, 0)), 'F-1,9');
  t.is(await io.handle(openCmd(join(dir, 'b'))), 'F3');
  t.is(parseReply(await io.handle(pread(4, 1, 0))).attachment!.toString(), 'b');
});

test('system errors carry the protocol errno numbers', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'f');
  await writeFile(file, 'data');
  await symlink('loop2', join(dir, 'loop1'));
  await symlink('loop1', join(dir, 'loop2'));
  const io = hostIo(t);
  const hex = (n: number) => `F-1,${n.toString(16)}`;
  t.is(await io.handle(openCmd(join(dir, 'none'))), hex(FioErrno.ENOENT));
  t.is(await io.handle(openCmd(dir, O.WRONLY)), hex(FioErrno.EISDIR));
  t.is(await io.handle(openCmd(file, O.WRONLY | O.CREAT | O.EXCL, 0o600)), hex(FioErrno.EEXIST));
  t.is(await io.handle(openCmd(join(file, 'x'))), hex(FioErrno.ENOTDIR));
  t.is(await io.handle(openCmd(join(dir, 'n'.repeat(300)))), 'F-1,5b', 'ENAMETOOLONG is 91');
  t.is(await io.handle(openCmd(join(dir, 'loop1'))), 'F-1,270f', 'ELOOP is not in the protocol');
  const dfd = fdOf(await io.handle(openCmd(dir)));
  t.is(await io.handle(pread(dfd, 10, 0)), hex(FioErrno.EISDIR));
  const wfd = fdOf(await io.handle(openCmd(file, O.WRONLY)));
  t.is(await io.handle(pread(wfd, 10, 0)), hex(FioErrno.EBADF), 'the kernel: not open for reading');
  const rfd = fdOf(await io.handle(openCmd(file)));
  t.is(
    await io.handle({ kind: 'file-pwrite', fd: rfd, offset: 0, data: Buffer.from('x') }),
    hex(FioErrno.EBADF),
  );
});

/** The async resources `fn` creates: FSREQCALLBACK is a trip through libuv's thread pool. */
async function resourcesOf<T>(fn: () => Promise<T>): Promise<{ value: T; types: string[] }> {
  const types: string[] = [];
  const hook = createHook({ init: (_id, type) => void types.push(type) }).enable();
  try {
    return { value: await fn(), types };
  } finally {
    hook.disable();
  }
}

test.serial('a missing file opens to ENOENT with no thread-pool trip', async (t) => {
  // gdb probes vFile:open with a name that is not there at every connect. Serial: no other
  // test makes resources meanwhile.
  const dir = await tempDir(t);
  const io = hostIo(t);
  const enoent = `F-1,${FioErrno.ENOENT.toString(16)}`;
  for (const pid of [0, process.pid]) {
    t.is(await io.handle({ kind: 'file-setfs', pid }), 'F0');
    for (const path of [join(dir, 'none'), join(dir, 'none', 'x')]) {
      const { value, types } = await resourcesOf(() => io.handle(openCmd(path)));
      t.is(value, enoent, path);
      t.false(types.includes('FSREQCALLBACK'), `${path} (setfs ${pid}): ${types.join(', ')}`);
    }
  }
  // O_CREAT still creates it.
  t.true(fdOf(await io.handle(openCmd(join(dir, 'none'), O.WRONLY | O.CREAT, 0o600))) >= 3);
  t.true(existsSync(join(dir, 'none')));
});

test('EACCES is 13', async (t) => {
  const io = hostIo(t);
  if (process.getuid?.() === 0) {
    // Root passes permission checks, but sysfs refuses writes to read-only attributes.
    const ro = '/sys/devices/system/cpu/online';
    if (!existsSync(ro)) return t.pass('no sysfs to test EACCES as root');
    t.is(await io.handle(openCmd(ro, O.WRONLY)), 'F-1,d');
  } else {
    const dir = await tempDir(t);
    await writeFile(join(dir, 'f'), '');
    await chmod(join(dir, 'f'), 0);
    t.is(await io.handle(openCmd(join(dir, 'f'))), 'F-1,d');
  }
});

test('invalid flags, modes and paths are EINVAL', async (t) => {
  const dir = await tempDir(t);
  const io = hostIo(t);
  t.is(await io.handle(openCmd(join(dir, 'f'), O.WRONLY | O.RDWR)), 'F-1,16');
  t.is(await io.handle(openCmd(join(dir, 'f'), 0x40)), 'F-1,16', 'not a protocol flag');
  t.is(await io.handle(openCmd(join(dir, 'f'), O.CREAT | O.WRONLY, 0o4755)), 'F-1,16', 'setuid');
  t.false(existsSync(join(dir, 'f')));
  t.is(await io.handle(openCmd(`${dir}/a\0b`)), 'F-1,16', 'a NUL byte in a path');
  t.is(await io.handle({ kind: 'file-setfs', pid: -1 }), 'F-1,16');
  // The protocol's S_IFREG in the mode is accepted and ignored, as gdbserver does.
  fdOf(await io.handle(openCmd(join(dir, 'f'), O.CREAT | O.WRONLY, FioMode.S_IFREG | 0o600)));
  t.is((await lstat(join(dir, 'f'))).mode & 0o777, 0o600);
});

test('more open files than allowed is EMFILE', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'f'), 'x');
  const io = hostIo(t, PACKET, 2);
  t.is(await io.handle(openCmd(join(dir, 'f'))), 'F3');
  t.is(await io.handle(openCmd(join(dir, 'f'))), 'F4');
  t.is(await io.handle(openCmd(join(dir, 'f'))), 'F-1,18');
  t.is(await io.handle({ kind: 'file-close', fd: 4 }), 'F0');
  t.is(await io.handle(openCmd(join(dir, 'f'))), 'F4');
});

/** Host fds of this process that are open on files under `dir`. */
async function hostFdsUnder(dir: string): Promise<number> {
  let n = 0;
  for (const fd of await readdir('/proc/self/fd')) {
    const target = await readlink(`/proc/self/fd/${fd}`).catch(() => '');
    if (target.startsWith(`${dir}/`)) n++;
  }
  return n;
}

test('close() closes every file of the connection', async (t) => {
  const dir = await tempDir(t);
  for (const name of ['a', 'b', 'c']) await writeFile(join(dir, name), name);
  const io = new HostIo({ maxPacketSize: PACKET });
  for (const name of ['a', 'b', 'c']) fdOf(await io.handle(openCmd(join(dir, name))));
  t.is(io.openFiles, 3);
  t.is(await hostFdsUnder(dir), 3);
  await io.close();
  t.is(io.openFiles, 0);
  t.is(await hostFdsUnder(dir), 0);
  t.is(await io.handle(pread(3, 1, 0)), 'F-1,9');
  t.is(await io.handle(openCmd(join(dir, 'a'))), 'F-1,9', 'no opens after close()');
  t.is(await hostFdsUnder(dir), 0);
});

test('setfs with our own pid resolves the same files', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'f');
  await writeFile(path, 'same file');
  await symlink(path, join(dir, 'abs'));
  const io = hostIo(t);
  const ino = async (fd: number) => {
    const st = decodeFioStat(parseReply(await io.handle({ kind: 'file-fstat', fd })).attachment!);
    return st.ok ? st.value.ino : -1;
  };
  const direct = fdOf(await io.handle(openCmd(path)));
  t.is(await io.handle({ kind: 'file-setfs', pid: process.pid }), 'F0');
  const viaRoot = fdOf(await io.handle(openCmd(path)));
  const viaLink = fdOf(await io.handle(openCmd(join(dir, 'abs'))));
  t.is(await ino(viaRoot), await ino(direct));
  t.is(await ino(viaLink), await ino(direct));
  t.is(parseReply(await io.handle(pread(viaLink, 100, 0))).attachment!.toString(), 'same file');
  const link = parseReply(await io.handle({ kind: 'file-readlink', path: join(dir, 'abs') }));
  t.is(link.attachment!.toString(), path);
  t.is(await io.handle({ kind: 'file-size', path: join(dir, 'abs') }), 'F9');
  t.is(await io.handle({ kind: 'file-unlink', path: join(dir, 'abs') }), 'F0');
  t.true(existsSync(path));
  t.false(existsSync(join(dir, 'abs')));
  t.is(await io.handle({ kind: 'file-setfs', pid: 0 }), 'F0');
  t.is(await ino(fdOf(await io.handle(openCmd(path)))), await ino(direct));
});

test('setfs to a process that does not exist makes lookups ENOENT', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'f'), 'x');
  const io = hostIo(t);
  // Above the kernel's PID_MAX_LIMIT (4194304), so no such process can exist.
  t.is(await io.handle({ kind: 'file-setfs', pid: 0x7fffffff }), 'F0');
  t.is(await io.handle(openCmd(join(dir, 'f'))), 'F-1,2');
  t.is(await io.handle({ kind: 'file-exists', path: join(dir, 'f') }), 'F,0');
});

test('LLDB size, mode and exists', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'f');
  await writeFile(path, randomBytes(0xc008));
  await chmod(path, 0o751);
  const io = hostIo(t);
  t.is(await io.handle({ kind: 'file-size', path }), 'Fc008');
  t.is(await io.handle({ kind: 'file-mode', path }), 'F1e9');
  t.is(await io.handle({ kind: 'file-exists', path }), 'F,1');
  t.is(await io.handle({ kind: 'file-exists', path: dir }), 'F,1');
  const none = join(dir, 'none');
  t.is(await io.handle({ kind: 'file-size', path: none }), 'F-1,2');
  t.is(await io.handle({ kind: 'file-mode', path: none }), 'F-1,2');
  t.is(await io.handle({ kind: 'file-exists', path: none }), 'F,0');
});

test('maxPacketSize below what fstat needs is refused', (t) => {
  t.throws(() => new HostIo({ maxPacketSize: MIN_HOSTIO_PACKET_SIZE - 1 }), {
    instanceOf: RangeError,
  });
  t.notThrows(() => new HostIo({ maxPacketSize: MIN_HOSTIO_PACKET_SIZE }));
});
