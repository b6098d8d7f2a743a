// The public surface of the RSP wire codec (rsp/ imports nothing from other layers).
//
// Receiving: FrameReader.push(bytes) calls a FrameSink per packet, ack or interrupt (the
// server's path); Framer.push(bytes) returns the same as FrameEvents. Packet bodies come decoded
// (runs expanded, `}` escapes undone), and parseCommand(body) turns one into a Command. Parsers
// never throw: a bad packet of a known kind is {kind:'malformed'} (reply E01 or E.text),
// anything else {kind:'unknown'} (reply empty).
// Sending: build the reply body with replies/* (text as strings, binary data as Buffers, raw)
// and frame it with encodePacket / encodeNotification, which escape and optionally compress.
// Stop replies are formatted only by formatStopReply.

export { escapeBinary, needsEscape, unescapeBinary } from './common/binary.js';
export {
  decodeFioStat,
  encodeFioStat,
  FioErrno,
  FioMode,
  FioOpenFlag,
  type FioStat,
  fioErrnoFromLinux,
  fioErrnoFromName,
  fioModeFromLinux,
  fioOpenFlagsToLinux,
} from './common/fileio.js';
export {
  bigintToHex,
  bigintToLeBytes,
  bigintToLeHex,
  bufferToHex,
  byteToHex,
  hexToBigint,
  hexToBuffer,
  hexToNumber,
  hexToText,
  isHex,
  leBytesToBigint,
  leHexToBigint,
  numberToHex,
  textToHex,
} from './common/hex.js';
export {
  GdbSignal,
  gdbSignalFromHost,
  hostSignalFromGdb,
  LinuxSignal,
} from './common/signals.js';
export {
  formatThreadId,
  parseThreadId,
  type ThreadId,
  type ThreadIdFormat,
  type ThreadIdPart,
  threadIdEquals,
} from './common/thread-id.js';
export { type Command, type CommandKind, KNOWN_PREFIXES, parseCommand } from './commands.js';
export {
  ACK,
  checksum,
  type EncodeOptions,
  encodeDataPrefixWithin,
  encodeHexPacket,
  encodeHexPacketInto,
  encodeNotification,
  encodePacket,
  encodePacketInto,
  INTERRUPT,
  NAK,
  runLengthEncode,
  sumBytes,
} from './encoder.js';
export * from './errors.js';
export { type FrameSink, FrameReader, latin1 } from './frame-reader.js';
export { decodeBody, type FrameEvent, Framer, type FramerOptions } from './framer.js';
export type { AllocateMemoryCommand, MemoryPermissions } from './packets/allocate-memory.js';
export type { AttachCommand } from './packets/attach.js';
export type { AttachedCommand } from './packets/attached.js';
export {
  BREAKPOINT_TYPES,
  type BreakpointCommands,
  type BreakpointType,
} from './packets/breakpoint-spec.js';
export type { CatchSyscallsCommand } from './packets/catch-syscalls.js';
export type { ContinueCommand } from './packets/continue.js';
export type { CrcCommand } from './packets/crc.js';
export type { DeallocateMemoryCommand } from './packets/deallocate-memory.js';
export type { DetachCommand } from './packets/detach.js';
export type { DisableRandomizationCommand } from './packets/disable-randomization.js';
export type { EnvironmentSetCommand } from './packets/environment-set.js';
export type { EnvironmentUnsetCommand } from './packets/environment-unset.js';
export type { MalformedCommand } from './packets/fields.js';
export type { HostIoCommand } from './packets/host-io.js';
export type { InsertBreakpointCommand } from './packets/insert-breakpoint.js';
export type { KillProcessCommand } from './packets/kill-process.js';
export type { LaunchCommand } from './packets/launch.js';
export type { MemoryRegionInfoCommand } from './packets/memory-region-info.js';
export type { MonitorCommand } from './packets/monitor.js';
export type { NonStopCommand } from './packets/non-stop.js';
export type { PassSignalsCommand } from './packets/pass-signals.js';
export type { ProgramSignalsCommand } from './packets/program-signals.js';
export type { XferCommand } from './packets/qxfer.js';
export type { ReadMemoryCommand } from './packets/read-memory.js';
export type { ReadMemoryBinaryCommand } from './packets/read-memory-binary.js';
export type { ReadRegisterCommand } from './packets/read-register.js';
export type { ReadRegistersCommand } from './packets/read-registers.js';
export type { RegisterInfoCommand } from './packets/register-info.js';
export type { RemoveBreakpointCommand } from './packets/remove-breakpoint.js';
export type { RestartCommand } from './packets/restart.js';
export type { RestoreRegistersCommand } from './packets/restore-registers.js';
export type { RunCommand } from './packets/run.js';
export type { SaveRegistersCommand } from './packets/save-registers.js';
export type { SearchMemoryCommand } from './packets/search-memory.js';
export type { SetStdioCommand } from './packets/set-stdio.js';
export type { SetThreadCommand } from './packets/set-thread.js';
export type { SimpleCommand } from './packets/simple.js';
export type { StartupWithShellCommand } from './packets/startup-with-shell.js';
export type { StepCommand } from './packets/step.js';
export {
  type Feature,
  featureState,
  parseFeature,
  type SupportedFeaturesCommand,
} from './packets/supported-features.js';
export type { SymbolCommand } from './packets/symbol.js';
export type { ThreadAliveCommand } from './packets/thread-alive.js';
export type { ThreadEventsCommand } from './packets/thread-events.js';
export type { ThreadExtraInfoCommand } from './packets/thread-extra-info.js';
export type { ThreadStopInfoCommand } from './packets/thread-stop-info.js';
export type { TlsAddressCommand } from './packets/tls-address.js';
export type { UnknownCommand } from './packets/unknown.js';
export type { VContAction, VContCommand } from './packets/vcont.js';
export type { SetWorkingDirCommand } from './packets/working-dir.js';
export type { WriteMemoryCommand } from './packets/write-memory.js';
export type { WriteMemoryBinaryCommand } from './packets/write-memory-binary.js';
export type { WriteRegisterCommand } from './packets/write-register.js';
export type { WriteRegistersCommand } from './packets/write-registers.js';
export {
  empty,
  error,
  errorText,
  errorWithString,
  ok,
  type ReplyBody,
} from './replies/basic.js';
export { consoleOutput } from './replies/console.js';
export { formatFeature, formatFeatures, packetSizeFeature } from './replies/features.js';
export {
  addressReply,
  attachedReply,
  binaryMemory,
  crcReply,
  hexBytes,
  hexText,
  offsetsReply,
  searchReply,
  symbolLookup,
  unavailableBytes,
} from './replies/hex.js';
export {
  fileData,
  fileDataHeaderLength,
  fileDataPacketWithin,
  fileError,
  fileExists,
  fileResult,
  fileStat,
} from './replies/host-io.js';
export { type Json, llvmJson } from './replies/json.js';
export {
  allocatedAddress,
  allocationError,
  type KeyValue,
  keyValueReply,
  launchFailure,
  type MemoryRegion,
  memoryRegionReply,
  savedRegisterState,
} from './replies/lldb.js';
export {
  type ExpeditedRegister,
  formatStopReply,
  type LldbStopInfo,
  type StopEvent,
  type StopReply,
  type StopReplyOptions,
  stopNotification,
  stopNotificationOf,
} from './replies/stop.js';
export { parseStopReply } from './replies/stop-parser.js';
export { type OsdataItem, osdataDocument } from './replies/osdata.js';
export { type Svr4Library, librariesSvr4Document } from './replies/libraries-svr4.js';
export { currentThread, threadListEnd, threadListPart } from './replies/threads.js';
export { type ThreadEntry, threadsDocument } from './replies/threads-document.js';
export { type VContActionLetter, vContActions, vContReply } from './replies/vcont.js';
export { xferChunk, xferWritten } from './replies/xfer.js';
