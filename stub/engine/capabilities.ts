// What an engine lets a Target offer, derived once from its HELLO capabilities: the same answer
// serves qSupported before any process exists and each process's Target view.
import type { Caps } from '../../native/types.js';
import type { Capabilities } from '../capabilities.js';

export function engineCapabilities(caps: Caps): Capabilities {
  return {
    swBreak: caps.swBreak,
    hwBreak: caps.swBreak && caps.hwBreak,
    watch: caps.hwWatch,
    rangeStep: caps.rangeStep,
    signals: true,
    siginfoWrite: caps.siginfoWrite,
    processInfo: true,
    syscalls: caps.syscallEntryStop && caps.syscallExitStop,
    execEvents: caps.execEvents,
    forkEvents: caps.forkEvents,
    vforkEvents: caps.forkEvents && caps.vforkEvents,
    // Per-thread stop and resume are part of every provider's ABI (STOP with a handle).
    nonStop: true,
    threadEvents: true,
    breakpointExprs: caps.swBreak && caps.condBytecode,
    // Trap tracepoints are the stub's, over software breakpoints (stub/tracepoints/).
    tracepoints: caps.swBreak,
  };
}
