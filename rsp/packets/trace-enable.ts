// `QTEnable:n:addr` and `QTDisable:n:addr` (GDB manual, "Tracepoint Packets"): enable or disable
// a tracepoint, also during a trace run.
import { malformed, type MalformedCommand } from './fields.js';
import { Scanner } from './trace-fields.js';

export interface TraceEnableCommand {
  kind: 'trace-enable';
  enable: boolean;
  number: number;
  addr: bigint;
}

export function parseTraceEnable(packet: string): TraceEnableCommand | MalformedCommand {
  const enable = packet.startsWith('QTEnable:');
  const s = new Scanner(packet, enable ? 'QTEnable:'.length : 'QTDisable:'.length);
  const num = s.num('tracepoint number');
  if (!num.ok || !s.eat(':')) return malformed(packet, 'expected n:addr');
  const addr = s.hex('address');
  if (!addr.ok || !s.done) return malformed(packet, 'expected n:addr');
  return { kind: 'trace-enable', enable, number: num.value, addr: addr.value };
}
