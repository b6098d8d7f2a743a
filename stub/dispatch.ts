// THE dispatch table: command kind -> handler. Every kind rsp/commands.ts can parse has an
// entry (the compiler checks it), so a packet is served, refused with a reason, or answered
// empty on purpose; nothing falls through. Each handler lives in stub/handlers/ in the file
// named like its parser in rsp/packets/ (or its family's, for the argument-less packets of
// rsp/packets/simple.ts).
import type { Command } from '../rsp/commands.js';
import type { HandlerResult } from './context.js';
import { hostIo } from './handlers/host-io.js';
import { catchSyscalls } from './handlers/catch-syscalls.js';
import { detachHandler } from './handlers/detach.js';
import type { Handler, Handlers } from './handlers/handler.js';
import { insertBreakpoint, removeBreakpoint } from './handlers/insert-breakpoint.js';
import { killHandler, killProcess } from './handlers/kill-process.js';
import {
  disableRandomization,
  environmentReset,
  environmentSet,
  environmentUnset,
  setStdio,
  setWorkingDir,
  startupWithShell,
} from './handlers/environment-set.js';
import { allocateMemoryHandler } from './handlers/allocate-memory.js';
import { deallocateMemoryHandler } from './handlers/deallocate-memory.js';
import { memoryRegionInfoHandler } from './handlers/memory-region-info.js';
import { registerInfoHandler } from './handlers/register-info.js';
import { threadStopInfo } from './handlers/thread-stop-info.js';
import { monitorHandler } from './handlers/monitor.js';
import { interruptHandler, nextStopNotification, nonStopHandler } from './handlers/non-stop.js';
import { passSignals, programSignals } from './handlers/pass-signals.js';
import { queryStopReason } from './handlers/query-stop-reason.js';
import { xferReadHandler, xferWriteHandler } from './handlers/qxfer.js';
import {
  crcHandler,
  readMemoryBinaryHandler,
  readMemoryHandler,
  searchMemoryHandler,
  writeMemoryBinary,
  writeMemoryHandler,
} from './handlers/read-memory.js';
import {
  readRegister,
  readRegisters,
  restoreRegisters,
  saveRegisters,
  writeRegister,
  writeRegisters,
} from './handlers/read-registers.js';
import {
  attachHandler,
  launchHandler,
  launchSuccessHandler,
  restartHandler,
  runHandler,
} from './handlers/run.js';
import {
  enableErrorStrings,
  enableExtendedMode,
  enableThreadSuffix,
  enableThreadsInStopReply,
  hostInfoHandler,
  malformedPacket,
  mustReplyEmpty,
  processInfoHandler,
  sectionOffsets,
  serverVersionHandler,
  shlibInfoAddrHandler,
  startNoAckMode,
  threadsInfoHandler,
  unknownPacket,
} from './handlers/simple.js';
import { supportedFeaturesHandler } from './handlers/supported-features.js';
import { symbolLookupReady, symbolValue, tlsAddressHandler } from './handlers/symbol.js';
import { threadEventsHandler } from './handlers/thread-events.js';
import {
  attached,
  currentThreadHandler,
  setThread,
  threadAlive,
  threadExtraInfo,
  threadListFirst,
  threadListNext,
} from './handlers/set-thread.js';
import { traceBufferConfig } from './handlers/trace-buffer-config.js';
import { traceBuffer } from './handlers/trace-buffer.js';
import {
  traceDefine,
  traceInit,
  traceMinFtpiLen,
  tracePointsFirst,
  tracePointsNext,
} from './handlers/trace-define.js';
import { traceEnable, traceStart, traceStop } from './handlers/trace-enable.js';
import { frameAware, inFrameRefused, traceFrame } from './handlers/trace-frame.js';
import { traceNotes } from './handlers/trace-notes.js';
import { tracePointStatus, traceStatus } from './handlers/trace-point-status.js';
import { traceReadonly } from './handlers/trace-readonly.js';
import { traceSource } from './handlers/trace-source.js';
import {
  traceVariable,
  traceVariablesFirst,
  traceVariablesNext,
  traceVariableValue,
} from './handlers/trace-variable.js';
import { continueHandler, stepHandler, vcontHandler, vcontQuery } from './handlers/vcont.js';
import type { SessionCore } from './session-core.js';

