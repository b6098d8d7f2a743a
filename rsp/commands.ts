// THE dispatch table: packet prefix -> parser. parseCommand never throws. A packet of a known
// kind that cannot be parsed yields 'malformed' (the stub replies E01 or E.<text>); anything no
// entry claims yields 'unknown' (the stub replies empty, GDB manual "Packets").
//
// Matching is first-hit in table order. Where one prefix begins another, the longer one is
// listed first (commented); exact entries match the whole packet only, so `qCfoo` stays unknown
// instead of becoming a malformed `qC`.
import { latin1 } from './frame-reader.js';
import { type AllocateMemoryCommand, parseAllocateMemory } from './packets/allocate-memory.js';
import { type AttachCommand, parseAttach } from './packets/attach.js';
import { type AttachedCommand, parseAttached } from './packets/attached.js';
import { type CatchSyscallsCommand, parseCatchSyscalls } from './packets/catch-syscalls.js';
import { type ContinueCommand, parseContinue } from './packets/continue.js';
import { type CrcCommand, parseCrc } from './packets/crc.js';
import {
  type DeallocateMemoryCommand,
  parseDeallocateMemory,
} from './packets/deallocate-memory.js';
import { type DetachCommand, parseDetach } from './packets/detach.js';
import {
  type DisableRandomizationCommand,
  parseDisableRandomization,
} from './packets/disable-randomization.js';
import { type EnvironmentSetCommand, parseEnvironmentSet } from './packets/environment-set.js';
import {
  type EnvironmentUnsetCommand,
  parseEnvironmentUnset,
} from './packets/environment-unset.js';
import type { MalformedCommand } from './packets/fields.js';
import { type HostIoCommand, parseHostIo } from './packets/host-io.js';
import {
  type InsertBreakpointCommand,
  parseInsertBreakpoint,
} from './packets/insert-breakpoint.js';
import { type KillProcessCommand, parseKillProcess } from './packets/kill-process.js';
import { type LaunchCommand, parseLaunch } from './packets/launch.js';
import {
  type MemoryRegionInfoCommand,
  parseMemoryRegionInfo,
} from './packets/memory-region-info.js';
import { type MonitorCommand, parseMonitor } from './packets/monitor.js';
import { type NonStopCommand, parseNonStop } from './packets/non-stop.js';
import { type PassSignalsCommand, parsePassSignals } from './packets/pass-signals.js';
import { type ProgramSignalsCommand, parseProgramSignals } from './packets/program-signals.js';
import { type XferCommand, parseXfer } from './packets/qxfer.js';
import { parseReadMemory, type ReadMemoryCommand } from './packets/read-memory.js';
import {
  parseReadMemoryBinary,
  type ReadMemoryBinaryCommand,
} from './packets/read-memory-binary.js';
import { parseReadRegister, type ReadRegisterCommand } from './packets/read-register.js';
import { parseReadRegisters, type ReadRegistersCommand } from './packets/read-registers.js';
import { parseRegisterInfo, type RegisterInfoCommand } from './packets/register-info.js';
import {
  parseRemoveBreakpoint,
  type RemoveBreakpointCommand,
} from './packets/remove-breakpoint.js';
import { parseRestart, type RestartCommand } from './packets/restart.js';
import {
  parseRestoreRegisters,
  type RestoreRegistersCommand,
} from './packets/restore-registers.js';
import { parseRun, type RunCommand } from './packets/run.js';
import { parseSaveRegisters, type SaveRegistersCommand } from './packets/save-registers.js';
import { parseSearchMemory, type SearchMemoryCommand } from './packets/search-memory.js';
import { parseSetStdio, type SetStdioCommand } from './packets/set-stdio.js';
import { parseSetThread, type SetThreadCommand } from './packets/set-thread.js';
import { SIMPLE_PACKETS, type SimpleCommand } from './packets/simple.js';
import {
  parseStartupWithShell,
  type StartupWithShellCommand,
} from './packets/startup-with-shell.js';
import { parseStep, type StepCommand } from './packets/step.js';
import {
  parseSupportedFeatures,
  type SupportedFeaturesCommand,
} from './packets/supported-features.js';
import { parseSymbol, type SymbolCommand } from './packets/symbol.js';
import { parseThreadAlive, type ThreadAliveCommand } from './packets/thread-alive.js';
import { parseThreadEvents, type ThreadEventsCommand } from './packets/thread-events.js';
import { parseThreadExtraInfo, type ThreadExtraInfoCommand } from './packets/thread-extra-info.js';
import { parseThreadStopInfo, type ThreadStopInfoCommand } from './packets/thread-stop-info.js';
import { parseTlsAddress, type TlsAddressCommand } from './packets/tls-address.js';
import {
  parseTraceBufferConfig,
  type TraceBufferConfigCommand,
} from './packets/trace-buffer-config.js';
import { parseTraceBuffer, type TraceBufferCommand } from './packets/trace-buffer.js';
import { parseTraceDefine, type TraceDefineCommand } from './packets/trace-define.js';
import { parseTraceEnable, type TraceEnableCommand } from './packets/trace-enable.js';
import { parseTraceFrame, type TraceFrameCommand } from './packets/trace-frame.js';
import { parseTraceNotes, type TraceNotesCommand } from './packets/trace-notes.js';
import {
  parseTracePointStatus,
  type TracePointStatusCommand,
} from './packets/trace-point-status.js';
import { parseTraceReadonly, type TraceReadonlyCommand } from './packets/trace-readonly.js';
import { parseTraceSource, type TraceSourceCommand } from './packets/trace-source.js';
import { parseTraceVariable, type TraceVariableCommand } from './packets/trace-variable.js';
import {
  parseTraceVariableValue,
  type TraceVariableValueCommand,
} from './packets/trace-variable-value.js';
import type { UnknownCommand } from './packets/unknown.js';
import { parseVCont, type VContCommand } from './packets/vcont.js';
import { parseSetWorkingDir, type SetWorkingDirCommand } from './packets/working-dir.js';
import { parseWriteMemory, type WriteMemoryCommand } from './packets/write-memory.js';
import {
  parseWriteMemoryBinary,
  type WriteMemoryBinaryCommand,
} from './packets/write-memory-binary.js';
import { parseWriteRegister, type WriteRegisterCommand } from './packets/write-register.js';
import { parseWriteRegisters, type WriteRegistersCommand } from './packets/write-registers.js';

