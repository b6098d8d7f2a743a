import test from 'ava';
import {
  decodeFioStat,
  fileData,
  fileError,
  fileExists,
  fileResult,
  fileStat,
  FioErrno,
} from '../../../rsp/index.js';

test('F replies', (t) => {
  t.is(fileResult(8), 'F8');
  t.is(fileResult(0x1024), 'F1024');
  t.is(fileResult(0xc008n), 'Fc008');
  t.is(fileError(FioErrno.ENOENT), 'F-1,2');
  t.is(fileError(FioErrno.ENAMETOOLONG), 'F-1,5b');
  t.is(fileExists(true), 'F,1');
  t.is(fileExists(false), 'F,0');
});

test('pread/readlink data is attached raw (the encoder escapes it)', (t) => {
  t.deepEqual(
    fileData(Buffer.from([0x61, 0x23, 0x00])),
    Buffer.from([0x46, 0x33, 0x3b, 0x61, 0x23, 0x00]),
  );
  t.is(fileData(Buffer.alloc(0)).toString(), 'F0;');
});

test('fstat attaches the 64-byte struct', (t) => {
  const st = {
    dev: 1,
    ino: 2,
    mode: 0o100644,
    nlink: 1,
    uid: 0,
    gid: 0,
    rdev: 0,
    size: 10n,
    blksize: 4096n,
    blocks: 1n,
    atime: 3,
    mtime: 4,
    ctime: 5,
  };
  const reply = fileStat(st);
  t.is(reply.subarray(0, 4).toString(), 'F40;');
  t.deepEqual(decodeFioStat(reply.subarray(4)), { ok: true, value: st });
});
