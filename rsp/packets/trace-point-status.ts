// `qTP:n:addr` (GDB manual, "Tracepoint Packets"): a tracepoint's hit count and buffer usage.
import { malformed, type MalformedCommand } from './fields.js';
import { Scanner } from './trace-fields.js';

export interface TracePointStatusCommand {
  kind: 'trace-point-status';
  number: number;
  addr: bigint;
}

export function parseTracePointStatus(packet: string): TracePointStatusCommand | MalformedCommand {
  const s = new Scanner(packet, 'qTP:'.length);
  const num = s.num('tracepoint number');
  if (!num.ok || !s.eat(':')) return malformed(packet, 'expected n:addr');
  const addr = s.hex('address');
  if (!addr.ok || !s.done) return malformed(packet, 'expected n:addr');
  return { kind: 'trace-point-status', number: num.value, addr: addr.value };
}
