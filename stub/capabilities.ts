// The one place that answers "can the stub do X?": qSupported features derived from which
// capability groups the target offers and what the client offered (GDB manual, "General Query
// Packets", qSupported). Features GDB must offer first (multiprocess, swbreak, hwbreak) are only
// echoed back when it did.
import type { ClientFeatures } from './context.js';
import type { Target } from './target.js';

/** Largest packet body we accept and the largest reply we build (sent in hex). */
export const PACKET_SIZE = 0x4000;

/** Parses the client's qSupported features (`name+`, `name-`, `name=value`). */
export function parseClientFeatures(list: string[]): ClientFeatures {
  const has = (name: string) => list.includes(`${name}+`);
  return {
    multiprocess: has('multiprocess'),
    swbreak: has('swbreak'),
    hwbreak: has('hwbreak'),
    xmlRegisters: list.some((f) => f.startsWith('xmlRegisters=')),
  };
}

export function supportedFeatures(target: Target | undefined, client: ClientFeatures): string[] {
  const f = [`PacketSize=${PACKET_SIZE.toString(16)}`, 'QStartNoAckMode+', 'qXfer:features:read+', 'vContSupported+'];
  if (client.multiprocess) f.push('multiprocess+');
  f.push('qXfer:threads:read+');
  if (!target) return f;
  if (target.breakpoints && client.swbreak) f.push('swbreak+');
  if ((target.breakpoints?.setHwBreakpoint || target.watchpoints) && client.hwbreak) f.push('hwbreak+');
  if (target.signals) {
    f.push('QPassSignals+', 'QProgramSignals+', 'qXfer:siginfo:read+');
    if (target.signals.writeSiginfo) f.push('qXfer:siginfo:write+');
  }
  if (target.processInfo) f.push('qXfer:auxv:read+', 'qXfer:exec-file:read+', 'qXfer:libraries-svr4:read+');
  if (target.syscalls) f.push('QCatchSyscalls+');
  return f;
}
