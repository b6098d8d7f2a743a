// `G XX...` (GDB manual, "Packets"): all registers in `g` layout, with LLDB's thread suffix.
import type { ThreadId } from '../common/thread-id.js';
import { malformed, type MalformedCommand, parseBytes, splitThreadSuffix } from './fields.js';

export interface WriteRegistersCommand {
  kind: 'write-registers';
  data: Buffer;
  thread?: ThreadId;
}

export function parseWriteRegisters(packet: string): WriteRegistersCommand | MalformedCommand {
  const s = splitThreadSuffix(packet);
  if (!s.ok) return malformed(packet, s.error);
  const data = parseBytes(s.value.rest.slice(1), 'register data');
  if (!data.ok) return malformed(packet, data.error);
  if (data.value.length === 0) return malformed(packet, 'no register data');
  const cmd: WriteRegistersCommand = { kind: 'write-registers', data: data.value };
  if (s.value.thread) cmd.thread = s.value.thread;
  return cmd;
}
