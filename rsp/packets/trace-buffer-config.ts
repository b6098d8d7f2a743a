// `QTBuffer:size:n` (`-1`: the default size) and `QTBuffer:circular:0|1` (GDB manual,
// "Tracepoint Packets").
import { malformed, type MalformedCommand } from './fields.js';
import { Scanner } from './trace-fields.js';

export interface TraceBufferConfigCommand {
  kind: 'trace-buffer-config';
  /** Bytes, or 'default'. */
  size?: number | 'default';
  circular?: boolean;
}

export function parseTraceBufferConfig(
  packet: string,
): TraceBufferConfigCommand | MalformedCommand {
  const body = packet.slice('QTBuffer:'.length);
  if (body.startsWith('size:')) {
    const v = body.slice(5);
    if (v === '-1') return { kind: 'trace-buffer-config', size: 'default' };
    const s = new Scanner(v);
    const n = s.num('size');
    if (!n.ok || !s.done) return malformed(packet, 'expected a size');
    return { kind: 'trace-buffer-config', size: n.value };
  }
  if (body.startsWith('circular:')) {
    const s = new Scanner(body, 9);
    const n = s.num('flag');
    if (!n.ok || !s.done) return malformed(packet, 'expected 0 or 1');
    return { kind: 'trace-buffer-config', circular: n.value !== 0 };
  }
  return malformed(packet, 'expected size: or circular:');
}