export type Command =
  | SimpleCommand
  | ContinueCommand
  | StepCommand
  | DetachCommand
  | ReadRegistersCommand
  | WriteRegistersCommand
  | ReadRegisterCommand
  | WriteRegisterCommand
  | ReadMemoryCommand
  | WriteMemoryCommand
  | ReadMemoryBinaryCommand
  | WriteMemoryBinaryCommand
  | SetThreadCommand
  | ThreadAliveCommand
  | RestartCommand
  | InsertBreakpointCommand
  | RemoveBreakpointCommand
  | VContCommand
  | RunCommand
  | AttachCommand
  | KillProcessCommand
  | HostIoCommand
  | SupportedFeaturesCommand
  | XferCommand
  | AttachedCommand
  | SymbolCommand
  | CrcCommand
  | SearchMemoryCommand
  | ThreadExtraInfoCommand
  | MonitorCommand
  | TlsAddressCommand
  | NonStopCommand
  | PassSignalsCommand
  | ProgramSignalsCommand
  | CatchSyscallsCommand
  | ThreadEventsCommand
  | DisableRandomizationCommand
  | EnvironmentSetCommand
  | EnvironmentUnsetCommand
  | SetWorkingDirCommand
  | SetStdioCommand
  | StartupWithShellCommand
  | RegisterInfoCommand
  | ThreadStopInfoCommand
  | MemoryRegionInfoCommand
  | AllocateMemoryCommand
  | DeallocateMemoryCommand
  | SaveRegistersCommand
  | RestoreRegistersCommand
  | LaunchCommand
  | TraceDefineCommand
  | TraceSourceCommand
  | TraceVariableCommand
  | TraceReadonlyCommand
  | TraceFrameCommand
  | TraceEnableCommand
  | TraceBufferConfigCommand
  | TraceBufferCommand
  | TraceNotesCommand
  | TracePointStatusCommand
  | TraceVariableValueCommand
  | MalformedCommand
  | UnknownCommand;

