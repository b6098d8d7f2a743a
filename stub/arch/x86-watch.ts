// x86 debug registers watch 1, 2, 4 or 8 naturally aligned bytes each. GDB asks for any
// region (Z2/Z3/Z4 with an odd length or an unaligned address, "watch *(char*)p@3"), so a
// region is split into aligned pieces, one debug register each, as gdbserver does
// (gdb/nat/x86-dregs.c, x86_handle_nonaligned_watchpoint): at each address the largest
// aligned size that still fits the rest of the region.

export interface WatchPiece {
  addr: bigint;
  len: number;
}

/** Debug registers that can hold an address (DR0-DR3). */
export const DEBUG_REGISTERS = 4;

/** Widest naturally aligned piece: 8 bytes on x86-64. */
const MAX_PIECE = 8;

/**
 * The aligned pieces covering [addr, addr + len), in address order. Empty for len <= 0.
 * Each piece is the widest power of two (at most 8) that is aligned at its address and does
 * not run past the region's end.
 */
export function watchPieces(addr: bigint, len: number): WatchPiece[] {
  const out: WatchPiece[] = [];
  let a = addr;
  let rest = len;
  while (rest > 0) {
    const align = Number(a % BigInt(MAX_PIECE));
    let size = MAX_PIECE;
    while (size > 1 && (align % size !== 0 || size > rest)) size >>= 1;
    out.push({ addr: a, len: size });
    a += BigInt(size);
    rest -= size;
  }
  return out;
}
