// `Z type,addr,kind[;cond_list...][;cmds:persist,cmd_list...]` (GDB manual, "Packets").
import {
  type BreakpointCommands,
  type BreakpointType,
  parseBreakpointOptions,
  parseBreakpointSpec,
} from './breakpoint-spec.js';
import { malformed, type MalformedCommand } from './fields.js';

export interface InsertBreakpointCommand {
  kind: 'insert-breakpoint';
  type: BreakpointType;
  addr: bigint;
  /** Breakpoint kind (x86: 1) or watchpoint length. */
  size: number;
  /** Target-side condition bytecodes (ConditionalBreakpoints); empty when unconditional. */
  conditions: Buffer[];
  /** Target-side command bytecodes (BreakpointCommands), if any. */
  commands?: BreakpointCommands;
}

export function parseInsertBreakpoint(packet: string): InsertBreakpointCommand | MalformedCommand {
  const body = packet.slice(1);
  const semi = body.indexOf(';');
  const spec = parseBreakpointSpec(semi < 0 ? body : body.slice(0, semi));
  if (!spec.ok) return malformed(packet, spec.error);
  const opts = parseBreakpointOptions(semi < 0 ? '' : body.slice(semi));
  if (!opts.ok) return malformed(packet, opts.error);
  const cmd: InsertBreakpointCommand = {
    kind: 'insert-breakpoint',
    ...spec.value,
    conditions: opts.value.conditions,
  };
  if (opts.value.commands) cmd.commands = opts.value.commands;
  return cmd;
}
