// `QTDP:n:addr:ena:step:pass[:Flen][:S][:Xlen,cond][-]` and its continuation
// `QTDP:-n:addr:[S]action...[-]` (GDB manual, "Tracepoint Packets"). A trailing `-` says more
// QTDP packets follow for the same tracepoint. Actions: `R mask` (registers), `M basereg,offset,len`
// (memory, basereg -1 for an absolute address), `X len,expr` (an agent expression); an `S` first
// makes them while-stepping actions.
import { errResult, okResult, type Result } from '../errors.js';
import { malformed, type MalformedCommand } from './fields.js';
import { hexDigit, Scanner, scanAgentExpr } from './trace-fields.js';

export type TraceAction =
  /** The mask (hex, one bit per register, as wide as the register count) as sent. */
  | { type: 'registers'; mask: string }
  | { type: 'memory'; basereg: number; offset: bigint; length: number }
  | { type: 'expr'; bytecode: Buffer };

/** One action and the text it was sent as (qTsP gives it back). */
export interface TraceActionText {
  action: TraceAction;
  text: string;
}

export interface TracepointHeader {
  enabled: boolean;
  stepCount: number;
  passCount: number;
  condition?: Buffer;
  /** `F`: a fast tracepoint, `S`: a static one (neither is served without an in-process agent). */
  flavour: 'trap' | 'fast' | 'static';
}

export interface TraceDefineCommand {
  kind: 'trace-define';
  number: number;
  addr: bigint;
  /** Present on the first packet of a definition, absent on a `-` continuation. */
  header?: TracepointHeader;
  /** While-stepping actions (`S` before them). */
  stepping: boolean;
  actions: TraceActionText[];
  /** The packet ended with `-`: more packets follow for this tracepoint. */
  more: boolean;
}

export function parseTraceDefine(packet: string): TraceDefineCommand | MalformedCommand {
  const s = new Scanner(packet, 'QTDP:'.length);
  const continuation = s.eat('-');
  const num = s.num('tracepoint number');
  if (!num.ok) return malformed(packet, num.error);
  if (!s.eat(':')) return malformed(packet, 'expected :addr');
  const addr = s.hex('address');
  if (!addr.ok) return malformed(packet, addr.error);
  if (!s.eat(':')) return malformed(packet, 'expected : after the address');
  const base = { kind: 'trace-define' as const, number: num.value, addr: addr.value };
  if (!continuation) {
    const header = scanHeader(s);
    if (!header.ok) return malformed(packet, header.error);
    const more = s.eat('-');
    if (!s.done) return malformed(packet, `unexpected "${s.rest()}"`);
    return { ...base, header: header.value, stepping: false, actions: [], more };
  }
  const stepping = s.eat('S');
  const actions = scanActions(s);
  if (!actions.ok) return malformed(packet, actions.error);
  const more = s.eat('-');
  if (!s.done) return malformed(packet, `unexpected "${s.rest()}"`);
  return { ...base, stepping, actions: actions.value, more };
}

function scanHeader(s: Scanner): Result<TracepointHeader> {
  const ena = s.peek();
  if (ena !== 'E' && ena !== 'D') return errResult('expected E or D');
  s.pos++;
  if (!s.eat(':')) return errResult('expected :step');
  const step = s.num('step count');
  if (!step.ok) return step;
  if (!s.eat(':')) return errResult('expected :pass');
  const pass = s.num('pass count');
  if (!pass.ok) return pass;
  const h: TracepointHeader = {
    enabled: ena === 'E',
    stepCount: step.value,
    passCount: pass.value,
    flavour: 'trap',
  };
  while (s.eat(':')) {
    const c = s.peek();
    if (c === 'F') {
      s.pos++;
      const len = s.num('fast tracepoint length');
      if (!len.ok) return len;
      h.flavour = 'fast';
    } else if (c === 'S') {
      s.pos++;
      h.flavour = 'static';
    } else if (c === 'X') {
      const cond = scanAgentExpr(s);
      if (!cond.ok) return cond;
      h.condition = cond.value;
    } else {
      return errResult(`unknown tracepoint field "${c}"`);
    }
  }
  return okResult(h);
}

function scanActions(s: Scanner): Result<TraceActionText[]> {
  const out: TraceActionText[] = [];
  while (!s.done && s.peek() !== '-') {
    const start = s.pos;
    const c = s.peek();
    let action: TraceAction;
    if (c === 'R') {
      s.pos++;
      const from = s.pos;
      while (!s.done && hexDigit(s.text.charCodeAt(s.pos)) >= 0) s.pos++;
      if (s.pos === from) return errResult('bad register mask');
      action = { type: 'registers', mask: s.text.slice(from, s.pos) };
    } else if (c === 'M') {
      s.pos++;
      const neg = s.eat('-');
      const reg = s.num('base register');
      if (!reg.ok) return reg;
      if (!s.eat(',')) return errResult('expected ,offset');
      const offset = s.hex('offset');
      if (!offset.ok) return offset;
      if (!s.eat(',')) return errResult('expected ,length');
      const len = s.num('length');
      if (!len.ok) return len;
      action = {
        type: 'memory',
        basereg: neg ? -reg.value : reg.value,
        offset: offset.value,
        length: len.value,
      };
    } else if (c === 'X') {
      const bc = scanAgentExpr(s);
      if (!bc.ok) return bc;
      action = { type: 'expr', bytecode: bc.value };
    } else {
      return errResult(`unknown trace action "${c}"`);
    }
    out.push({ action, text: s.text.slice(start, s.pos) });
  }
  return okResult(out);
}
