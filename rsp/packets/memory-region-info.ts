// `qMemoryRegionInfo:<hex addr>` (lldbgdbremote.md, "qMemoryRegionInfo:<addr>").
import { malformed, type MalformedCommand, parseAddress } from './fields.js';

export interface MemoryRegionInfoCommand {
  kind: 'memory-region-info';
  addr: bigint;
}

export function parseMemoryRegionInfo(packet: string): MemoryRegionInfoCommand | MalformedCommand {
  if (!packet.startsWith('qMemoryRegionInfo:'))
    return malformed(packet, 'expected qMemoryRegionInfo:addr');
  const addr = parseAddress(packet.slice('qMemoryRegionInfo:'.length));
  return addr.ok ? { kind: 'memory-region-info', addr: addr.value } : malformed(packet, addr.error);
}
