// `QStartupWithShell:0|1` (GDB manual, "General Query Packets"): start inferiors via a shell.
import { malformed, type MalformedCommand, parseFlagPacket } from './fields.js';

export interface StartupWithShellCommand {
  kind: 'startup-with-shell';
  enable: boolean;
}

export function parseStartupWithShell(packet: string): StartupWithShellCommand | MalformedCommand {
  const r = parseFlagPacket(packet, 'QStartupWithShell:');
  return r.ok ? { kind: 'startup-with-shell', enable: r.value } : malformed(packet, r.error);
}
