// `A arglen,argnum,arg,...` (GDB manual, "Packets"; used by LLDB): set argv for a launch. As
// LLDB writes and reads it (GDBRemoteCommunicationServerCommon::Handle_A), arglen and argnum are
// decimal and arglen counts the hex digits of arg.
import { malformed, type MalformedCommand, parseHexText } from './fields.js';

export interface LaunchCommand {
  kind: 'launch';
  /** argv in argnum order; argv[0] is the program. */
  args: string[];
}

export function parseLaunch(packet: string): LaunchCommand | MalformedCommand {
  const text = packet.slice(1);
  const args: string[] = [];
  let pos = 0;
  while (pos < text.length) {
    const m = /^([0-9]+),([0-9]+),/.exec(text.slice(pos, pos + 40));
    if (!m) return malformed(packet, 'expected arglen,argnum,arg');
    const len = Number(m[1]);
    const index = Number(m[2]);
    pos += m[0].length;
    if (pos + len > text.length) return malformed(packet, 'argument shorter than its length');
    const arg = parseHexText(text.slice(pos, pos + len), 'argument');
    if (!arg.ok) return malformed(packet, arg.error);
    if (index !== args.length) return malformed(packet, `argument ${index} out of order`);
    args.push(arg.value);
    pos += len;
    if (pos < text.length) {
      if (text[pos] !== ',') return malformed(packet, 'expected , between arguments');
      pos++;
      if (pos === text.length) return malformed(packet, 'trailing ,');
    }
  }
  if (args.length === 0) return malformed(packet, 'no arguments');
  return { kind: 'launch', args };
}
