// `vRun;filename[;argument]...` (GDB manual, "Packets"): each field hex-encoded; an empty
// filename means "the program used last time" (the stub decides).
import { malformed, type MalformedCommand, parseHexText } from './fields.js';

export interface RunCommand {
  kind: 'run';
  /** Empty when the client left the choice to the stub. */
  filename: string;
  args: string[];
}

export function parseRun(packet: string): RunCommand | MalformedCommand {
  if (!packet.startsWith('vRun;')) return malformed(packet, 'expected vRun;filename');
  const fields = packet.slice('vRun;'.length).split(';');
  const decoded: string[] = [];
  for (const f of fields) {
    const t = parseHexText(f, 'vRun argument');
    if (!t.ok) return malformed(packet, t.error);
    decoded.push(t.value);
  }
  return { kind: 'run', filename: decoded[0]!, args: decoded.slice(1) };
}
