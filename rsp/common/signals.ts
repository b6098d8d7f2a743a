// GDB's target-independent signal numbers (gdb's include/gdb/signals.def, enum gdb_signal) and
// their mapping to Linux x86-64 host numbers (gdb/common signals.c gdb_signal_from_host /
// gdb_signal_to_host). Stop replies carry GDB numbers (GDB manual, "Stop Reply Packets"), and so
// do `C`, `S`, `vCont;C`, `QPassSignals` and `QProgramSignals`.

/** The named GDB signals we map; realtime signals are computed, see below. */
export const GdbSignal = {
  NONE: 0,
  HUP: 1,
  INT: 2,
  QUIT: 3,
  ILL: 4,
  TRAP: 5,
  ABRT: 6,
  EMT: 7,
  FPE: 8,
  KILL: 9,
  BUS: 10,
  SEGV: 11,
  SYS: 12,
  PIPE: 13,
  ALRM: 14,
  TERM: 15,
  URG: 16,
  STOP: 17,
  TSTP: 18,
  CONT: 19,
  CHLD: 20,
  TTIN: 21,
  TTOU: 22,
  IO: 23,
  XCPU: 24,
  XFSZ: 25,
  VTALRM: 26,
  PROF: 27,
  WINCH: 28,
  LOST: 29,
  USR1: 30,
  USR2: 31,
  PWR: 32,
  POLL: 33,
  /** GDB_SIGNAL_REALTIME_33; 34..63 follow contiguously up to 75. */
  REALTIME_33: 45,
  REALTIME_63: 75,
  CANCEL: 76,
  REALTIME_32: 77,
  /** GDB_SIGNAL_REALTIME_64; 65..127 follow contiguously up to 141. */
  REALTIME_64: 78,
  REALTIME_127: 141,
  INFO: 142,
  UNKNOWN: 143,
  DEFAULT: 144,
} as const;

/** Linux x86-64 host signal numbers (asm/signal.h). */
export const LinuxSignal = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGILL: 4,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGBUS: 7,
  SIGFPE: 8,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGSEGV: 11,
  SIGUSR2: 12,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
  SIGSTKFLT: 16,
  SIGCHLD: 17,
  SIGCONT: 18,
  SIGSTOP: 19,
  SIGTSTP: 20,
  SIGTTIN: 21,
  SIGTTOU: 22,
  SIGURG: 23,
  SIGXCPU: 24,
  SIGXFSZ: 25,
  SIGVTALRM: 26,
  SIGPROF: 27,
  SIGWINCH: 28,
  /** Also SIGPOLL on Linux. */
  SIGIO: 29,
  SIGPWR: 30,
  SIGSYS: 31,
  /** The kernel's first realtime signal; glibc reserves 32 and 33 and starts SIGRTMIN at 34. */
  SIGRTMIN_KERNEL: 32,
  SIGRTMAX: 64,
} as const;

// Host -> GDB for the classic signals. SIGSTKFLT has no GDB counterpart (GDB_SIGNAL_UNKNOWN).
const HOST_TO_GDB: ReadonlyMap<number, number> = new Map([
  [0, GdbSignal.NONE],
  [LinuxSignal.SIGHUP, GdbSignal.HUP],
  [LinuxSignal.SIGINT, GdbSignal.INT],
  [LinuxSignal.SIGQUIT, GdbSignal.QUIT],
  [LinuxSignal.SIGILL, GdbSignal.ILL],
  [LinuxSignal.SIGTRAP, GdbSignal.TRAP],
  [LinuxSignal.SIGABRT, GdbSignal.ABRT],
  [LinuxSignal.SIGBUS, GdbSignal.BUS],
  [LinuxSignal.SIGFPE, GdbSignal.FPE],
  [LinuxSignal.SIGKILL, GdbSignal.KILL],
  [LinuxSignal.SIGUSR1, GdbSignal.USR1],
  [LinuxSignal.SIGSEGV, GdbSignal.SEGV],
  [LinuxSignal.SIGUSR2, GdbSignal.USR2],
  [LinuxSignal.SIGPIPE, GdbSignal.PIPE],
  [LinuxSignal.SIGALRM, GdbSignal.ALRM],
  [LinuxSignal.SIGTERM, GdbSignal.TERM],
  [LinuxSignal.SIGCHLD, GdbSignal.CHLD],
  [LinuxSignal.SIGCONT, GdbSignal.CONT],
  [LinuxSignal.SIGSTOP, GdbSignal.STOP],
  [LinuxSignal.SIGTSTP, GdbSignal.TSTP],
  [LinuxSignal.SIGTTIN, GdbSignal.TTIN],
  [LinuxSignal.SIGTTOU, GdbSignal.TTOU],
  [LinuxSignal.SIGURG, GdbSignal.URG],
  [LinuxSignal.SIGXCPU, GdbSignal.XCPU],
  [LinuxSignal.SIGXFSZ, GdbSignal.XFSZ],
  [LinuxSignal.SIGVTALRM, GdbSignal.VTALRM],
  [LinuxSignal.SIGPROF, GdbSignal.PROF],
  [LinuxSignal.SIGWINCH, GdbSignal.WINCH],
  // signals.c tests SIGIO before SIGPOLL, and on Linux they are the same number.
  [LinuxSignal.SIGIO, GdbSignal.IO],
  [LinuxSignal.SIGPWR, GdbSignal.PWR],
  [LinuxSignal.SIGSYS, GdbSignal.SYS],
]);

const GDB_TO_HOST: ReadonlyMap<number, number> = new Map([
  ...[...HOST_TO_GDB].map(([host, gdb]): [number, number] => [gdb, host]),
  // GDB_SIGNAL_POLL has no number of its own on Linux: it is SIGIO.
  [GdbSignal.POLL, LinuxSignal.SIGIO],
]);

/** A Linux x86-64 signal number as GDB's number; GDB_SIGNAL_UNKNOWN (143) if it has none. */
export function gdbSignalFromHost(host: number): number {
  const known = HOST_TO_GDB.get(host);
  if (known !== undefined) return known;
  // Realtime signals, exactly as gdb_signal_from_host orders its blocks.
  if (host === 32) return GdbSignal.REALTIME_32;
  if (host >= 33 && host <= 63) return host - 33 + GdbSignal.REALTIME_33;
  if (host === 64) return GdbSignal.REALTIME_64;
  return GdbSignal.UNKNOWN;
}

/** A GDB signal number as the Linux x86-64 number, or undefined if Linux has no such signal. */
export function hostSignalFromGdb(gdb: number): number | undefined {
  const known = GDB_TO_HOST.get(gdb);
  if (known !== undefined) return known;
  if (gdb === GdbSignal.REALTIME_32) return 32;
  if (gdb >= GdbSignal.REALTIME_33 && gdb <= GdbSignal.REALTIME_63) {
    return gdb - GdbSignal.REALTIME_33 + 33;
  }
  if (gdb === GdbSignal.REALTIME_64) return 64;
  return undefined;
}
