// Plain replies (GDB manual, "Standard Replies"). Reply bodies are strings for text and Buffers
// for binary data; encodePacket frames either.
import { byteToHex, textToHex } from '../common/hex.js';

export type ReplyBody = string | Buffer;

export function ok(): string {
  return 'OK';
}

/** The empty reply: "packet not supported" (GDB manual, "Standard Replies"). */
export function empty(): string {
  return '';
}

/** `E NN`: two hex digits; gdb treats the value as opaque, we send an errno. */
export function error(errno: number): string {
  return 'E' + byteToHex(errno);
}

/**
 * `E.errtext` (GDB manual, "Standard Replies"). gdb reads the text raw, so bytes that would be
 * escaped or read as run-length markers (`#`, `$`, `}`, `*`) and anything outside printable
 * ASCII are replaced by `?`.
 */
export function errorText(message: string): string {
  return 'E.' + message.replace(/[^\x20-\x7e]|[#$}*]/g, '?');
}

/**
 * LLDB's error string form `E NN;<hex text>` (lldbgdbremote.md, "QEnableErrorStrings"); only
 * for clients that sent QEnableErrorStrings.
 */
export function errorWithString(errno: number, message: string): string {
  return error(errno) + ';' + textToHex(message);
}
