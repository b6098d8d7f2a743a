// `P n=r...` (GDB manual, "Packets"): one register, value in target byte order, with LLDB's
// thread suffix.
import type { ThreadId } from '../common/thread-id.js';
import {
  malformed,
  type MalformedCommand,
  parseBytes,
  parseNumber,
  splitThreadSuffix,
} from './fields.js';

export interface WriteRegisterCommand {
  kind: 'write-register';
  regnum: number;
  value: Buffer;
  thread?: ThreadId;
}

export function parseWriteRegister(packet: string): WriteRegisterCommand | MalformedCommand {
  const s = splitThreadSuffix(packet);
  if (!s.ok) return malformed(packet, s.error);
  const body = s.value.rest.slice(1);
  const eq = body.indexOf('=');
  if (eq < 0) return malformed(packet, 'expected n=value');
  const regnum = parseNumber(body.slice(0, eq), 'register number');
  if (!regnum.ok) return malformed(packet, regnum.error);
  const value = parseBytes(body.slice(eq + 1), 'register value');
  if (!value.ok) return malformed(packet, value.error);
  if (value.value.length === 0) return malformed(packet, 'empty register value');
  const cmd: WriteRegisterCommand = {
    kind: 'write-register',
    regnum: regnum.value,
    value: value.value,
  };
  if (s.value.thread) cmd.thread = s.value.thread;
  return cmd;
}
