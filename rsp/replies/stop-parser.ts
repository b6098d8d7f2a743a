// The client side of formatStopReply: reads `S`, `T`, `W`, `X`, `w` and `N` replies (GDB
// manual, "Stop Reply Packets"; LLDB keys from lldbgdbremote.md). For test clients and
// transcripts; unknown `T` keys are skipped, as gdb does.
import { hexToBigint, hexToBuffer, hexToNumber, hexToText } from '../common/hex.js';
import { parseThreadId, type ThreadId } from '../common/thread-id.js';
import { errResult, okResult, type Result } from '../errors.js';
import type { ExpeditedRegister, LldbStopInfo, StopEvent, StopReply } from './stop.js';

function byte(text: string): Result<number> {
  if (!/^[0-9a-fA-F]{2}$/.test(text)) return errResult(`expected two hex digits, got "${text}"`);
  return okResult(Number.parseInt(text, 16));
}

function unwrap<T>(r: Result<T>, what: string): T {
  if (!r.ok) throw new Error(`${what}: ${r.error}`);
  return r.value;
}

function parseT(body: string): StopReply {
  const signal = unwrap(byte(body.slice(1, 3)), 'signal');
  const stop: Extract<StopReply, { kind: 'T' }> = { kind: 'T', signal };
  const registers: ExpeditedRegister[] = [];
  const lldb: LldbStopInfo = {};
  const rest = body.slice(3);
  for (const pair of rest.split(';')) {
    if (pair === '') continue;
    const colon = pair.indexOf(':');
    if (colon < 0) throw new Error(`stop reply pair without ':' ("${pair}")`);
    const key = pair.slice(0, colon);
    const value = pair.slice(colon + 1);
    const thread = (): ThreadId => unwrap(parseThreadId(value), key);
    let event: StopEvent | undefined;
    switch (key) {
      case 'thread':
        stop.thread = thread();
        break;
      case 'core':
        stop.core = unwrap(hexToNumber(value), key);
        break;
      case 'watch':
      case 'rwatch':
      case 'awatch':
        event = { kind: key, addr: unwrap(hexToBigint(value), key) };
        break;
      case 'swbreak':
      case 'hwbreak':
      case 'library':
      case 'vforkdone':
      case 'create':
        event = { kind: key };
        break;
      case 'replaylog':
        if (value !== 'begin' && value !== 'end') throw new Error(`bad replaylog "${value}"`);
        event = { kind: 'replaylog', at: value };
        break;
      case 'fork':
      case 'vfork':
      case 'clone':
        event = { kind: key, child: thread() };
        break;
      case 'exec':
        event = { kind: 'exec', path: unwrap(hexToText(value), key) };
        break;
      case 'syscall_entry':
      case 'syscall_return':
        event = { kind: key, syscall: unwrap(hexToNumber(value), key) };
        break;
      case 'name':
        lldb.name = value;
        break;
      case 'hexname':
        lldb.name = unwrap(hexToText(value), key);
        break;
      case 'reason':
        lldb.reason = value;
        break;
      case 'description':
        lldb.description = unwrap(hexToText(value), key);
        break;
      case 'threads':
        lldb.threads =
          value === '' ? [] : value.split(',').map((t) => unwrap(parseThreadId(t), key));
        break;
      case 'thread-pcs':
        lldb.threadPcs =
          value === '' ? [] : value.split(',').map((v) => unwrap(hexToBigint(v), key));
        break;
      default:
        if (/^[0-9a-fA-F]+$/.test(key)) {
          registers.push({
            regnum: Number.parseInt(key, 16),
            value: unwrap(hexToBuffer(value), key),
          });
        }
      // Other keys are ignored, as the manual tells gdb to do.
    }
    if (event) {
      if (stop.event) throw new Error('more than one stop reason');
      stop.event = event;
    }
  }
  if (registers.length > 0) stop.registers = registers;
  if (Object.keys(lldb).length > 0) stop.lldb = lldb;
  return stop;
}

function parseExit(body: string): StopReply {
  const semi = body.indexOf(';');
  const value = unwrap(byte(semi < 0 ? body.slice(1) : body.slice(1, semi)), 'status');
  let pid: number | undefined;
  if (semi >= 0) {
    const extra = body.slice(semi + 1);
    if (!extra.startsWith('process:')) throw new Error(`unexpected "${extra}"`);
    pid = unwrap(hexToNumber(extra.slice('process:'.length)), 'pid');
  }
  const stop: StopReply =
    body[0] === 'W' ? { kind: 'exited', status: value } : { kind: 'terminated', signal: value };
  if (pid !== undefined) stop.pid = pid;
  return stop;
}

export function parseStopReply(body: string): Result<StopReply> {
  try {
    switch (body[0]) {
      case 'S':
        if (body.length !== 3) return errResult('S takes exactly two hex digits');
        return okResult({ kind: 'signal', signal: unwrap(byte(body.slice(1)), 'signal') });
      case 'T':
        return okResult(parseT(body));
      case 'W':
      case 'X':
        return okResult(parseExit(body));
      case 'w': {
        const semi = body.indexOf(';');
        if (semi < 0) return errResult('w needs ;thread-id');
        return okResult({
          kind: 'thread-exited',
          status: unwrap(byte(body.slice(1, semi)), 'status'),
          thread: unwrap(parseThreadId(body.slice(semi + 1)), 'thread'),
        });
      }
      case 'N':
        return body === 'N' ? okResult({ kind: 'no-resumed' }) : errResult('N takes no arguments');
      default:
        return errResult(`not a stop reply: "${body.slice(0, 20)}"`);
    }
  } catch (e) {
    return errResult((e as Error).message);
  }
}
