// A tracepoint as GDB downloaded it (QTDP, QTDPsrc) and what a run has made of it.
import type { TraceActionText, TracepointHeader } from '../../rsp/packets/trace-define.js';

export class Tracepoint {
  enabled: boolean;
  readonly stepCount: number;
  readonly passCount: number;
  readonly condition: Buffer | undefined;
  readonly actions: TraceActionText[] = [];
  readonly stepActions: TraceActionText[] = [];
  readonly sources: { type: string; text: string }[] = [];
  /** A continuation packet began while-stepping actions: the following ones are too. */
  steppingSeen = false;
  /** The definition's last QTDP has come (no trailing `-`). */
  complete = false;
  hits = 0;
  /** Bytes of trace buffer its frames took. */
  bytes = 0;

  constructor(
    readonly number: number,
    readonly addr: bigint,
    header: TracepointHeader,
  ) {
    this.enabled = header.enabled;
    this.stepCount = header.stepCount;
    this.passCount = header.passCount;
    this.condition = header.condition;
  }
}
