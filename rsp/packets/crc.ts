// `qCRC:addr,length` (GDB manual, "General Query Packets"): CRC-32 of target memory, used by
// `compare-sections`.
import { malformed, type MalformedCommand, parseAddrLength } from './fields.js';

export interface CrcCommand {
  kind: 'crc';
  addr: bigint;
  length: number;
}

export function parseCrc(packet: string): CrcCommand | MalformedCommand {
  const r = parseAddrLength(packet.slice('qCRC:'.length));
  return r.ok
    ? { kind: 'crc', addr: r.value.addr, length: r.value.length }
    : malformed(packet, r.error);
}
