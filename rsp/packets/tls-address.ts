// `qGetTLSAddr:thread-id,offset,lm` (GDB manual, "General Query Packets"): address of a
// thread-local variable at offset in the module whose link_map is at lm.
import type { ThreadId } from '../common/thread-id.js';
import { malformed, type MalformedCommand, parseAddress, parseThread } from './fields.js';

export interface TlsAddressCommand {
  kind: 'tls-address';
  thread: ThreadId;
  offset: bigint;
  linkMap: bigint;
}

export function parseTlsAddress(packet: string): TlsAddressCommand | MalformedCommand {
  const parts = packet.slice('qGetTLSAddr:'.length).split(',');
  if (parts.length !== 3) return malformed(packet, 'expected thread-id,offset,lm');
  const thread = parseThread(parts[0]!);
  if (!thread.ok) return malformed(packet, thread.error);
  const offset = parseAddress(parts[1]!, 'offset');
  if (!offset.ok) return malformed(packet, offset.error);
  const lm = parseAddress(parts[2]!, 'link map address');
  if (!lm.ok) return malformed(packet, lm.error);
  return { kind: 'tls-address', thread: thread.value, offset: offset.value, linkMap: lm.value };
}
