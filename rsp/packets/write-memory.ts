// `M addr,length:XX...` (GDB manual, "Packets"): hex data whose byte count must equal length.
import type { ThreadId } from '../common/thread-id.js';
import {
  malformed,
  type MalformedCommand,
  parseAddrLength,
  parseBytes,
  splitThreadSuffix,
} from './fields.js';

export interface WriteMemoryCommand {
  kind: 'write-memory';
  addr: bigint;
  data: Buffer;
  thread?: ThreadId;
}

export function parseWriteMemory(packet: string): WriteMemoryCommand | MalformedCommand {
  const s = splitThreadSuffix(packet);
  if (!s.ok) return malformed(packet, s.error);
  const body = s.value.rest.slice(1);
  const colon = body.indexOf(':');
  if (colon < 0) return malformed(packet, 'expected addr,length:data');
  const r = parseAddrLength(body.slice(0, colon));
  if (!r.ok) return malformed(packet, r.error);
  const data = parseBytes(body.slice(colon + 1), 'memory data');
  if (!data.ok) return malformed(packet, data.error);
  if (data.value.length !== r.value.length) {
    return malformed(packet, `length ${r.value.length} but ${data.value.length} bytes of data`);
  }
  const cmd: WriteMemoryCommand = { kind: 'write-memory', addr: r.value.addr, data: data.value };
  if (s.value.thread) cmd.thread = s.value.thread;
  return cmd;
}
