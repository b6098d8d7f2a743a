import test from 'ava';
import {
  GdbSignal,
  gdbSignalFromHost,
  hostSignalFromGdb,
  LinuxSignal,
} from '../../../rsp/index.js';

// Values from gdb's include/gdb/signals.def and Linux x86-64 asm/signal.h.
const PAIRS: Array<[host: number, gdb: number]> = [
  [0, 0],
  [1, 1], // HUP
  [2, 2], // INT
  [3, 3], // QUIT
  [4, 4], // ILL
  [5, 5], // TRAP
  [6, 6], // ABRT
  [7, 10], // BUS
  [8, 8], // FPE
  [9, 9], // KILL
  [10, 30], // USR1
  [11, 11], // SEGV
  [12, 31], // USR2
  [13, 13], // PIPE
  [14, 14], // ALRM
  [15, 15], // TERM
  [17, 20], // CHLD
  [18, 19], // CONT
  [19, 17], // STOP
  [20, 18], // TSTP
  [21, 21], // TTIN
  [22, 22], // TTOU
  [23, 16], // URG
  [24, 24], // XCPU
  [25, 25], // XFSZ
  [26, 26], // VTALRM
  [27, 27], // PROF
  [28, 28], // WINCH
  [29, 23], // IO (= POLL on Linux)
  [30, 32], // PWR
  [31, 12], // SYS
  [32, 77], // REALTIME_32
  [33, 45], // REALTIME_33
  [34, 46], // glibc SIGRTMIN
  [63, 75], // REALTIME_63
  [64, 78], // REALTIME_64
];

test('host to GDB for every Linux signal', (t) => {
  for (const [host, gdb] of PAIRS) t.is(gdbSignalFromHost(host), gdb, `host ${host}`);
});

test('GDB to host for every Linux signal', (t) => {
  for (const [host, gdb] of PAIRS) t.is(hostSignalFromGdb(gdb), host, `gdb ${gdb}`);
});

test('signals without a counterpart', (t) => {
  t.is(gdbSignalFromHost(LinuxSignal.SIGSTKFLT), GdbSignal.UNKNOWN);
  t.is(gdbSignalFromHost(65), GdbSignal.UNKNOWN);
  t.is(gdbSignalFromHost(-1), GdbSignal.UNKNOWN);
  t.is(hostSignalFromGdb(GdbSignal.EMT), undefined);
  t.is(hostSignalFromGdb(GdbSignal.LOST), undefined);
  t.is(hostSignalFromGdb(GdbSignal.REALTIME_64 + 1), undefined);
  t.is(hostSignalFromGdb(GdbSignal.UNKNOWN), undefined);
  // GDB_SIGNAL_POLL maps to SIGIO, since Linux has one number for both.
  t.is(hostSignalFromGdb(GdbSignal.POLL), LinuxSignal.SIGIO);
});

test('named constants agree with signals.def', (t) => {
  t.is(GdbSignal.TRAP, 5);
  t.is(GdbSignal.REALTIME_127, 141);
  t.is(GdbSignal.INFO, 142);
  t.is(GdbSignal.UNKNOWN, 143);
});

test('every host signal 1..64 except SIGSTKFLT round-trips', (t) => {
  for (let host = 1; host <= 64; host++) {
    if (host === LinuxSignal.SIGSTKFLT) continue;
    t.is(hostSignalFromGdb(gdbSignalFromHost(host)), host, `host ${host}`);
  }
});
