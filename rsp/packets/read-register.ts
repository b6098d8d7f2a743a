// `p n` (GDB manual, "Packets"): one register by number, with LLDB's thread suffix.
import type { ThreadId } from '../common/thread-id.js';
import { malformed, type MalformedCommand, parseNumber, splitThreadSuffix } from './fields.js';

export interface ReadRegisterCommand {
  kind: 'read-register';
  regnum: number;
  thread?: ThreadId;
}

export function parseReadRegister(packet: string): ReadRegisterCommand | MalformedCommand {
  const s = splitThreadSuffix(packet);
  if (!s.ok) return malformed(packet, s.error);
  const regnum = parseNumber(s.value.rest.slice(1), 'register number');
  if (!regnum.ok) return malformed(packet, regnum.error);
  const cmd: ReadRegisterCommand = { kind: 'read-register', regnum: regnum.value };
  if (s.value.thread) cmd.thread = s.value.thread;
  return cmd;
}
