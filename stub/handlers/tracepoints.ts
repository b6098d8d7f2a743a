// The argument-less tracepoint packets (rsp/packets/simple.ts; GDB manual, "Tracepoint
// Packets"): QTinit, QTStart, QTStop, qTStatus, the qTfP/qTsP and qTfV/qTsV uploads and
// qTMinFTPILen. Trap tracepoints only: fast and static ones need gdbserver's in-process agent.
import {
  minFastTracepointLength,
  traceListEnd,
  tracepointActionPiece,
  tracepointPiece,
  tracepointSourcePiece,
  traceStatusReply,
  traceVariablePiece,
} from '../../rsp/replies/trace.js';
import { errorReply, OK, reply } from '../context.js';
import { startTracing, stopTracing } from '../tracepoints/run.js';
import { traceOf } from '../tracepoints/state.js';
import type { Handler } from './handler.js';

/** Forgets tracepoints, variables, read-only ranges and frames; needs a process (gdbserver). */
export const traceInit: Handler<'trace-init'> = async (s) => {
  if (!s.ctx) return errorReply(1);
  const st = traceOf(s);
  st.selectFrame(-1);
  await stopTracing(st, 'tstop', 0);
  st.tracepoints = [];
  st.readonly = [];
  st.variables.clear();
  st.buffer.clear();
  return OK;
};

export const traceStart: Handler<'trace-start'> = async (s) => {
  if (!s.ctx) return errorReply(1);
  try {
    await startTracing(traceOf(s), s.ctx);
  } catch (err) {
    s.log(`QTStart: ${(err as Error).message}`);
    return errorReply(1);
  }
  return OK;
};

export const traceStop: Handler<'trace-stop'> = async (s) => {
  await stopTracing(traceOf(s), 'tstop', 0);
  return OK;
};

export const traceStatus: Handler<'trace-status'> = (s) => {
  const st = traceOf(s);
  return reply(
    traceStatusReply({
      running: st.running,
      stopReason: st.stopReason,
      stopTracepoint: st.stopTracepoint,
      ...(st.stopText !== undefined ? { stopText: st.stopText } : {}),
      frames: st.buffer.frames.length,
      created: st.buffer.created,
      free: st.buffer.free,
      size: st.buffer.size,
      circular: st.buffer.circular,
      disconnected: false,
      startTime: st.startTime,
      stopTime: st.stopTime,
      user: st.user,
      notes: st.notes,
    }),
  );
};

/** qTfP: every piece of every definition, in QTDP's order; qTsP hands them out one by one. */
export const tracePointsFirst: Handler<'trace-points-first'> = (s) => {
  const st = traceOf(s);
  const pieces: string[] = [];
  for (const tp of st.tracepoints) {
    pieces.push(tracepointPiece(tp));
    for (const a of tp.actions)
      pieces.push(tracepointActionPiece(tp.number, tp.addr, a.text, false));
    for (const a of tp.stepActions)
      pieces.push(tracepointActionPiece(tp.number, tp.addr, a.text, true));
    for (const src of tp.sources)
      pieces.push(tracepointSourcePiece(tp.number, tp.addr, src.type, src.text));
  }
  st.pieces = pieces;
  return tracePointsNext(s, { kind: 'trace-points-next' });
};

export const tracePointsNext: Handler<'trace-points-next'> = (s) =>
  reply(traceOf(s).pieces.shift() ?? traceListEnd());

export const traceVariablesFirst: Handler<'trace-variables-first'> = (s) => {
  const st = traceOf(s);
  st.variablePieces = [...st.variables].map(([n, v]) => traceVariablePiece(n, v.initial, v.name));
  return traceVariablesNext(s, { kind: 'trace-variables-next' });
};

export const traceVariablesNext: Handler<'trace-variables-next'> = (s) =>
  reply(traceOf(s).variablePieces.shift() ?? traceListEnd());

/** No fast tracepoints without the in-process agent: 0, "unknown", as gdbserver without one. */
export const traceMinFtpiLen: Handler<'trace-min-ftpi-len'> = () =>
  reply(minFastTracepointLength(0));
