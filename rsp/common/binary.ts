// The `}` escape for binary data (GDB manual, "Overview"): an escaped byte is sent as 0x7d
// followed by the byte XOR 0x20. `#`, `$` and `}` must always be escaped; `*` too in replies so
// that it is not taken for run-length encoding. We escape `*` in both directions (gdb's own
// remote_escape_output does the same), which every reader accepts.
import { errResult, okResult, type Result } from '../errors.js';

export const ESCAPE = 0x7d;
const MUST_ESCAPE = new Set([0x23, 0x24, 0x7d, 0x2a]);

export function needsEscape(byte: number): boolean {
  return MUST_ESCAPE.has(byte);
}

export function escapeBinary(data: Uint8Array): Buffer {
  let extra = 0;
  for (const b of data) if (MUST_ESCAPE.has(b)) extra++;
  const out = Buffer.allocUnsafe(data.length + extra);
  let j = 0;
  for (const b of data) {
    if (MUST_ESCAPE.has(b)) {
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
