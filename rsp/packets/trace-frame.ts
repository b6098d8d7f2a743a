// `QTFrame:n`, `QTFrame:pc:addr`, `QTFrame:tdp:t`, `QTFrame:range:start:end`,
// `QTFrame:outside:start:end` (GDB manual, "Tracepoint Packets"): select a trace frame; `-1`
// (`ffffffff` from gdb) goes back to the live program.
import { malformed, type MalformedCommand } from './fields.js';
import { Scanner } from './trace-fields.js';

export type TraceFrameSelector =
  | { by: 'number'; frame: number }
  | { by: 'none' }
  | { by: 'pc'; pc: bigint }
  | { by: 'tracepoint'; number: number }
  | { by: 'range'; start: bigint; end: bigint; inside: boolean };

export interface TraceFrameCommand {
  kind: 'trace-frame';
  select: TraceFrameSelector;
}

export function parseTraceFrame(packet: string): TraceFrameCommand | MalformedCommand {
  const body = packet.slice('QTFrame:'.length);
  const bad = (why: string) => malformed(packet, why);
  if (body.startsWith('pc:')) {
    const pc = new Scanner(body, 3).hex('pc');
    return pc.ok ? { kind: 'trace-frame', select: { by: 'pc', pc: pc.value } } : bad(pc.error);
  }
  if (body.startsWith('tdp:')) {
    const n = new Scanner(body, 4).num('tracepoint number');
    return n.ok
      ? { kind: 'trace-frame', select: { by: 'tracepoint', number: n.value } }
      : bad(n.error);
  }
  const inside = body.startsWith('range:');
  if (inside || body.startsWith('outside:')) {
    const s = new Scanner(body, inside ? 6 : 8);
    const start = s.hex('start');
    if (!start.ok || !s.eat(':')) return bad('expected start:end');
    const end = s.hex('end');
    if (!end.ok) return bad(end.error);
    return {
      kind: 'trace-frame',
      select: { by: 'range', start: start.value, end: end.value, inside },
    };
  }
  if (body === '-1') return { kind: 'trace-frame', select: { by: 'none' } };
  const s = new Scanner(body);
  const n = s.hex('frame number');
  if (!n.ok || !s.done) return bad('expected a frame number');
  // gdb sends -1 as a 32-bit `ffffffff` (remote.c, "QTFrame:%x").
  const frame = BigInt.asIntN(32, n.value);
  if (frame < 0n) return { kind: 'trace-frame', select: { by: 'none' } };
  return { kind: 'trace-frame', select: { by: 'number', frame: Number(frame) } };
}
