// Decoding of a received packet body (GDB manual, "Overview"): run-length expansion first, then
// the `}` escape, the order gdb's reader applies (remote.c read_frame expands runs; escapes are
// undone afterwards). Only bodies holding `*` or `}` come here.
// Buffer imported, not the global: globalThis.Buffer is an accessor in Node 20, a call per use.
import { Buffer } from 'node:buffer';
import {
  RSP_ERR_BAD_ESCAPE,
  RSP_ERR_BAD_RLE,
  RSP_ERR_PACKET_TOO_LARGE,
  type RspErrorCode,
} from './errors.js';

const STAR = 0x2a;
const ESCAPE = 0x7d;

export type Decoded =
  | { ok: true; body: Buffer }
  | { ok: false; code: RspErrorCode; message: string };

/**
 * Expands `*` runs, then undoes `}` escapes. Exported for tests and for client-side tools. With
 * `owned`, a `raw` Buffer that needs no decoding is returned itself rather than copied.
 */
export function decodeBody(raw: Uint8Array, maxSize: number, owned = false): Decoded {
  let expanded: Uint8Array = raw;
  if (raw.includes(STAR)) {
    const out: number[] = [];
    for (let i = 0; i < raw.length; i++) {
      const b = raw[i]!;
      if (b !== STAR) {
        out.push(b);
        continue;
      }
      if (out.length === 0) {
        return {
          ok: false,
          code: RSP_ERR_BAD_RLE,
          message: 'run-length marker with no byte to repeat',
        };
      }
      if (i + 1 >= raw.length) {
        return { ok: false, code: RSP_ERR_BAD_RLE, message: 'run-length marker without a count' };
      }
      const count = raw[++i]! - 29;
      // The manual's encoder uses ' ' (3) to '~' (97), but gdb's reader (remote.c read_frame)
      // takes any count from 1 up; we read as leniently as gdb does.
      if (count < 1) {
        return {
          ok: false,
          code: RSP_ERR_BAD_RLE,
          message: `bad run-length count byte ${count + 29}`,
        };
      }
      if (out.length + count > maxSize) {
        return {
          ok: false,
          code: RSP_ERR_PACKET_TOO_LARGE,
          message: `run-length expansion exceeds ${maxSize} bytes`,
        };
      }
      const last = out[out.length - 1]!;
      for (let k = 0; k < count; k++) out.push(last);
    }
    expanded = Uint8Array.from(out);
  }
  if (!expanded.includes(ESCAPE)) {
    // Nothing to undo: a Buffer the caller owns is the body as it is (no copy).
    return {
      ok: true,
      body:
        expanded instanceof Buffer && expanded === raw && owned ? expanded : Buffer.from(expanded),
    };
  }
  const out = Buffer.allocUnsafe(expanded.length);
  let j = 0;
  for (let i = 0; i < expanded.length; i++) {
    const b = expanded[i]!;
    if (b === ESCAPE) {
      if (i + 1 >= expanded.length) {
        return {
          ok: false,
          code: RSP_ERR_BAD_ESCAPE,
          message: 'escape character at end of packet',
        };
      }
      out[j++] = expanded[++i]! ^ 0x20;
    } else {
      out[j++] = b;
    }
  }
  return { ok: true, body: Buffer.from(out.subarray(0, j)) };
}
