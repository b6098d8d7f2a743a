// `z type,addr,kind` (GDB manual, "Packets").
import { type BreakpointType, parseBreakpointSpec } from './breakpoint-spec.js';
import { malformed, type MalformedCommand } from './fields.js';

export interface RemoveBreakpointCommand {
  kind: 'remove-breakpoint';
  type: BreakpointType;
  addr: bigint;
  size: number;
}

export function parseRemoveBreakpoint(packet: string): RemoveBreakpointCommand | MalformedCommand {
  const spec = parseBreakpointSpec(packet.slice(1));
  return spec.ok ? { kind: 'remove-breakpoint', ...spec.value } : malformed(packet, spec.error);
}
