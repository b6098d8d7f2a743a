// `qRegisterInfo<hex regnum>` (lldbgdbremote.md, "qRegisterInfo<hex-reg-id>").
import { malformed, type MalformedCommand, parseNumber } from './fields.js';

export interface RegisterInfoCommand {
  kind: 'register-info';
  regnum: number;
}

export function parseRegisterInfo(packet: string): RegisterInfoCommand | MalformedCommand {
  const n = parseNumber(packet.slice('qRegisterInfo'.length), 'register number');
  return n.ok ? { kind: 'register-info', regnum: n.value } : malformed(packet, n.error);
}
