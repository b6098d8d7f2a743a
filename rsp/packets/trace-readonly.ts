// `QTro:start1,end1:start2,end2:...` (GDB manual, "Tracepoint Packets"): address ranges (end
// inclusive) whose contents never change, which may be read from the live program while a trace
// frame is selected. A bare `QTro` clears the list.
import { malformed, type MalformedCommand } from './fields.js';
import { Scanner } from './trace-fields.js';

export interface TraceReadonlyCommand {
  kind: 'trace-readonly';
  ranges: { start: bigint; end: bigint }[];
}

export function parseTraceReadonly(packet: string): TraceReadonlyCommand | MalformedCommand {
  const s = new Scanner(packet, 'QTro'.length);
  const ranges: { start: bigint; end: bigint }[] = [];
  while (s.eat(':')) {
    const start = s.hex('start');
    if (!start.ok) return malformed(packet, start.error);
    if (!s.eat(',')) return malformed(packet, 'expected start,end');
    const end = s.hex('end');
    if (!end.ok) return malformed(packet, end.error);
    ranges.push({ start: start.value, end: end.value });
  }
  if (!s.done) return malformed(packet, 'expected :start,end');
  return { kind: 'trace-readonly', ranges };
}
