// The bit sets of NTRACE_SET_OPTIONS (kmod/include/uapi/ntrace.h): signals that stop, event
// classes, syscalls caught. Built in 32-bit halves with plain numbers, one BigInt per 64-bit
// word: gdb changes QPassSignals around every step over a breakpoint, so the signal mask is
// built before many resumes and a BigInt shift per signal (about 60) showed in profiles.
import { EVENT_BITS } from './constants.js';
import type { EventSelection } from './types.js';

/** All 64 bits set: every signal stops, every syscall is caught. */
export const ALL_ONES = 0xffff_ffff_ffff_ffffn;

function word(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

/** Bit `s - 1` for each signal `s` in 1..64, undefined meaning all. */
export function signalMask(signals: Iterable<number> | undefined): bigint {
  if (signals === undefined) return ALL_ONES;
  let lo = 0;
  let hi = 0;
  for (const s of signals) {
    if (!Number.isInteger(s) || s < 1 || s > 64) throw new RangeError(`bad signal ${s}`);
    if (s <= 32) lo |= 1 << (s - 1);
    else hi |= 1 << (s - 33);
  }
  return word(lo, hi);
}

/** Bit i for each EVENT_BITS[i] asked for. */
export function eventMask(events: EventSelection): bigint {
  let bits = 0;
  for (let i = 0; i < EVENT_BITS.length; i++) if (events[EVENT_BITS[i]!]) bits |= 1 << i;
  return BigInt(bits);
}

/** `words` 64-bit words with bit v set for each value v. */
export function bitmap(values: Iterable<number>, words: number): bigint[] {
  const halves = new Array<number>(words * 2).fill(0);
  for (const v of values) {
    if (!Number.isInteger(v) || v < 0 || v >= words * 64) throw new RangeError(`bad number ${v}`);
    halves[v >> 5] = halves[v >> 5]! | (1 << (v & 31));
  }
  const out: bigint[] = [];
  for (let i = 0; i < words; i++) out.push(word(halves[2 * i]!, halves[2 * i + 1]!));
  return out;
}
