// `qTBuffer:offset,len` (GDB manual, "Tracepoint Packets"): raw trace buffer bytes (tsave).
import { malformed, type MalformedCommand } from './fields.js';
import { Scanner } from './trace-fields.js';

export interface TraceBufferCommand {
  kind: 'trace-buffer';
  offset: number;
  length: number;
}

export function parseTraceBuffer(packet: string): TraceBufferCommand | MalformedCommand {
  const s = new Scanner(packet, 'qTBuffer:'.length);
  const offset = s.num('offset');
  if (!offset.ok || !s.eat(',')) return malformed(packet, 'expected offset,len');
  const len = s.num('length');
  if (!len.ok || !s.done) return malformed(packet, 'expected offset,len');
  return { kind: 'trace-buffer', offset: offset.value, length: len.value };
}
