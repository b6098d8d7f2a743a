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
    const named = new Set(wire);
    const host: number[] = [];
    for (let s = 1; s <= 64; s++) if (named.has(GDB_OF_HOST[s]!)) host.push(s);
    return host;
  },
};

/** gdbSignalFromHost of 0..64, so a signal set costs no call per host signal. */
const GDB_OF_HOST = Array.from({ length: 65 }, (_, s) => gdbSignalFromHost(s));

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
