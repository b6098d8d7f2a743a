// The one place that answers "can the stub do X?": qSupported features derived from which
// capability groups the target offers and what the client offered (GDB manual, "General Query
// Packets", qSupported). Features GDB must offer first (multiprocess, swbreak, hwbreak) are only
// echoed back when it did.
import { type Feature, packetSizeFeature } from '../rsp/index.js';
import type { ClientFeatures } from './context.js';
import type { Target } from './target.js';

/** Largest packet body we accept and the largest reply we build (sent in hex). */
export const PACKET_SIZE = 0x10000;

/** What the client's qSupported features (`name+`, `name-`, `name=value`) tell us. */
export function parseClientFeatures(list: readonly Feature[]): ClientFeatures {
  const has = (name: string) =>
    list.some((f) => f.name === name && f.kind === 'flag' && f.supported);
  return {
    multiprocess: has('multiprocess'),
    swbreak: has('swbreak'),
    hwbreak: has('hwbreak'),
    xmlRegisters: list.some((f) => f.name === 'xmlRegisters' && f.kind === 'value'),
    execEvents: has('exec-events'),
    forkEvents: has('fork-events'),
    vforkEvents: has('vfork-events'),
    noResumed: has('no-resumed'),
  };
}

/** Which capability groups a target offers (a provider states them before any target exists). */
export interface Capabilities {
  swBreak: boolean;
  hwBreak: boolean;
  watch: boolean;
  rangeStep: boolean;
  signals: boolean;
  siginfoWrite: boolean;
  processInfo: boolean;
  syscalls: boolean;
  execEvents: boolean;
  forkEvents: boolean;
  /** vfork-events, with vforkdone. */
  vforkEvents: boolean;
  /** QNonStop:1 (per-thread stop and resume). */
  nonStop?: boolean;
  /** QThreadEvents (`create` and `w` stop replies). */
  threadEvents?: boolean;
  /** Z packets' conditions and commands evaluated by the target. */
  breakpointExprs?: boolean;
  /** Trap tracepoints (stub/tracepoints/), over software breakpoints. */
  tracepoints?: boolean;
}

export function capabilitiesOf(target: Target): Capabilities {
  return {
    swBreak: target.breakpoints !== undefined,
    hwBreak: target.breakpoints?.setHwBreakpoint !== undefined,
    watch: target.watchpoints !== undefined,
    rangeStep: target.rangeStep === true,
    signals: target.signals !== undefined,
    siginfoWrite: target.signals?.writeSiginfo !== undefined,
    processInfo: target.processInfo !== undefined,
    syscalls: target.syscalls !== undefined,
    execEvents: target.execEvents !== undefined,
    forkEvents: target.forks !== undefined,
    vforkEvents: target.forks?.setVforkEvents !== undefined,
    nonStop: target.nonStop !== undefined,
    threadEvents: target.threadEvents !== undefined,
    breakpointExprs: target.breakpoints?.expressions === true,
    tracepoints: target.breakpoints !== undefined,
  };
}

export function supportedFeatures(
  caps: Capabilities | undefined,
  client: ClientFeatures,
): Feature[] {
  return [
    packetSizeFeature(PACKET_SIZE),
    ...supportedNames(caps, client).map(
      (name): Feature => ({ name, kind: 'flag', supported: true }),
    ),
  ];
}

/** The names we announce as `name+`. */
function supportedNames(caps: Capabilities | undefined, client: ClientFeatures): string[] {
  const f = ['QStartNoAckMode', 'qXfer:features:read', 'vContSupported'];
  if (client.multiprocess) f.push('multiprocess');
  // osdata describes the machine, not a process: offered with or without one, as gdbserver does.
  f.push('qXfer:threads:read', 'qXfer:osdata:read');
  if (!caps) return f;
  if (caps.swBreak && client.swbreak) f.push('swbreak');
  if ((caps.hwBreak || caps.watch) && client.hwbreak) f.push('hwbreak');
  if (caps.signals) {
    f.push('QPassSignals', 'QProgramSignals', 'qXfer:siginfo:read');
    if (caps.siginfoWrite) f.push('qXfer:siginfo:write');
  }
  if (caps.processInfo)
    f.push('qXfer:auxv:read', 'qXfer:exec-file:read', 'qXfer:libraries-svr4:read');
  if (caps.syscalls) f.push('QCatchSyscalls');
  if (caps.execEvents && client.execEvents) f.push('exec-events');
  // fork-events needs multiprocess ids to name the child.
  if (caps.forkEvents && client.forkEvents && client.multiprocess) f.push('fork-events');
  if (caps.vforkEvents && client.vforkEvents && client.multiprocess) f.push('vfork-events');
  // GDB sends QNonStop and QThreadEvents only when announced.
  if (caps.nonStop) f.push('QNonStop');
  if (caps.threadEvents) f.push('QThreadEvents');
  // The target evaluates Z0/Z1 cond_list and cmds (GDB manual, "General Query Packets").
  if (caps.breakpointExprs) f.push('ConditionalBreakpoints', 'BreakpointCommands');
  // gdbserver's list without its in-process agent (server.cc handle_query), less what needs the
  // agent (FastTracepoints, StaticTracepoints, qXfer:statictrace) or is not served
  // (DisconnectedTracing: the run ends with the connection).
  if (caps.tracepoints)
    f.push(
      'ConditionalTracepoints',
      'TraceStateVariables',
      'TracepointSource',
      'InstallInTrace',
      'qXfer:traceframe-info:read',
      'EnableDisableTracepoints',
      'QTBuffer:size',
      'tracenz',
    );
  return f;
}
