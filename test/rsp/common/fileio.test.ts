import test from 'ava';
import {
  decodeFioStat,
  encodeFioStat,
  FioErrno,
  type FioStat,
  fioErrnoFromLinux,
  fioErrnoFromName,
  fioModeFromLinux,
  fioOpenFlagsToLinux,
} from '../../../rsp/index.js';

test('open flags map to Linux values', (t) => {
  t.deepEqual(fioOpenFlagsToLinux(0), { ok: true, value: 0 });
  // O_WRONLY|O_CREAT|O_TRUNC as gdb sends them: 0x1 | 0x200 | 0x400.
  t.deepEqual(fioOpenFlagsToLinux(0x601), { ok: true, value: 0x1 | 0x40 | 0x200 });
  t.deepEqual(fioOpenFlagsToLinux(0x802 | 0x8), { ok: true, value: 0x2 | 0x80 | 0x400 });
  t.false(fioOpenFlagsToLinux(0x3).ok);
  t.false(fioOpenFlagsToLinux(0x40).ok);
});

test('errno values', (t) => {
  t.is(fioErrnoFromLinux(2), FioErrno.ENOENT);
  t.is(fioErrnoFromLinux(36), FioErrno.ENAMETOOLONG);
  t.is(fioErrnoFromLinux(3), FioErrno.EUNKNOWN); // ESRCH is not in the protocol
  t.is(fioErrnoFromLinux(110), FioErrno.EUNKNOWN);
  t.is(fioErrnoFromName('EACCES'), 13);
  t.is(fioErrnoFromName('ENAMETOOLONG'), 91);
  t.is(fioErrnoFromName('ELOOP'), 9999);
});

test('mode bits keep type and permissions only', (t) => {
  t.is(fioModeFromLinux(0o100755), 0o100755);
  t.is(fioModeFromLinux(0o40700), 0o40700);
  t.is(fioModeFromLinux(0o120777), 0o777); // symlink type has no protocol value
  t.is(fioModeFromLinux(0o104755), 0o100755); // setuid is dropped
  t.is(fioModeFromLinux(0o20666), 0o20666); // character device
});

test('struct stat is 64 big-endian bytes and round-trips', (t) => {
  const st: FioStat = {
    dev: 0x801,
    ino: 1234567,
    mode: 0o100644,
    nlink: 1,
    uid: 1000,
    gid: 100,
    rdev: 0,
    size: 0x123456789an,
    blksize: 4096n,
    blocks: 8n,
    atime: 1700000000,
    mtime: 1700000001,
    ctime: 1700000002,
  };
  const buf = encodeFioStat(st);
  t.is(buf.length, 64);
  t.is(buf.readUInt32BE(8), 0o100644);
  t.is(buf.readBigUInt64BE(28), 0x123456789an);
  t.is(buf.readUInt32BE(60), 1700000002);
  t.deepEqual(decodeFioStat(buf), { ok: true, value: st });
  t.false(decodeFioStat(buf.subarray(1)).ok);
});
