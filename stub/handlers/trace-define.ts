// QTDP (GDB manual, "Tracepoint Packets"): a tracepoint's header, then its actions in `-`
// continuation packets. During a run (InstallInTrace+) a definition is installed once its last
// packet has come. With it the argument-less packets about definitions (rsp/packets/simple.ts):
// QTinit forgets them, qTfP/qTsP upload them, qTMinFTPILen. Trap tracepoints only: fast and
// static ones need gdbserver's in-process agent.
import {
  minFastTracepointLength,
  traceListEnd,
  tracepointActionPiece,
  tracepointPiece,
  tracepointSourcePiece,
} from '../../rsp/replies/trace.js';
import { errorReply, OK, reply } from '../context.js';
import { install, stopTracing } from '../tracepoints/run.js';
import { traceOf } from '../tracepoints/state.js';
import { Tracepoint } from '../tracepoints/tracepoint.js';
import type { Handler } from './handler.js';

export const traceDefine: Handler<'trace-define'> = async (s, cmd) => {
  const st = traceOf(s);
  let tp = st.find(cmd.number, cmd.addr);
  if (cmd.header) {
    // Duplicates are refused; fast and static tracepoints need gdbserver's in-process agent.
    if (tp) return errorReply(1);
    if (cmd.header.flavour !== 'trap') return errorReply(1);
    tp = new Tracepoint(cmd.number, cmd.addr, cmd.header);
    st.add(tp);
  } else {
    if (!tp) return errorReply(1);
    if (cmd.stepping) tp.steppingSeen = true;
    (tp.steppingSeen ? tp.stepActions : tp.actions).push(...cmd.actions);
  }
  if (!cmd.more) {
    tp.complete = true;
    if (st.running) {
      try {
        await install(st, tp);
      } catch (err) {
        st.tracepoints = st.tracepoints.filter((t) => t !== tp);
        s.log(`tracepoint ${cmd.number}: ${(err as Error).message}`);
        return errorReply(1);
      }
    }
  }
  return OK;
};

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

/** No fast tracepoints without the in-process agent: 0, "unknown", as gdbserver without one. */
export const traceMinFtpiLen: Handler<'trace-min-ftpi-len'> = () =>
  reply(minFastTracepointLength(0));