export type CommandKind = Command['kind'];

type Parser = (packet: string) => Command;

interface Entry {
  prefix: string;
  /** Match the whole packet rather than a prefix. */
  exact?: boolean;
  parse: Parser;
}

const simple: Entry[] = SIMPLE_PACKETS.map(([text, kind]) => ({
  prefix: text,
  exact: true,
  parse: () => ({ kind }) as SimpleCommand,
}));

const TABLE: readonly Entry[] = [
  // Exact packets first. Order matters for `vCont?`, which must be tried before the `vCont`
  // prefix below; `qC` is exact, so `qCRC:` cannot be mistaken for it.
  ...simple,
  // Query packets (q). No prefix here begins another one here.
  { prefix: 'qSupported', parse: parseSupportedFeatures },
  { prefix: 'qXfer:', parse: parseXfer },
  { prefix: 'qAttached', parse: parseAttached },
  { prefix: 'qSymbol:', parse: parseSymbol },
  { prefix: 'qCRC:', parse: parseCrc },
  { prefix: 'qSearch:memory:', parse: parseSearchMemory },
  { prefix: 'qThreadExtraInfo,', parse: parseThreadExtraInfo },
  { prefix: 'qRcmd,', parse: parseMonitor },
  { prefix: 'qGetTLSAddr:', parse: parseTlsAddress },
  { prefix: 'qRegisterInfo', parse: parseRegisterInfo },
  { prefix: 'qThreadStopInfo', parse: parseThreadStopInfo },
  { prefix: 'qMemoryRegionInfo', parse: parseMemoryRegionInfo },
  // Tracepoints ("Tracepoint Packets"); the argument-less ones are in simple.ts.
  { prefix: 'qTP:', parse: parseTracePointStatus },
  { prefix: 'qTV:', parse: parseTraceVariableValue },
  { prefix: 'qTBuffer:', parse: parseTraceBuffer },
  // Set packets (Q).
  { prefix: 'QNonStop:', parse: parseNonStop },
  { prefix: 'QPassSignals:', parse: parsePassSignals },
  { prefix: 'QProgramSignals:', parse: parseProgramSignals },
  { prefix: 'QCatchSyscalls:', parse: parseCatchSyscalls },
  { prefix: 'QThreadEvents:', parse: parseThreadEvents },
  { prefix: 'QDisableRandomization:', parse: parseDisableRandomization },
  { prefix: 'QEnvironmentHexEncoded:', parse: parseEnvironmentSet },
  { prefix: 'QEnvironmentUnset:', parse: parseEnvironmentUnset },
  // LLDB's plain-text form; the `:` keeps it apart from the two above.
  { prefix: 'QEnvironment:', parse: parseEnvironmentSet },
  { prefix: 'QSetDisableASLR:', parse: parseDisableRandomization },
  { prefix: 'QSetSTDIN:', parse: parseSetStdio },
  { prefix: 'QSetSTDOUT:', parse: parseSetStdio },
  { prefix: 'QSetSTDERR:', parse: parseSetStdio },
  { prefix: 'QSetWorkingDir:', parse: parseSetWorkingDir },
  { prefix: 'QStartupWithShell:', parse: parseStartupWithShell },
  { prefix: 'QSaveRegisterState', parse: parseSaveRegisters },
  { prefix: 'QRestoreRegisterState:', parse: parseRestoreRegisters },
  { prefix: 'QTDP:', parse: parseTraceDefine },
  { prefix: 'QTDPsrc:', parse: parseTraceSource },
  { prefix: 'QTDV:', parse: parseTraceVariable },
  { prefix: 'QTro', parse: parseTraceReadonly },
  { prefix: 'QTFrame:', parse: parseTraceFrame },
  { prefix: 'QTEnable:', parse: parseTraceEnable },
  { prefix: 'QTDisable:', parse: parseTraceEnable },
  { prefix: 'QTBuffer:', parse: parseTraceBufferConfig },
  { prefix: 'QTNotes:', parse: parseTraceNotes },
  // v packets; `vCont?` is exact above, so `vCont` here only sees `vCont;...` (and malformed
  // `vContX`, which parseVCont rejects).
  { prefix: 'vCont', parse: parseVCont },
  { prefix: 'vRun', parse: parseRun },
  { prefix: 'vAttach;', parse: parseAttach },
  { prefix: 'vKill;', parse: parseKillProcess },
  { prefix: 'vFile:', parse: parseHostIo },
  // LLDB memory allocation: `_M` and `_m` differ only in case, both match case-sensitively.
  { prefix: '_M', parse: parseAllocateMemory },
  { prefix: '_m', parse: parseDeallocateMemory },
  // Single-letter packets, last: any multi-letter packet starting with the same letter (none
  // today among q/Q/v/j/_, which have no single-letter meaning) must precede them.
  { prefix: 'c', parse: parseContinue },
  { prefix: 'C', parse: parseContinue },
  { prefix: 's', parse: parseStep },
  { prefix: 'S', parse: parseStep },
  { prefix: 'D', parse: parseDetach },
  { prefix: 'g', parse: parseReadRegisters },
  { prefix: 'G', parse: parseWriteRegisters },
  { prefix: 'p', parse: parseReadRegister },
  { prefix: 'P', parse: parseWriteRegister },
  { prefix: 'm', parse: parseReadMemory },
  { prefix: 'M', parse: parseWriteMemory },
  { prefix: 'x', parse: parseReadMemoryBinary },
  { prefix: 'X', parse: parseWriteMemoryBinary },
  { prefix: 'H', parse: parseSetThread },
  { prefix: 'T', parse: parseThreadAlive },
  { prefix: 'R', parse: parseRestart },
  { prefix: 'Z', parse: parseInsertBreakpoint },
  { prefix: 'z', parse: parseRemoveBreakpoint },
  { prefix: 'A', parse: parseLaunch },
];

