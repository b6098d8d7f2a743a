// `QEnvironmentHexEncoded:hex-value` (GDB manual, "General Query Packets"): hex of
// `VARIABLE=VALUE` for processes started later. The value may be empty; the name may not.
// LLDB sends the same as plain text, `QEnvironment:VARIABLE=VALUE`, whenever the text has no
// packet syntax characters (GDBRemoteCommunicationClient::SendEnvironmentPacket).
import { malformed, type MalformedCommand, parseHexText } from './fields.js';

export interface EnvironmentSetCommand {
  kind: 'environment-set';
  name: string;
  value: string;
}

export function parseEnvironmentSet(packet: string): EnvironmentSetCommand | MalformedCommand {
  let text: string;
  if (packet.startsWith('QEnvironment:')) {
    text = packet.slice('QEnvironment:'.length);
  } else {
    const decoded = parseHexText(
      packet.slice('QEnvironmentHexEncoded:'.length),
      'environment entry',
    );
    if (!decoded.ok) return malformed(packet, decoded.error);
    text = decoded.value;
  }
  const eq = text.indexOf('=');
  if (eq <= 0) return malformed(packet, 'expected VARIABLE=VALUE');
  return { kind: 'environment-set', name: text.slice(0, eq), value: text.slice(eq + 1) };
}
