// `QSaveRegisterState[;thread:<tid>;]` (lldbgdbremote.md): save all registers, reply a save id.
import type { ThreadId } from '../common/thread-id.js';
import { malformed, type MalformedCommand, splitThreadSuffix } from './fields.js';

export interface SaveRegistersCommand {
  kind: 'save-registers';
  thread?: ThreadId;
}

export function parseSaveRegisters(packet: string): SaveRegistersCommand | MalformedCommand {
  const s = splitThreadSuffix(packet);
  if (!s.ok) return malformed(packet, s.error);
  if (s.value.rest !== 'QSaveRegisterState') return malformed(packet, 'unexpected data');
  return s.value.thread
    ? { kind: 'save-registers', thread: s.value.thread }
    : { kind: 'save-registers' };
}
