// `QTNotes:[type:text;]*` (GDB manual, "Tracepoint Packets"): `user:`, `notes:` and `tstop:`
// texts, hex-encoded, each ended by `;`.
import { malformed, type MalformedCommand } from './fields.js';
import { hexBytesOf, Scanner } from './trace-fields.js';

export interface TraceNotesCommand {
  kind: 'trace-notes';
  user?: string;
  notes?: string;
  stopNote?: string;
}

export function parseTraceNotes(packet: string): TraceNotesCommand | MalformedCommand {
  const s = new Scanner(packet, 'QTNotes:'.length);
  const cmd: TraceNotesCommand = { kind: 'trace-notes' };
  while (!s.done) {
    const type = s.until(':');
    const text = hexBytesOf(s.until(';'), type);
    if (!text.ok) return malformed(packet, text.error);
    const value = text.value.toString('utf8');
    if (type === 'user') cmd.user = value;
    else if (type === 'notes') cmd.notes = value;
    else if (type === 'tstop') cmd.stopNote = value;
    else return malformed(packet, `unknown note "${type}"`);
  }
  return cmd;
}
