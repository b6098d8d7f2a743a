// `c [addr]` and `C sig[;addr]` (GDB manual, "Packets"): resume, optionally at addr, optionally
// delivering a signal (GDB numbering).
import { malformed, type MalformedCommand, parseAddress, parseNumber } from './fields.js';

export interface ContinueCommand {
  kind: 'continue';
  addr?: bigint;
  /** Present for `C`: the GDB signal number to deliver. */
  signal?: number;
}

export function parseContinue(packet: string): ContinueCommand | MalformedCommand {
  return parseResume(packet, 'continue') as ContinueCommand | MalformedCommand;
}

/** Shared with step.ts: `c`/`s` take `[addr]`, `C`/`S` take `sig[;addr]`. */
export function parseResume<K extends 'continue' | 'step'>(
  packet: string,
  kind: K,
): { kind: K; addr?: bigint; signal?: number } | MalformedCommand {
  const withSignal = packet[0] === 'C' || packet[0] === 'S';
  const rest = packet.slice(1);
  if (!withSignal) {
    if (rest === '') return { kind };
    const addr = parseAddress(rest);
    return addr.ok ? { kind, addr: addr.value } : malformed(packet, addr.error);
  }
  const semi = rest.indexOf(';');
  const sigText = semi < 0 ? rest : rest.slice(0, semi);
  const signal = parseNumber(sigText, 'signal');
  if (!signal.ok || signal.value > 0xff) return malformed(packet, 'bad signal number');
  if (semi < 0) return { kind, signal: signal.value };
  const addr = parseAddress(rest.slice(semi + 1));
  return addr.ok ? { kind, signal: signal.value, addr: addr.value } : malformed(packet, addr.error);
}
