// Node's stat result as the File-I/O `struct stat` (GDB manual, "struct stat"). 32-bit fields
// keep the low 32 bits, as gdbserver's host_to_fileio_uint does; times are whole seconds.
import type { BigIntStats } from 'node:fs';
import { type FioStat, fioModeFromLinux } from '../../rsp/index.js';

const u32 = (v: bigint): number => Number(BigInt.asUintN(32, v));
const seconds = (ns: bigint): number => u32(ns / 1_000_000_000n);

export function fioStatFromNode(st: BigIntStats): FioStat {
  return {
    dev: u32(st.dev),
    ino: u32(st.ino),
    mode: fioModeFromLinux(Number(st.mode)),
    nlink: u32(st.nlink),
    uid: u32(st.uid),
    gid: u32(st.gid),
    rdev: u32(st.rdev),
    size: st.size,
    blksize: st.blksize,
    blocks: st.blocks,
    atime: seconds(st.atimeNs),
    mtime: seconds(st.mtimeNs),
    ctime: seconds(st.ctimeNs),
  };
}