export const HANDLERS: Handlers = {
  // The connection (simple.ts, supported-features.ts, monitor.ts)
  'supported-features': supportedFeaturesHandler,
  'start-no-ack-mode': startNoAckMode,
  'enable-extended-mode': enableExtendedMode,
  'must-reply-empty': mustReplyEmpty,
  'section-offsets': sectionOffsets,
  'enable-error-strings': enableErrorStrings,
  monitor: monitorHandler,
  unknown: unknownPacket,
  malformed: malformedPacket,
  // Modes (non-stop.ts, thread-events.ts)
  'non-stop': nonStopHandler,
  'next-stop-notification': nextStopNotification,
  interrupt: interruptHandler,
  'thread-events': threadEventsHandler,
  // Stops and resuming (query-stop-reason.ts, vcont.ts)
  'query-stop-reason': queryStopReason,
  continue: continueHandler,
  step: stepHandler,
  vcont: vcontHandler,
  'vcont-query': vcontQuery,
  // Processes (run.ts, detach.ts, kill-process.ts)
  run: runHandler,
  attach: attachHandler,
  restart: restartHandler,
  launch: launchHandler,
  'launch-success': launchSuccessHandler,
  detach: detachHandler,
  kill: killHandler,
  'kill-process': killProcess,
  // Settings for vRun (environment-set.ts)
  'disable-randomization': disableRandomization,
  'environment-set': environmentSet,
  'environment-unset': environmentUnset,
  'environment-reset': environmentReset,
  'set-working-dir': setWorkingDir,
  'startup-with-shell': startupWithShell,
  'set-stdio': setStdio,
  // Threads (set-thread.ts)
  'set-thread': setThread,
  'thread-alive': threadAlive,
  'current-thread': currentThreadHandler,
  'thread-list-first': threadListFirst,
  'thread-list-next': threadListNext,
  'thread-extra-info': threadExtraInfo,
  attached,
  // Registers (read-registers.ts); a selected trace frame answers instead (trace-frame.ts)
  'read-registers': frameAware(readRegisters),
  'write-registers': inFrameRefused(writeRegisters),
  'read-register': frameAware(readRegister),
  'write-register': inFrameRefused(writeRegister),
  'save-registers': saveRegisters,
  'restore-registers': restoreRegisters,
  // Memory (read-memory.ts); a selected trace frame answers instead (trace-frame.ts)
  'read-memory': frameAware(readMemoryHandler),
  'write-memory': inFrameRefused(writeMemoryHandler),
  'read-memory-binary': frameAware(readMemoryBinaryHandler),
  'write-memory-binary': inFrameRefused(writeMemoryBinary),
  'search-memory': searchMemoryHandler,
  crc: crcHandler,
  // Breakpoints (insert-breakpoint.ts)
  'insert-breakpoint': insertBreakpoint,
  'remove-breakpoint': removeBreakpoint,
  // Signals and syscalls (pass-signals.ts, catch-syscalls.ts)
  'pass-signals': passSignals,
  'program-signals': programSignals,
  'catch-syscalls': catchSyscalls,
  // Documents, symbols, TLS (qxfer.ts, symbol.ts)
  'xfer-read': xferReadHandler,
  'xfer-write': xferWriteHandler,
  'symbol-lookup-ready': symbolLookupReady,
  'symbol-value': symbolValue,
  'tls-address': tlsAddressHandler,
  // LLDB (simple.ts; register-info, memory-region-info, thread-stop-info, allocate-memory,
  // deallocate-memory)
  'host-info': hostInfoHandler,
  'server-version': serverVersionHandler,
  'process-info': processInfoHandler,
  'shlib-info-addr': shlibInfoAddrHandler,
  'enable-thread-suffix': enableThreadSuffix,
  'enable-threads-in-stop-reply': enableThreadsInStopReply,
  'threads-info': threadsInfoHandler,
  'register-info': registerInfoHandler,
  'memory-region-info': memoryRegionInfoHandler,
  'thread-stop-info': threadStopInfo,
  'allocate-memory': allocateMemoryHandler,
  'deallocate-memory': deallocateMemoryHandler,
  // Tracepoints (trace-*.ts)
  'trace-init': traceInit,
  'trace-start': traceStart,
  'trace-stop': traceStop,
  'trace-status': traceStatus,
  'trace-points-first': tracePointsFirst,
  'trace-points-next': tracePointsNext,
  'trace-variables-first': traceVariablesFirst,
  'trace-variables-next': traceVariablesNext,
  'trace-min-ftpi-len': traceMinFtpiLen,
  'trace-define': traceDefine,
  'trace-source': traceSource,
  'trace-variable': traceVariable,
  'trace-variable-value': traceVariableValue,
  'trace-readonly': traceReadonly,
  'trace-frame': traceFrame,
  'trace-enable': traceEnable,
  'trace-buffer-config': traceBufferConfig,
  'trace-buffer': traceBuffer,
  'trace-notes': traceNotes,
  'trace-point-status': tracePointStatus,
  // Host I/O (host-io.ts)
  'file-open': hostIo,
  'file-close': hostIo,
  'file-pread': hostIo,
  'file-pwrite': hostIo,
  'file-fstat': hostIo,
  'file-unlink': hostIo,
  'file-readlink': hostIo,
  'file-setfs': hostIo,
  'file-size': hostIo,
  'file-mode': hostIo,
  'file-exists': hostIo,
};

export function dispatch(s: SessionCore, cmd: Command): HandlerResult | Promise<HandlerResult> {
  return (HANDLERS[cmd.kind] as Handler<Command['kind']>)(s, cmd);
}
