// Stable error codes of the wire codec. Codes never change meaning; messages may.

/** For logging 'bad-checksum' frame events, which carry their own type. */
export const RSP_ERR_BAD_CHECKSUM = 'RSP_ERR_BAD_CHECKSUM';
export const RSP_ERR_PACKET_TOO_LARGE = 'RSP_ERR_PACKET_TOO_LARGE';
/** A `$` arrived inside a packet: the previous one was cut short and is dropped. */
export const RSP_ERR_TRUNCATED_PACKET = 'RSP_ERR_TRUNCATED_PACKET';
/** A `}` escape with nothing after it (GDB manual, "Overview"). */
export const RSP_ERR_BAD_ESCAPE = 'RSP_ERR_BAD_ESCAPE';
/** A `*` run-length marker with no preceding byte or an unusable count character. */
export const RSP_ERR_BAD_RLE = 'RSP_ERR_BAD_RLE';

export type RspErrorCode =
  | typeof RSP_ERR_BAD_CHECKSUM
  | typeof RSP_ERR_PACKET_TOO_LARGE
  | typeof RSP_ERR_TRUNCATED_PACKET
  | typeof RSP_ERR_BAD_ESCAPE
  | typeof RSP_ERR_BAD_RLE;

/** The outcome of a strict decoder: a value, or a reason it was refused. Decoders never throw. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: string };

export function okResult<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function errResult<T>(error: string): Result<T> {
  return { ok: false, error };
}
