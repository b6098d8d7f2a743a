// The `}` escape for binary data (GDB manual, "Overview"): an escaped byte is sent as 0x7d
// followed by the byte XOR 0x20. `#`, `$` and `}` must always be escaped; `*` too in replies so
// that it is not taken for run-length encoding. We escape `*` in both directions (gdb's own
// remote_escape_output does the same), which every reader accepts.
import { errResult, okResult, type Result } from '../errors.js';

export const ESCAPE = 0x7d;
/** 1 for the bytes that must be escaped: `#`, `$`, `}` and `*`. A table: this runs per byte. */
const MUST_ESCAPE = new Uint8Array(256);
for (const b of [0x23, 0x24, 0x7d, 0x2a]) MUST_ESCAPE[b] = 1;

export function needsEscape(byte: number): boolean {
  return MUST_ESCAPE[byte & 0xff] === 1;
}

/** Escaped copy of `data`; `data` itself (as a Buffer view, no copy) when nothing needs it. */
export function escapeBinary(data: Uint8Array): Buffer {
  const n = data.length;
  let extra = 0;
  for (let i = 0; i < n; i++) extra += MUST_ESCAPE[data[i]!]!;
  if (extra === 0)
    return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, n);
  const out = Buffer.allocUnsafe(n + extra);
  let j = 0;
  for (let i = 0; i < n; i++) {
    const b = data[i]!;
    if (MUST_ESCAPE[b] === 1) {
      out[j++] = ESCAPE;
      out[j++] = b ^ 0x20;
    } else {
      out[j++] = b;
    }
  }
  return out;
}

/** Undo the escape. A trailing lone `}` is an error (the data was cut inside an escape). */
export function unescapeBinary(data: Uint8Array): Result<Buffer> {
  const out = Buffer.allocUnsafe(data.length);
  let j = 0;
  for (let i = 0; i < data.length; i++) {
    const b = data[i]!;
    if (b === ESCAPE) {
      if (i + 1 >= data.length) return errResult('escape character at end of data');
      out[j++] = data[++i]! ^ 0x20;
    } else {
      out[j++] = b;
    }
  }
  return okResult(out.subarray(0, j));
}
