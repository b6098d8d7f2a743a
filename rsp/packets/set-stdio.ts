// LLDB's `QSetSTDIN:<hex path>`, `QSetSTDOUT:` and `QSetSTDERR:` (lldbgdbremote.md): where the
// standard streams of the next launched process go.
import { malformed, type MalformedCommand, parseHexText } from './fields.js';

export interface SetStdioCommand {
  kind: 'set-stdio';
  stream: 'stdin' | 'stdout' | 'stderr';
  path: string;
}

export function parseSetStdio(packet: string): SetStdioCommand | MalformedCommand {
  const colon = packet.indexOf(':');
  const name = packet.slice('QSet'.length, colon);
  const stream =
    name === 'STDIN'
      ? 'stdin'
      : name === 'STDOUT'
        ? 'stdout'
        : name === 'STDERR'
          ? 'stderr'
          : undefined;
  if (!stream || colon < 0) return malformed(packet, 'expected QSetSTDIN/STDOUT/STDERR:path');
  const path = parseHexText(packet.slice(colon + 1), 'path');
  if (!path.ok) return malformed(packet, path.error);
  if (path.value === '') return malformed(packet, 'empty path');
  return { kind: 'set-stdio', stream, path: path.value };
}
