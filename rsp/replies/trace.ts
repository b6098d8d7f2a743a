// Replies to the tracepoint packets (GDB manual, "Tracepoint Packets"), the traceframe-info
// document ("Traceframe Info Format") and register replies with unavailable bytes (`xx`, GDB
// manual, "Packets", g).
import { bigintToHex, bufferToHex, textToHex } from '../common/hex.js';

export interface TraceStatus {
  running: boolean;
  /** `tnotrun`, `tstop`, `tfull`, `tdisconnected`, `tpasscount`, `terror`. */
  stopReason: string;
  /** The tracepoint that stopped the run (tpasscount, terror), else 0. */
  stopTracepoint: number;
  /** terror's message; tstop's note. */
  stopText?: string;
  frames: number;
  created: number;
  free: number;
  size: number;
  circular: boolean;
  disconnected: boolean;
  /** Microseconds since the epoch, 0 for never. */
  startTime: number;
  stopTime: number;
  user: string;
  notes: string;
}

/** qTStatus, field for field as gdbserver sends it (tracepoint.cc cmd_qtstatus). */
export function traceStatusReply(st: TraceStatus): string {
  let reason = st.stopReason;
  if (reason === 'terror') reason = `terror:${textToHex(st.stopText ?? '')}`;
  else if (reason === 'tstop') reason = `tstop:${textToHex(st.stopText ?? '')}`;
  return (
    `T${st.running ? 1 : 0};${reason}:${st.stopTracepoint.toString(16)};` +
    `tframes:${st.frames.toString(16)};tcreated:${st.created.toString(16)};` +
    `tfree:${st.free.toString(16)};tsize:${st.size.toString(16)};` +
    `circular:${st.circular ? 1 : 0};disconn:${st.disconnected ? 1 : 0};` +
    `starttime:${st.startTime.toString(16)};stoptime:${st.stopTime.toString(16)};` +
    `username:${textToHex(st.user)};notes:${textToHex(st.notes)}:`
  );
}

/** QTFrame: `F<frame>T<tracepoint>`, or `F-1` when no frame matched. */
export function traceFrameReply(found: { frame: number; tracepoint: number } | undefined): string {
  return found ? `F${found.frame.toString(16)}T${found.tracepoint.toString(16)}` : 'F-1';
}

/** qTP: `V<hits>:<bytes used>`. */
export function tracepointUsageReply(hits: number, bytes: number): string {
  return `V${hits.toString(16)}:${bytes.toString(16)}`;
}

/** qTfP/qTsP: a tracepoint's header, in QTDP's syntax. */
export function tracepointPiece(tp: {
  number: number;
  addr: bigint;
  enabled: boolean;
  stepCount: number;
  passCount: number;
  condition?: Uint8Array;
}): string {
  const head =
    `T${tp.number.toString(16)}:${bigintToHex(tp.addr)}:${tp.enabled ? 'E' : 'D'}:` +
    `${tp.stepCount.toString(16)}:${tp.passCount.toString(16)}`;
  return tp.condition
    ? `${head}:X${tp.condition.length.toString(16)},${bufferToHex(tp.condition)}`
    : head;
}

/** qTsP: one action (`A`) or while-stepping action (`S`) as it was sent. */
export function tracepointActionPiece(
  number: number,
  addr: bigint,
  text: string,
  stepping: boolean,
): string {
  return `${stepping ? 'S' : 'A'}${number.toString(16)}:${bigintToHex(addr)}:${text}`;
}

/** qTsP: one source string (QTDPsrc), whole. */
export function tracepointSourcePiece(
  number: number,
  addr: bigint,
  type: string,
  text: string,
): string {
  const bytes = Buffer.from(text, 'latin1');
  return `Z${number.toString(16)}:${bigintToHex(addr)}:${type}:0:${bytes.length.toString(16)}:${bufferToHex(bytes)}`;
}

/** qTfV/qTsV: `n:value:builtin:name`. */
export function traceVariablePiece(number: number, initial: bigint, name: string): string {
  return `${number.toString(16)}:${bigintToHex(BigInt.asUintN(64, initial))}:0:${textToHex(name)}`;
}

/** The end of a qTfP/qTsP or qTfV/qTsV list, and of qTBuffer's data. */
export function traceListEnd(): string {
  return 'l';
}

/** qTV: `V<value>`, or `U` when the value is unknown. */
export function traceVariableValueReply(value: bigint | undefined): string {
  return value === undefined ? 'U' : `V${bigintToHex(BigInt.asUintN(64, value))}`;
}

/** qTMinFTPILen: the shortest instruction a fast tracepoint needs; 0 for unknown. */
export function minFastTracepointLength(len: number): string {
  return len.toString(16);
}

/** The traceframe-info document: the memory blocks and variables the frame holds. */
export function traceframeInfoXml(
  memory: ReadonlyArray<{ addr: bigint; length: number }>,
  variables: ReadonlyArray<number>,
): string {
  const parts = ['<traceframe-info>\n'];
  for (const m of memory)
    parts.push(`<memory start="0x${bigintToHex(m.addr)}" length="0x${m.length.toString(16)}"/>\n`);
  for (const v of variables) parts.push(`<tvar id="${v}"/>\n`);
  parts.push('</traceframe-info>\n');
  return parts.join('');
}

/**
 * Register bytes where some are unavailable (a trace frame that did not collect them): each
 * segment is bytes known, or a count of bytes unknown (`xx` each, GDB manual, "Packets", g).
 */
export function partialRegisters(segments: ReadonlyArray<Uint8Array | number>): string {
  let out = '';
  for (const seg of segments) out += typeof seg === 'number' ? 'xx'.repeat(seg) : bufferToHex(seg);
  return out;
}
