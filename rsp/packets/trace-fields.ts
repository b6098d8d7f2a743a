// Field scanning shared by the tracepoint packets (GDB manual, "Tracepoint Packets"): their
// fields are hex numbers of any length ended by whatever follows (`:`, `,`, `-`, an action
// letter), so they are read left to right with a cursor rather than split.
import { errResult, okResult, type Result } from '../errors.js';

/** A cursor over a packet's text. */
export class Scanner {
  constructor(
    readonly text: string,
    public pos = 0,
  ) {}

  get done(): boolean {
    return this.pos >= this.text.length;
  }

  peek(): string {
    return this.text.charAt(this.pos);
  }

  /** Consumes `c` if it is next. */
  eat(c: string): boolean {
    if (this.text.charAt(this.pos) !== c) return false;
    this.pos++;
    return true;
  }

  /** Hex digits as a bigint (at least one digit, at most 64 bits). */
  hex(what: string): Result<bigint> {
    const start = this.pos;
    let v = 0n;
    let n = 0;
    while (this.pos < this.text.length) {
      const d = hexDigit(this.text.charCodeAt(this.pos));
      if (d < 0) break;
      // Bytes of 32 bits at a time would avoid BigInt; these packets are not on a hot path.
      v = (v << 4n) | BigInt(d);
      this.pos++;
      n++;
    }
    if (n === 0) return errResult(`bad ${what}: expected hex at ${start}`);
    if (n > 16 && v >= 1n << 64n) return errResult(`bad ${what}: exceeds 64 bits`);
    return okResult(v);
  }

  /** Hex digits as a number (at most 2^53). */
  num(what: string): Result<number> {
    const start = this.pos;
    let v = 0;
    while (this.pos < this.text.length) {
      const d = hexDigit(this.text.charCodeAt(this.pos));
      if (d < 0) break;
      v = v * 16 + d;
      this.pos++;
    }
    if (this.pos === start) return errResult(`bad ${what}: expected hex at ${start}`);
    if (v > Number.MAX_SAFE_INTEGER) return errResult(`bad ${what}: too large`);
    return okResult(v);
  }

  /** Everything up to `c` (or the end), consuming `c`. */
  until(c: string): string {
    const at = this.text.indexOf(c, this.pos);
    const end = at < 0 ? this.text.length : at;
    const s = this.text.slice(this.pos, end);
    this.pos = at < 0 ? end : end + 1;
    return s;
  }

  rest(): string {
    const s = this.text.slice(this.pos);
    this.pos = this.text.length;
    return s;
  }
}

export function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Hex text to bytes; odd or non-hex text is refused. */
export function hexBytesOf(text: string, what: string): Result<Buffer> {
  if (text.length % 2 !== 0) return errResult(`bad ${what}: odd hex length`);
  const out = Buffer.allocUnsafe(text.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexDigit(text.charCodeAt(2 * i));
    const lo = hexDigit(text.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) return errResult(`bad ${what}: not hex`);
    out[i] = (hi << 4) | lo;
  }
  return okResult(out);
}

/** `Xlen,bytes`: an agent expression (GDB manual, "Tracepoint Packets", QTDP). */
export function scanAgentExpr(s: Scanner): Result<Buffer> {
  if (!s.eat('X')) return errResult('expected X');
  const len = s.num('expression length');
  if (!len.ok) return len;
  if (!s.eat(',')) return errResult('expected , after the expression length');
  const text = s.text.slice(s.pos, s.pos + len.value * 2);
  if (text.length !== len.value * 2) return errResult('agent expression shorter than its length');
  s.pos += text.length;
  return hexBytesOf(text, 'agent expression');
}
