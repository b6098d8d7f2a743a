// `vCont[;action[:thread-id]]...` (GDB manual, "Packets"). Actions: c, Csig, s, Ssig, t (stop,
// non-stop only), r start,end (range step). An action without a thread id applies to every
// thread no earlier action named; the stub applies them leftmost-first.
import type { ThreadId } from '../common/thread-id.js';
import { errResult, okResult, type Result } from '../errors.js';
import {
  malformed,
  type MalformedCommand,
  parseAddress,
  parseNumber,
  parseThread,
} from './fields.js';

export type VContAction = (
  | { type: 'continue'; signal?: number }
  | { type: 'step'; signal?: number }
  | { type: 'stop' }
  | { type: 'range-step'; start: bigint; end: bigint }
) & { thread?: ThreadId };

export interface VContCommand {
  kind: 'vcont';
  actions: VContAction[];
}

function parseSignal(text: string): Result<number> {
  const sig = parseNumber(text, 'signal');
  if (!sig.ok) return sig;
  return sig.value > 0xff ? errResult('signal number above 255') : sig;
}

function parseAction(text: string): Result<VContAction> {
  const colon = text.indexOf(':');
  const head = colon < 0 ? text : text.slice(0, colon);
  let action: VContAction;
  const letter = head[0];
  const arg = head.slice(1);
  if ((letter === 'c' || letter === 's' || letter === 't') && arg !== '') {
    return errResult(`unexpected argument to vCont action ${letter}`);
  }
  switch (letter) {
    case 'c':
      action = { type: 'continue' };
      break;
    case 's':
      action = { type: 'step' };
      break;
    case 't':
      action = { type: 'stop' };
      break;
    case 'C':
    case 'S': {
      const sig = parseSignal(arg);
      if (!sig.ok) return sig;
      action = { type: letter === 'C' ? 'continue' : 'step', signal: sig.value };
      break;
    }
    case 'r': {
      const comma = arg.indexOf(',');
      if (comma < 0) return errResult('vCont;r needs start,end');
      const start = parseAddress(arg.slice(0, comma), 'range start');
      if (!start.ok) return start;
      const end = parseAddress(arg.slice(comma + 1), 'range end');
      if (!end.ok) return end;
      action = { type: 'range-step', start: start.value, end: end.value };
      break;
    }
    default:
      return errResult(`unknown vCont action "${head}"`);
  }
  if (colon >= 0) {
    const thread = parseThread(text.slice(colon + 1));
    if (!thread.ok) return thread;
    action.thread = thread.value;
  }
  return okResult(action);
}

export function parseVCont(packet: string): VContCommand | MalformedCommand {
  const rest = packet.slice('vCont'.length);
  if (!rest.startsWith(';') || rest.length < 2) return malformed(packet, 'vCont without actions');
  const actions: VContAction[] = [];
  for (const part of rest.slice(1).split(';')) {
    const a = parseAction(part);
    if (!a.ok) return malformed(packet, a.error);
    actions.push(a.value);
  }
  return { kind: 'vcont', actions };
}
