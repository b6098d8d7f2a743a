// Hex codecs. RSP numbers (addresses, lengths) are big-endian hex text of any width; register
// contents are the target's bytes in target order, which for x86-64 is little-endian
// (GDB manual, "Packets": `g` and `p` send bytes in target byte order).
import { errResult, okResult, type Result } from '../errors.js';

const HEX_RE = /^[0-9a-fA-F]*$/;

export function isHex(text: string): boolean {
  return HEX_RE.test(text);
}

/** Pairs of hex digits to bytes. Odd length or a non-hex character is an error, never a guess. */
export function hexToBuffer(hex: string): Result<Buffer> {
  if (hex.length % 2 !== 0) return errResult(`odd-length hex string (${hex.length} digits)`);
  if (!HEX_RE.test(hex)) return errResult('non-hex character in hex string');
  return okResult(Buffer.from(hex, 'hex'));
}

export function bufferToHex(buf: Uint8Array): string {
  return Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('hex');
}

/** The value of one hex digit's char code, -1 for anything else. */
function digit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

/** Digits that always fit a safe integer (13 hex digits = 52 bits). */
const SAFE_DIGITS = 13;

/**
 * `hex` as a number when it has 1 to 13 digits, -1 when a character is not a hex digit, -2
 * when it is empty or longer. The packet parsers' hot path: no regex, no BigInt.
 */
function shortHex(hex: string): number {
  return shortHexAt(hex, 0, hex.length);
}

/**
 * shortHex of `text[start, end)`, read in place (no substring): the value when it has 1 to 13
 * digits, -1 for a character that is not a hex digit, -2 when empty or longer.
 */
export function shortHexAt(text: string, start: number, end: number): number {
  if (end <= start || end - start > SAFE_DIGITS) return -2;
  let v = 0;
  for (let i = start; i < end; i++) {
    const d = digit(text.charCodeAt(i));
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

/** A big-endian hex number of any width (addresses, lengths). Empty text is an error. */
export function hexToBigint(hex: string): Result<bigint> {
  if (hex.length === 0) return errResult('empty hex number');
  const v = shortHex(hex);
  if (v >= 0) return okResult(BigInt(v));
  if (v === -1 || !HEX_RE.test(hex)) return errResult(`non-hex character in number "${hex}"`);
  return okResult(BigInt('0x' + hex));
}

/** Minimal lowercase hex digits of a non-negative value (`0` for zero). */
export function bigintToHex(value: bigint): string {
  return value < 0n ? '-' + (-value).toString(16) : value.toString(16);
}

/** A hex number that must fit a JavaScript safe integer (counts, lengths, fds, pids). */
export function hexToNumber(hex: string): Result<number> {
  const v = shortHex(hex);
  if (v >= 0) return okResult(v);
  const r = hexToBigint(hex);
  if (!r.ok) return r;
  if (r.value > BigInt(Number.MAX_SAFE_INTEGER)) return errResult(`number 0x${hex} is too large`);
  return okResult(Number(r.value));
}

export function numberToHex(value: number): string {
  return value.toString(16);
}

/** Exactly two hex digits, for signal numbers and exit statuses (`S`, `T`, `W`, `X`, `E`). */
export function byteToHex(value: number): string {
  return (value & 0xff).toString(16).padStart(2, '0');
}

/** Little-endian register bytes to an unsigned value. */
export function leBytesToBigint(buf: Uint8Array): bigint {
  let value = 0n;
  for (let i = buf.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(buf[i]!);
  return value;
}

/** An unsigned value to `size` little-endian bytes; bits beyond `size` bytes are dropped. */
export function bigintToLeBytes(value: bigint, size: number): Buffer {
  const out = Buffer.alloc(size);
  let v = BigInt.asUintN(size * 8, value);
  for (let i = 0; i < size; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** Register hex (target byte order, little-endian) to a value, e.g. `"3412"` -> 0x1234n. */
export function leHexToBigint(hex: string): Result<bigint> {
  const bytes = hexToBuffer(hex);
  if (!bytes.ok) return bytes;
  if (bytes.value.length === 0) return errResult('empty register value');
  return okResult(leBytesToBigint(bytes.value));
}

/** A value as `size` little-endian register bytes in hex, e.g. (0x1234n, 2) -> `"3412"`. */
export function bigintToLeHex(value: bigint, size: number): string {
  return bigintToLeBytes(value, size).toString('hex');
}

/** Text to hex of its UTF-8 bytes (`qRcmd`, `O`, `exec:`, `vRun` arguments). */
export function textToHex(text: string): string {
  return Buffer.from(text, 'utf8').toString('hex');
}

export function hexToText(hex: string): Result<string> {
  const r = hexToBuffer(hex);
  if (!r.ok) return r;
  return okResult(r.value.toString('utf8'));
}
