// `QRestoreRegisterState:<save id>[;thread:<tid>;]` (lldbgdbremote.md). The id is what
// QSaveRegisterState replied, in decimal (lldb-server prints and parses it as decimal).
import type { ThreadId } from '../common/thread-id.js';
import { malformed, type MalformedCommand, splitThreadSuffix } from './fields.js';

export interface RestoreRegistersCommand {
  kind: 'restore-registers';
  saveId: number;
  thread?: ThreadId;
}

export function parseRestoreRegisters(packet: string): RestoreRegistersCommand | MalformedCommand {
  const s = splitThreadSuffix(packet);
  if (!s.ok) return malformed(packet, s.error);
  const id = s.value.rest.slice('QRestoreRegisterState:'.length);
  if (!/^[0-9]{1,15}$/.test(id)) return malformed(packet, `bad save id "${id}"`);
  const cmd: RestoreRegistersCommand = { kind: 'restore-registers', saveId: Number(id) };
  if (s.value.thread) cmd.thread = s.value.thread;
  return cmd;
}
