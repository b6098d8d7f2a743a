// `QPassSignals:signal[;signal]...` (GDB manual, "General Query Packets"): signals the stub may
// deliver without stopping. Each packet replaces the previous list; an empty list is valid.
import { malformed, type MalformedCommand, parseSignalList, signalListAt } from './fields.js';

export interface PassSignalsCommand {
  kind: 'pass-signals';
  signals: number[];
}

export function parsePassSignals(packet: string): PassSignalsCommand | MalformedCommand {
  const from = 'QPassSignals:'.length;
  // The usual list in place (no Result); anything else the general way, with its errors.
  const signals = signalListAt(packet, from);
  if (signals !== undefined) return { kind: 'pass-signals', signals };
  const r = parseSignalList(packet, from);
  return r.ok ? { kind: 'pass-signals', signals: r.value } : malformed(packet, r.error);
}
