// How much one vFile:pread reads. gdb asks for a whole packet's worth on every miss of its
// one-block readahead cache (remote.c, remote_hostio_pread) though BFD mostly wants a header, a
// table or a note of a few hundred bytes there; and gdb spends about 200 instructions per byte
// it receives (read_frame, readchar). Answering those misses with 64 KiB had gdb receive twice
// gdbserver's bytes at connect (1.29 MB against 0.63) and run 11% more instructions. So a read
// at a new place gets a page; a read going on from where the last one ended gets twice the
// last, up to the packet: sections BFD streams through still come in packet-sized reads. The
// target may read fewer bytes than asked (GDB manual, "Host I/O Packets", vFile:pread), and
// gdb's readers loop over short reads (gdb_bfd.c, gdb_bfd_iovec_fileio_pread; remote_file_get).

/** The last pread of one open file: where it started and how many bytes it read. */
export interface ReadWindow {
  offset: number;
  length: number;
}

/** What a read at a new place of a file gets: one page. */
export const FIRST_READ = 4096;

/**
 * The bytes to read for a pread of `count` at `offset`, at most `cap`, after `last`. A read is
 * a continuation when it starts inside or at the end of what the last one read: the reply may
 * have carried only a prefix of it (escaping), and the client asks again from where that ended.
 */
export function readLength(
  last: ReadWindow | undefined,
  offset: number,
  count: number,
  cap: number,
): number {
  const goesOn =
    last !== undefined &&
    last.length > 0 &&
    offset > last.offset &&
    offset <= last.offset + last.length;
  const want = goesOn ? 2 * last.length : FIRST_READ;
  return Math.max(0, Math.min(count, cap, want));
}
