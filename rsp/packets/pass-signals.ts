// `QPassSignals:signal[;signal]...` (GDB manual, "General Query Packets"): signals the stub may
// deliver without stopping. Each packet replaces the previous list; an empty list is valid.
import { malformed, type MalformedCommand, parseSignalList } from './fields.js';

export interface PassSignalsCommand {
  kind: 'pass-signals';
  signals: number[];
}

export function parsePassSignals(packet: string): PassSignalsCommand | MalformedCommand {
  const r = parseSignalList(packet.slice('QPassSignals:'.length));
  return r.ok ? { kind: 'pass-signals', signals: r.value } : malformed(packet, r.error);
}
