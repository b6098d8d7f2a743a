// `qXfer:object:read:annex:offset,length` and `qXfer:object:write:annex:offset:data`
// (GDB manual, "General Query Packets", qXfer). The annex may be empty; write data is binary
// (already unescaped by the framer) and may contain `:`, so fields are split left to right.
import { latin1Bytes, malformed, type MalformedCommand, parseNumber } from './fields.js';

export type XferCommand =
  | { kind: 'xfer-read'; object: string; annex: string; offset: number; length: number }
  | { kind: 'xfer-write'; object: string; annex: string; offset: number; data: Buffer };

export function parseXfer(packet: string): XferCommand | MalformedCommand {
  const rest = packet.slice('qXfer:'.length);
  const c1 = rest.indexOf(':');
  const c2 = c1 < 0 ? -1 : rest.indexOf(':', c1 + 1);
  const c3 = c2 < 0 ? -1 : rest.indexOf(':', c2 + 1);
  if (c3 < 0) return malformed(packet, 'expected qXfer:object:op:annex:...');
  const object = rest.slice(0, c1);
  const op = rest.slice(c1 + 1, c2);
  const annex = rest.slice(c2 + 1, c3);
  if (object === '') return malformed(packet, 'empty qXfer object');
  const args = rest.slice(c3 + 1);
  if (op === 'read') {
    const parts = args.split(',');
    if (parts.length !== 2) return malformed(packet, 'expected offset,length');
    const offset = parseNumber(parts[0]!, 'offset');
    if (!offset.ok) return malformed(packet, offset.error);
    const length = parseNumber(parts[1]!, 'length');
    if (!length.ok) return malformed(packet, length.error);
    return { kind: 'xfer-read', object, annex, offset: offset.value, length: length.value };
  }
  if (op === 'write') {
    const colon = args.indexOf(':');
    if (colon < 0) return malformed(packet, 'expected offset:data');
    const offset = parseNumber(args.slice(0, colon), 'offset');
    if (!offset.ok) return malformed(packet, offset.error);
    return {
      kind: 'xfer-write',
      object,
      annex,
      offset: offset.value,
      data: latin1Bytes(args.slice(colon + 1)),
    };
  }
  return malformed(packet, `unknown qXfer operation "${op}"`);
}
