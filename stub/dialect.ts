// What a session tells its client differently by debugger (GDB or LLDB): signal numbering on
// the wire and whether LLDB's own stop keys and replies apply. One object per flavour; the
// session context hands out the one its client announced (qSupported, lldb/client-flavour.ts).
import { gdbSignalFromHost, hostSignalFromGdb } from '../rsp/common/signals.js';
import type { ClientFlavour } from './lldb/client-flavour.js';

export interface Dialect {
  /** LLDB: host signal numbers, LLDB stop keys, `x`, the `k` exit reply (lldbgdbremote.md). */
  readonly lldb: boolean;
  /** A host signal as the client numbers it (stop replies). */
  signalToClient(host: number): number;
  /** A signal number from the client in host numbering; undefined when it names none we know. */
  signalFromClient(wire: number): number | undefined;
  /** A resume signal (C/S/vCont) in host numbering: 0 for none, undefined when unknown. */
  resumeSignal(wire: number | undefined): number | undefined;
  /** A signal set from the client (QPassSignals, QProgramSignals) in host numbers. */
  signalSet(wire: readonly number[]): number[];
}

/** GDB numbers signals its own way (GDB manual, "Signals"). */
const GDB: Dialect = {
  lldb: false,
  signalToClient: gdbSignalFromHost,
  signalFromClient: hostSignalFromGdb,
  resumeSignal: (wire) => (wire === undefined || wire === 0 ? 0 : hostSignalFromGdb(wire)),
  // Each host signal looked up by its own GDB number, as gdbserver indexes `pass_signals` by
  // gdb_signal_from_host: GDB_SIGNAL_POLL, which GDB passes by default, names SIGIO too on
  // Linux, and must not pass SIGIO when GDB_SIGNAL_IO is to stop (`handle SIGIO stop`).
  signalSet(wire) {
    // Host signals 1..32 are bits 0..31 of `lo`, 33..64 of `hi`: no Set per packet (gdb sends
    // QPassSignals around every step over a breakpoint).
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < wire.length; i++) {
      const hosts = HOSTS_OF_GDB[wire[i]!];
      if (hosts === undefined) continue;
      for (let k = 0; k < hosts.length; k++) {
        const s = hosts[k]!;
        if (s <= 32) lo |= 1 << (s - 1);
        else hi |= 1 << (s - 33);
      }
    }
    const host: number[] = [];
    for (let s = 1; s <= 32; s++) if (lo & (1 << (s - 1))) host.push(s);
    for (let s = 33; s <= 64; s++) if (hi & (1 << (s - 33))) host.push(s);
    return host;
  },
};

/**
 * The host signals 1..64 each GDB number names by gdbSignalFromHost (GDB_SIGNAL_POLL names
 * SIGIO too), indexed by GDB number: a host signal is in a set when its own GDB number is.
 */
const HOSTS_OF_GDB: number[][] = [];
for (let s = 1; s <= 64; s++) {
  const g = gdbSignalFromHost(s);
  const hosts = HOSTS_OF_GDB[g];
  if (hosts === undefined) HOSTS_OF_GDB[g] = [s];
  else hosts.push(s);
}

/** LLDB sends and reads Linux numbers, as lldb-server does. */
const LLDB: Dialect = {
  lldb: true,
  signalToClient: (host) => host,
  signalFromClient: (wire) => wire,
  resumeSignal: (wire) => wire ?? 0,
  signalSet: (wire) => wire.filter((s) => s > 0),
};

export function dialectOf(flavour: ClientFlavour | undefined): Dialect {
  return flavour === 'lldb' ? LLDB : GDB;
}
