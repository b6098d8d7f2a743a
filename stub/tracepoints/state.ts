// The tracing state of one GDB connection (gdbserver keeps it per server): tracepoints, trace
// state variables, read-only ranges, the buffer, the run's status and the selected trace frame.
// The process traced is the one current at QTStart.
import type { SessionContext } from '../context.js';
import type { SessionCore } from '../session-core.js';
import { TraceBuffer, type TraceFrame } from './frames.js';
import type { Tracepoint } from './tracepoint.js';

export interface TraceVariable {
  initial: bigint;
  value: bigint;
  name: string;
}

export class TraceState {
  /** In address order, as gdbserver keeps them (several may share an address). */
  tracepoints: Tracepoint[] = [];
  readonly variables = new Map<number, TraceVariable>();
  readonly: { start: bigint; end: bigint }[] = [];
  readonly buffer = new TraceBuffer();
  running = false;
  /** The process the run traces (tracepoints are installed in it). */
  ctx: SessionContext | undefined;
  /** Addresses whose int3 we hold in ctx for the run. */
  installed = new Set<bigint>();
  /** Threads (by tid) single-stepped for while-stepping actions, with the steps left. */
  readonly stepping = new Map<number, { tp: Tracepoint; left: number }[]>();
  stopReason = 'tnotrun';
  stopTracepoint = 0;
  stopText: string | undefined;
  startTime = 0;
  stopTime = 0;
  user = '';
  notes = '';
  stopNote = '';
  /** The selected trace frame's number, -1 for the live program. */
  frameNumber = -1;
  frame: TraceFrame | undefined;
  /** qTfP/qTsP and qTfV/qTsV upload cursors. */
  pieces: string[] = [];
  variablePieces: string[] = [];

  find(number: number, addr: bigint): Tracepoint | undefined {
    return this.tracepoints.find((t) => t.number === number && t.addr === addr);
  }

  add(tp: Tracepoint): void {
    let i = this.tracepoints.length;
    while (i > 0 && this.tracepoints[i - 1]!.addr > tp.addr) i--;
    this.tracepoints.splice(i, 0, tp);
  }

  /** Enabled tracepoints at addr during a run. */
  at(addr: bigint): Tracepoint[] {
    const out: Tracepoint[] = [];
    for (const t of this.tracepoints) if (t.addr === addr && t.enabled && t.complete) out.push(t);
    return out;
  }

  inReadonly(addr: bigint, length: number): boolean {
    const last = addr + BigInt(Math.max(1, length)) - 1n;
    return this.readonly.some((r) => r.start <= addr && last <= r.end);
  }

  selectFrame(number: number): void {
    this.frameNumber = number;
    this.frame = number >= 0 ? this.buffer.frames[number] : undefined;
  }
}

/** The connection's tracing state (SessionCore.trace), made on first use. */
export function traceOf(s: SessionCore): TraceState {
  s.trace ??= new TraceState();
  return s.trace;
}

/** The state only if tracing was ever touched on this connection (the stop path's check). */
export function traceIfAny(s: SessionCore): TraceState | undefined {
  return s.trace;
}
