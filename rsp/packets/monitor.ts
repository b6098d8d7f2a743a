// `qRcmd,command` (GDB manual, "General Query Packets"): a `monitor` command, hex-encoded.
import { malformed, type MalformedCommand, parseHexText } from './fields.js';

export interface MonitorCommand {
  kind: 'monitor';
  command: string;
}

export function parseMonitor(packet: string): MonitorCommand | MalformedCommand {
  const text = parseHexText(packet.slice('qRcmd,'.length), 'monitor command');
  return text.ok ? { kind: 'monitor', command: text.value } : malformed(packet, text.error);
}
