// Starting and ending a trace run (tracepoint.cc cmd_qtstart, stop_tracing): the run holds an
// int3 at each tracepoint's address in the traced process, beside GDB's own breakpoints; ending
// it lets them go (the next resume clears those GDB does not want).
import type { SessionContext } from '../context.js';
import type { TraceState } from './state.js';
import type { Tracepoint } from './tracepoint.js';

function nowMicros(): number {
  return Date.now() * 1000;
}

/** Installs one tracepoint's int3 in the traced process. */
export async function install(st: TraceState, tp: Tracepoint): Promise<void> {
  const bps = st.ctx?.swBreakpoints;
  if (!bps) throw new Error('the target has no software breakpoints');
  if (!st.installed.has(tp.addr)) {
    await bps.hold(tp.addr);
    st.installed.add(tp.addr);
  }
}

export async function startTracing(st: TraceState, ctx: SessionContext): Promise<void> {
  if (st.running) await stopTracing(st, 'tstop', 0);
  st.ctx = ctx;
  st.buffer.clear();
  st.selectFrame(-1);
  for (const v of st.variables.values()) v.value = v.initial;
  for (const tp of st.tracepoints) {
    tp.hits = 0;
    tp.bytes = 0;
  }
  st.stopReason = 'tnotrun';
  st.stopTracepoint = 0;
  st.stopText = undefined;
  st.startTime = nowMicros();
  st.stopTime = 0;
  st.running = true;
  try {
    for (const tp of st.tracepoints) if (tp.complete) await install(st, tp);
  } catch (err) {
    await stopTracing(st, 'tstop', 0);
    throw err;
  }
}

/**
 * Ends the run with qTStatus's reason: `tstop` (QTStop, with the user's note), `tfull`,
 * `tpasscount` (tracepoint `tp`), `terror` (tracepoint `tp`, `text` says what failed).
 */
export async function stopTracing(
  st: TraceState,
  reason: 'tstop' | 'tfull' | 'tpasscount' | 'terror' | 'tdisconnected',
  tp: number,
  text?: string,
): Promise<void> {
  if (!st.running) return;
  st.running = false;
  st.stopReason = reason;
  st.stopTracepoint = tp;
  st.stopText = reason === 'tstop' ? st.stopNote : text;
  st.stopTime = nowMicros();
  const bps = st.ctx?.swBreakpoints;
  for (const addr of st.installed) bps?.release(addr);
  st.installed.clear();
  st.stepping.clear();
}

/**
 * The connection ends: so does the run (disconnected tracing is not offered), as gdbserver's
 * stop_tracing when gdb goes. Its int3s come out now if the program is stopped (a next client
 * would get their traps); a running one loses them at its next resume.
 */
export function endTracing(st: TraceState | undefined, stopped: boolean): void {
  if (!st?.running) return;
  const bps = st.ctx?.swBreakpoints;
  void stopTracing(st, 'tdisconnected', 0)
    .then(() => (stopped ? bps?.flush() : undefined))
    .catch(() => {});
}
