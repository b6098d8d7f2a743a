// Hex payload replies: `m`, `g`, `p`, `qCRC`, `qSearch:memory` and other numeric answers.
import { bigintToHex, bufferToHex, textToHex } from '../common/hex.js';

/** Bytes as hex pairs (replies to `m`, `g`, `p`). */
export function hexBytes(data: Uint8Array): string {
  return bufferToHex(data);
}

/**
 * `xx` for each byte of registers whose value is unavailable (GDB manual, "Packets", g): what
 * gdbserver answers for a thread ptrace can no longer read.
 */
export function unavailableBytes(count: number): string {
  return 'xx'.repeat(count);
}

/** UTF-8 text as hex (qThreadExtraInfo, qRcmd output). */
export function hexText(text: string): string {
  return textToHex(text);
}

/** `C crc32` for qCRC (GDB manual, "General Query Packets"). */
export function crcReply(crc: number): string {
  return 'C' + (crc >>> 0).toString(16);
}

/** `0` or `1,address` for qSearch:memory. */
export function searchReply(found: bigint | undefined): string {
  return found === undefined ? '0' : '1,' + bigintToHex(found);
}

/** `1` attached, `0` created (qAttached). */
export function attachedReply(attached: boolean): string {
  return attached ? '1' : '0';
}

/** `Text=xxx;Data=yyy;Bss=zzz` (qOffsets). */
export function offsetsReply(text: bigint, data: bigint, bss: bigint = data): string {
  return `Text=${bigintToHex(text)};Data=${bigintToHex(data)};Bss=${bigintToHex(bss)}`;
}

/** `qSymbol:<hex name>`: ask gdb for a symbol's value (GDB manual, "General Query Packets"). */
export function symbolLookup(name: string): string {
  return 'qSymbol:' + textToHex(name);
}

/**
 * Reply to `x` (GDB manual, "Packets"): gdb (16+, `binary-upload`) wants `b` before the data;
 * LLDB's older form has none. Binary data; the encoder escapes it.
 */
export function binaryMemory(data: Uint8Array, opts: { gdbStyle: boolean }): Buffer {
  const prefix = opts.gdbStyle ? Buffer.from('b') : Buffer.alloc(0);
  return Buffer.concat([prefix, data]);
}

/** A target address as bare hex digits (qGetTLSAddr; GDB manual, "General Query Packets"). */
export function addressReply(addr: bigint): string {
  return bigintToHex(addr);
}
