// LLDB support for the stub: pure reply builders for LLDB's packets and the injected-syscall
// allocator behind `_M`/`_m`. session.ts calls these; see each file for the packet it serves.
export { type ClientFlavour, detectClientFlavour } from './client-flavour.js';
export {
  type HostFacts,
  hostInfoReply,
  osVersion,
  parseOsReleaseId,
  parseProcStatus,
  type ProcessFacts,
  processInfoReply,
  readHostFacts,
  readProcessFacts,
  serverVersionReply,
  TRIPLE,
} from './host-info.js';
export {
  type CallSite,
  type InferiorCallIO,
  InferiorAllocator,
  injectSyscall,
  type Permissions,
  protFlags,
  SYSCALL_TRAMPOLINE,
  syscallSite,
} from './inferior-syscall.js';
export {
  awaitInternalStop,
  type InternalStopSlot,
  takeInternalStop,
} from './internal-stops.js';
export {
  MEMORY_REGION_INFO_SUPPORTED,
  type MapsEntry,
  memoryRegionReply,
  parseMaps,
  readMaps,
  type RegionOptions,
} from './memory-region.js';
export {
  formatRegisterInfo,
  type LldbRegisterInfo,
  lldbRegisterInfos,
  NO_MORE_REGISTERS,
  registerInfoReply,
} from './register-info.js';
export { type SavedRegisters, SavedRegisterStates } from './saved-registers.js';
export { targetAllocator, targetCallIO } from './target-io.js';
export {
  jstopinfo,
  type LldbReason,
  lldbDescription,
  lldbReason,
  lldbStopInfo,
  type ThreadFacts,
  threadStopFacts,
  threadsInfoReply,
} from './threads-info.js';
