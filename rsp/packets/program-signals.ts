// `QProgramSignals:signal[;signal]...` (GDB manual, "General Query Packets"): signals that may
// be delivered to the program; others are discarded on resume. An empty list is valid.
import { malformed, type MalformedCommand, parseSignalList } from './fields.js';

export interface ProgramSignalsCommand {
  kind: 'program-signals';
  signals: number[];
}

export function parseProgramSignals(packet: string): ProgramSignalsCommand | MalformedCommand {
  const r = parseSignalList(packet.slice('QProgramSignals:'.length));
  return r.ok ? { kind: 'program-signals', signals: r.value } : malformed(packet, r.error);
}
