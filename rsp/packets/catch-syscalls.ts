// `QCatchSyscalls:0` and `QCatchSyscalls:1[;sysno]...` (GDB manual, "General Query Packets").
// With 1 and no numbers every syscall is caught.
import { malformed, type MalformedCommand, parseNumber } from './fields.js';

export type CatchSyscallsCommand =
  | { kind: 'catch-syscalls'; enable: false }
  /** `syscalls` is undefined when every syscall is to be caught. */
  | { kind: 'catch-syscalls'; enable: true; syscalls?: number[] };

export function parseCatchSyscalls(packet: string): CatchSyscallsCommand | MalformedCommand {
  const rest = packet.slice('QCatchSyscalls:'.length);
  if (rest === '0') return { kind: 'catch-syscalls', enable: false };
  if (rest === '1') return { kind: 'catch-syscalls', enable: true };
  if (!rest.startsWith('1;')) return malformed(packet, 'expected 0, 1 or 1;sysno...');
  const syscalls: number[] = [];
  for (const item of rest.slice(2).split(';')) {
    const n = parseNumber(item, 'syscall number');
    if (!n.ok) return malformed(packet, n.error);
    syscalls.push(n.value);
  }
  return { kind: 'catch-syscalls', enable: true, syscalls };
}