const NO_ENTRIES: readonly Entry[] = [];

/** The packet prefixes this codec understands, for diagnostics and tests. */
export const KNOWN_PREFIXES: readonly string[] = TABLE.map((e) => e.prefix);

/**
 * TABLE split by the first byte of each prefix, table order kept within a bucket: a packet is
 * only tried against the entries that can match it (a handful, not the whole table).
 */
const BY_FIRST_BYTE: readonly (readonly Entry[])[] = (() => {
  const buckets: Entry[][] = Array.from({ length: 256 }, () => []);
  for (const entry of TABLE) buckets[entry.prefix.charCodeAt(0)]!.push(entry);
  return buckets;
})();

/** `body` is the decoded packet, as FrameReader hands it (one char per byte), or its bytes. */
export function parseCommand(body: string | Uint8Array): Command {
  const packet = typeof body === 'string' ? body : latin1(body, 0, body.length);
  const bucket = BY_FIRST_BYTE[packet.charCodeAt(0)] ?? NO_ENTRIES;
  for (const entry of bucket) {
    if (entry.exact ? packet === entry.prefix : packet.startsWith(entry.prefix)) {
      try {
        return entry.parse(packet);
      } catch (e) {
        // Parsers are written not to throw; this keeps the promise if one ever does.
        return { kind: 'malformed', packet, reason: `parser failure: ${String(e)}` };
      }
    }
  }
  return { kind: 'unknown', packet };
}
