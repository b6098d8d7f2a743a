// `QProgramSignals:signal[;signal]...` (GDB manual, "General Query Packets"): signals that may
// be delivered to the program; others are discarded on resume. An empty list is valid.
import { malformed, type MalformedCommand, parseSignalList, signalListAt } from './fields.js';

export interface ProgramSignalsCommand {
  kind: 'program-signals';
  signals: number[];
}

export function parseProgramSignals(packet: string): ProgramSignalsCommand | MalformedCommand {
  const from = 'QProgramSignals:'.length;
  // The usual list in place (no Result); anything else the general way, with its errors.
  const signals = signalListAt(packet, from);
  if (signals !== undefined) return { kind: 'program-signals', signals };
  const r = parseSignalList(packet, from);
  return r.ok ? { kind: 'program-signals', signals: r.value } : malformed(packet, r.error);
}
