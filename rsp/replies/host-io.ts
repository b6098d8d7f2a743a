// Host I/O replies (GDB manual, "Host I/O Packets"): `F result[,errno][;attachment]`, numbers
// in hex, errno in File-I/O values (common/fileio.ts), attachments binary.
import { encodeFioStat, type FioStat } from '../common/fileio.js';
import { encodeDataPrefixWithin } from '../encoder.js';

/** `F<result>`: success with a numeric result (fd, byte count, 0). */
export function fileResult(result: number | bigint): string {
  return 'F' + result.toString(16);
}

/** `F-1,<errno>`: failure with a File-I/O errno. */
export function fileError(fioErrno: number): string {
  return 'F-1,' + fioErrno.toString(16);
}

/** `F<length>;<data>`: pread and readlink results; the encoder escapes the binary data. */
export function fileData(data: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(`F${data.length.toString(16)};`), data]);
}

/**
 * The framed `$F<n>;<data>#cs` reply of the longest prefix of `data` whose body fits in `max`
 * bytes once escaped (pread: the client asks again from where it ends), in one pass.
 */
export function fileDataPacketWithin(data: Uint8Array, max: number): Buffer {
  return encodeDataPrefixWithin(data, max, fileDataHead);
}

function fileDataHead(n: number): string {
  return `F${n.toString(16)};`;
}

/** The length of fileData's `F<length>;` header for `length` bytes of data. */
export function fileDataHeaderLength(length: number): number {
  return length.toString(16).length + 2;
}

/** The fstat reply: the 64-byte struct as the attachment. */
export function fileStat(st: FioStat): Buffer {
  return fileData(encodeFioStat(st));
}

/** LLDB's vFile:exists reply `F,<0|1>` (lldbgdbremote.md, "vFile:exists"). */
export function fileExists(exists: boolean): string {
  return exists ? 'F,1' : 'F,0';
}
