// qXfer read windows (GDB manual, "General Query Packets", qXfer read replies): `m data` when
// more data follows, `l data` when this is the last part (possibly empty); data is binary and
// escaped by the encoder.

/** The reply to `qXfer:...:read:annex:offset,length` over the whole object `data`. */
export function xferChunk(data: Uint8Array, offset: number, length: number): Buffer {
  const start = Math.min(Math.max(0, offset), data.length);
  const end = Math.min(data.length, start + Math.max(0, length));
  const more = end < data.length;
  return Buffer.concat([Buffer.from(more ? 'm' : 'l'), data.subarray(start, end)]);
}

/** Reply to a qXfer write: the number of bytes written, in hex. */
export function xferWritten(count: number): string {
  return count.toString(16);
}
