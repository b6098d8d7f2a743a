// QTDP (GDB manual, "Tracepoint Packets"): a tracepoint's header, then its actions in `-`
// continuation packets. During a run (InstallInTrace+) a definition is installed once its last
// packet has come.
import { errorReply, OK } from '../context.js';
import { install } from '../tracepoints/run.js';
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
