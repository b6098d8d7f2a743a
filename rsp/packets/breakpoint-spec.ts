// The shared syntax of `Z type,addr,kind[;cond_list...][;cmds:persist,cmd_list...]` and
// `z type,addr,kind` (GDB manual, "Packets", Z0..Z4). Conditions and commands are agent
// expressions, each `X len,expr` with len in hex and expr as 2*len hex digits. gdb (remote.c
// remote_add_target_side_condition/_commands) writes them back to back without separators;
// gdbserver (process_point_options) also accepts `;` between them, so we accept both.
import { errResult, okResult, type Result } from '../errors.js';
import { parseAddress, parseBytes, parseNumber } from './fields.js';

export type BreakpointType =
  | 'software' // Z0
  | 'hardware' // Z1
  | 'write-watchpoint' // Z2
  | 'read-watchpoint' // Z3
  | 'access-watchpoint'; // Z4

export const BREAKPOINT_TYPES: readonly BreakpointType[] = [
  'software',
  'hardware',
  'write-watchpoint',
  'read-watchpoint',
  'access-watchpoint',
];

export interface BreakpointSpec {
  type: BreakpointType;
  addr: bigint;
  /** For breakpoints the target-specific kind (x86: 1, the int3 length); for watchpoints the length. */
  size: number;
}

export interface BreakpointCommands {
  /** Whether the commands stay when gdb disconnects (`cmds:1`). */
  persist: boolean;
  /** Agent-expression bytecodes, in order. */
  bytecodes: Buffer[];
}

export function parseBreakpointSpec(text: string): Result<BreakpointSpec> {
  const parts = text.split(',');
  if (parts.length !== 3) return errResult('expected type,addr,kind');
  const t = parts[0]!;
  if (!/^[0-4]$/.test(t)) return errResult(`unknown breakpoint type "${t}"`);
  const addr = parseAddress(parts[1]!);
  if (!addr.ok) return addr;
  const size = parseNumber(parts[2]!, 'kind');
  if (!size.ok) return size;
  return okResult({ type: BREAKPOINT_TYPES[Number(t)]!, addr: addr.value, size: size.value });
}

/** Parses consecutive `X len,expr` items from text[pos...] until a `;` that is not followed by X. */
function parseExpressions(text: string, pos: number): Result<{ exprs: Buffer[]; end: number }> {
  const exprs: Buffer[] = [];
  while (pos < text.length) {
    if (text[pos] === ';' && text[pos + 1] === 'X') pos++;
    if (text[pos] !== 'X') break;
    const comma = text.indexOf(',', pos);
    if (comma < 0) return errResult('agent expression without a length');
    const len = parseNumber(text.slice(pos + 1, comma), 'agent expression length');
    if (!len.ok) return len;
    const hexEnd = comma + 1 + 2 * len.value;
    if (hexEnd > text.length) return errResult('agent expression shorter than its length');
    const bytes = parseBytes(text.slice(comma + 1, hexEnd), 'agent expression');
    if (!bytes.ok) return bytes;
    exprs.push(bytes.value);
    pos = hexEnd;
  }
  return okResult({ exprs, end: pos });
}

/** Parses the text after `type,addr,kind` (starting at its first `;`). */
export function parseBreakpointOptions(
  text: string,
): Result<{ conditions: Buffer[]; commands?: BreakpointCommands }> {
  const conditions: Buffer[] = [];
  let commands: BreakpointCommands | undefined;
  let pos = 0;
  while (pos < text.length) {
    if (text[pos] !== ';') return errResult(`unexpected "${text.slice(pos, pos + 8)}"`);
    pos++;
    if (text[pos] === 'X') {
      const r = parseExpressions(text, pos);
      if (!r.ok) return r;
      conditions.push(...r.value.exprs);
      pos = r.value.end;
    } else if (text.startsWith('cmds:', pos)) {
      pos += 'cmds:'.length;
      const flag = text[pos];
      if ((flag !== '0' && flag !== '1') || text[pos + 1] !== ',') {
        return errResult('expected cmds:persist,');
      }
      const r = parseExpressions(text, pos + 2);
      if (!r.ok) return r;
      if (r.value.exprs.length === 0) return errResult('cmds: without commands');
      commands ??= { persist: false, bytecodes: [] };
      commands.persist ||= flag === '1';
      commands.bytecodes.push(...r.value.exprs);
      pos = r.value.end;
    } else {
      return errResult(`unknown breakpoint option "${text.slice(pos, pos + 8)}"`);
    }
  }
  return okResult(commands ? { conditions, commands } : { conditions });
}
