// `QTDPsrc:n:addr:type:start:slen:bytes` (GDB manual, "Tracepoint Packets"): a piece of a
// tracepoint's source text (its location, condition or actions), kept for qTfP/qTsP uploads.
import { malformed, type MalformedCommand } from './fields.js';
import { hexBytesOf, Scanner } from './trace-fields.js';

export interface TraceSourceCommand {
  kind: 'trace-source';
  number: number;
  addr: bigint;
  /** `at`, `cond` or `cmd`. */
  type: string;
  start: number;
  length: number;
  text: string;
}

export function parseTraceSource(packet: string): TraceSourceCommand | MalformedCommand {
  const s = new Scanner(packet, 'QTDPsrc:'.length);
  const num = s.num('tracepoint number');
  if (!num.ok || !s.eat(':')) return malformed(packet, 'expected n:addr:type:start:slen:bytes');
  const addr = s.hex('address');
  if (!addr.ok || !s.eat(':')) return malformed(packet, 'expected addr:type');
  const type = s.until(':');
  const start = s.num('start');
  if (!start.ok || !s.eat(':')) return malformed(packet, 'expected start:slen');
  const slen = s.num('length');
  if (!slen.ok || !s.eat(':')) return malformed(packet, 'expected slen:bytes');
  const bytes = hexBytesOf(s.rest(), 'source text');
  if (!bytes.ok) return malformed(packet, bytes.error);
  return {
    kind: 'trace-source',
    number: num.value,
    addr: addr.value,
    type,
    start: start.value,
    length: slen.value,
    text: bytes.value.toString('latin1'),
  };
}
