// Host I/O replies must fit one packet: the client's buffer is sized by the PacketSize we
// advertise (GDB manual, "General Query Packets", qSupported). Attachments are escaped on the
// wire (GDB manual, "Overview", binary data), so their size there depends on their bytes.
import { fileDataHeaderLength, needsEscape } from '../../rsp/index.js';

/** 1 for the bytes the encoder escapes: looked up per byte of up to 64 KiB replies. */
const ESCAPED = Uint8Array.from({ length: 256 }, (_, b) => (needsEscape(b) ? 1 : 0));

/** What `body` takes between `$` and `#` once the encoder has escaped it (before any RLE). */
export function wireLength(body: Uint8Array): number {
  let n = body.length;
  for (let i = 0; i < body.length; i++) n += ESCAPED[body[i]!]!;
  return n;
}

/** How many bytes a pread may ask the system for: what fits in `max` if none were escaped. */
export function preadCap(max: number): number {
  return Math.max(0, max - fileDataHeaderLength(max));
}
