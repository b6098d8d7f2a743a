// File-I/O protocol values used by Host I/O (GDB manual, "Host I/O Packets", referring to the
// File-I/O appendix sections "Open Flags", "mode_t Values", "Errno Values", "struct stat").
// These are protocol constants, not Linux ones; conversions to Linux x86-64 live here.
import { errResult, okResult, type Result } from '../errors.js';

export const FioOpenFlag = {
  O_RDONLY: 0x0,
  O_WRONLY: 0x1,
  O_RDWR: 0x2,
  O_APPEND: 0x8,
  O_CREAT: 0x200,
  O_TRUNC: 0x400,
  O_EXCL: 0x800,
} as const;

export const FioErrno = {
  EPERM: 1,
  ENOENT: 2,
  EINTR: 4,
  EBADF: 9,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  ENODEV: 19,
  ENOTDIR: 20,
  EISDIR: 21,
  EINVAL: 22,
  ENFILE: 23,
  EMFILE: 24,
  EFBIG: 27,
  ENOSPC: 28,
  ESPIPE: 29,
  EROFS: 30,
  ENAMETOOLONG: 91,
  EUNKNOWN: 9999,
} as const;

export const FioMode = {
  S_IFREG: 0o100000,
  S_IFDIR: 0o40000,
  S_IFCHR: 0o20000,
  PERMISSIONS: 0o777,
} as const;

// Linux x86-64 (asm-generic/fcntl.h).
const LINUX_O_WRONLY = 0x1;
const LINUX_O_RDWR = 0x2;
const LINUX_O_CREAT = 0x40;
const LINUX_O_EXCL = 0x80;
const LINUX_O_TRUNC = 0x200;
const LINUX_O_APPEND = 0x400;

/** Protocol open flags to Linux open(2) flags; unknown bits or O_WRONLY|O_RDWR are an error. */
export function fioOpenFlagsToLinux(flags: number): Result<number> {
  const known = 0x1 | 0x2 | 0x8 | 0x200 | 0x400 | 0x800;
  if ((flags & ~known) !== 0) return errResult(`unknown open flags 0x${flags.toString(16)}`);
  if ((flags & 0x3) === 0x3) return errResult('O_WRONLY and O_RDWR together');
  let out = 0;
  if (flags & FioOpenFlag.O_WRONLY) out |= LINUX_O_WRONLY;
  if (flags & FioOpenFlag.O_RDWR) out |= LINUX_O_RDWR;
  if (flags & FioOpenFlag.O_APPEND) out |= LINUX_O_APPEND;
  if (flags & FioOpenFlag.O_CREAT) out |= LINUX_O_CREAT;
  if (flags & FioOpenFlag.O_TRUNC) out |= LINUX_O_TRUNC;
  if (flags & FioOpenFlag.O_EXCL) out |= LINUX_O_EXCL;
  return okResult(out);
}

const ERRNO_BY_NAME: ReadonlyMap<string, number> = new Map(Object.entries(FioErrno));
// Linux numbers equal the protocol's for 1..30; ENAMETOOLONG is 36 on Linux.
const LINUX_ENAMETOOLONG = 36;

/** A Linux errno number as the protocol's; EUNKNOWN for anything the protocol lacks. */
export function fioErrnoFromLinux(errno: number): number {
  if (errno === LINUX_ENAMETOOLONG) return FioErrno.ENAMETOOLONG;
  if (errno <= 30 && [...ERRNO_BY_NAME.values()].includes(errno)) return errno;
  return FioErrno.EUNKNOWN;
}

/** A Node.js error code such as 'ENOENT' as the protocol's errno; EUNKNOWN if unlisted. */
export function fioErrnoFromName(code: string): number {
  return ERRNO_BY_NAME.get(code) ?? FioErrno.EUNKNOWN;
}

/** Linux st_mode to the protocol's: regular, directory or char device type plus permissions. */
export function fioModeFromLinux(mode: number): number {
  const type = mode & 0o170000;
  let out = mode & FioMode.PERMISSIONS;
  if (type === 0o100000) out |= FioMode.S_IFREG;
  else if (type === 0o40000) out |= FioMode.S_IFDIR;
  else if (type === 0o20000) out |= FioMode.S_IFCHR;
  return out;
}

/** The File-I/O `struct stat`: fields as the protocol defines them (mode in protocol values). */
export interface FioStat {
  dev: number;
  ino: number;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  rdev: number;
  size: bigint;
  blksize: bigint;
  blocks: bigint;
  atime: number;
  mtime: number;
  ctime: number;
}

/** 64 bytes, big-endian: seven 32-bit fields, three 64-bit, three 32-bit times. */
export function encodeFioStat(st: FioStat): Buffer {
  const out = Buffer.alloc(64);
  const u32 = (v: number) => v >>> 0;
  out.writeUInt32BE(u32(st.dev), 0);
  out.writeUInt32BE(u32(st.ino), 4);
  out.writeUInt32BE(u32(st.mode), 8);
  out.writeUInt32BE(u32(st.nlink), 12);
  out.writeUInt32BE(u32(st.uid), 16);
  out.writeUInt32BE(u32(st.gid), 20);
  out.writeUInt32BE(u32(st.rdev), 24);
  out.writeBigUInt64BE(BigInt.asUintN(64, st.size), 28);
  out.writeBigUInt64BE(BigInt.asUintN(64, st.blksize), 36);
  out.writeBigUInt64BE(BigInt.asUintN(64, st.blocks), 44);
  out.writeUInt32BE(u32(st.atime), 52);
  out.writeUInt32BE(u32(st.mtime), 56);
  out.writeUInt32BE(u32(st.ctime), 60);
  return out;
}

export function decodeFioStat(buf: Uint8Array): Result<FioStat> {
  if (buf.length !== 64) return errResult(`struct stat is 64 bytes, got ${buf.length}`);
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  return okResult({
    dev: b.readUInt32BE(0),
    ino: b.readUInt32BE(4),
    mode: b.readUInt32BE(8),
    nlink: b.readUInt32BE(12),
    uid: b.readUInt32BE(16),
    gid: b.readUInt32BE(20),
    rdev: b.readUInt32BE(24),
    size: b.readBigUInt64BE(28),
    blksize: b.readBigUInt64BE(36),
    blocks: b.readBigUInt64BE(44),
    atime: b.readUInt32BE(52),
    mtime: b.readUInt32BE(56),
    ctime: b.readUInt32BE(60),
  });
}
