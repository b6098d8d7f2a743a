// An interpreter for GDB's agent expression bytecodes (GDB manual, "Agent Expressions",
// "Bytecode Descriptions"), for tracepoint conditions and collection actions. It mirrors
// gdbserver's ax.cc gdb_eval_agent_expr: 64-bit values (BigInt: agent values are 64-bit and
// these run once per tracepoint hit, not per packet), memory and registers through the
// collection context, `trace`/`trace_quick`/`trace16`/`tracenz`/`tracev` recording into the
// trace frame being built. Floating-point ops and printf are refused, as gdbserver refuses them
// (printf prints nothing here: tracepoints have no dprintf channel).

/** What an expression may read and record. */
export interface AxContext {
  /** Register `n` in GDB's numbering (the g packet's order), zero-extended. */
  register(n: number): Promise<bigint> | bigint;
  /** `length` bytes at `addr`; shorter when memory ends (the missing bytes read as zero). */
  readMemory(addr: bigint, length: number): Promise<Buffer>;
  getVariable(n: number): bigint;
  setVariable(n: number, value: bigint): void;
  /** Records memory into the frame (`trace` ops); `untilZero` stops after the first NUL. */
  recordMemory(addr: bigint, length: number, untilZero: boolean): Promise<void>;
  /** Records a trace state variable's current value into the frame (`tracev`). */
  recordVariable(n: number): void;
}

/** gdbserver's eval_result_type names, as qTStatus reports them (`terror`). */
export type AxError =
  | 'unhandled opcode'
  | 'unrecognized opcode'
  | 'stack overflow'
  | 'stack underflow'
  | 'divide by zero'
  | 'empty stack'
  | 'invalid goto'
  | 'truncated expression';

export type AxResult = { ok: true; value: bigint | undefined } | { ok: false; error: AxError };

const STACK_MAX = 100;
const M64 = (1n << 64n) - 1n;

const s64 = (v: bigint) => BigInt.asIntN(64, v);
const u64 = (v: bigint) => v & M64;

/** Runs `code`; the value is the stack top at `end` (undefined when the stack is empty). */
export async function evalAgentExpr(code: Uint8Array, ctx: AxContext): Promise<AxResult> {
  const stack: bigint[] = [];
  let pc = 0;
  const fail = (error: AxError): AxResult => ({ ok: false, error });
  const need = (n: number) => stack.length >= n;
  const imm = (n: number): number => {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + code[pc++]!;
    return v;
  };
  while (pc < code.length) {
    const op = code[pc++]!;
    // Bytes an immediate operand needs: a truncated expression is an error, not garbage.
    const width = IMMEDIATE[op] ?? 0;
    if (pc + width > code.length) return fail('truncated expression');
    if (BINARY.has(op)) {
      if (!need(2)) return fail('stack underflow');
      const b = stack.pop()!;
      const a = stack.pop()!;
      let r: bigint;
      switch (op) {
        case 0x02:
          r = a + b;
          break;
        case 0x03:
          r = a - b;
          break;
        case 0x04:
          r = a * b;
          break;
        case 0x05:
          if (b === 0n) return fail('divide by zero');
          r = s64(a) / s64(b);
          break;
        case 0x06:
          if (b === 0n) return fail('divide by zero');
          r = a / b;
          break;
        case 0x07:
          if (b === 0n) return fail('divide by zero');
          r = s64(a) % s64(b);
          break;
        case 0x08:
          if (b === 0n) return fail('divide by zero');
          r = a % b;
          break;
        case 0x09:
          r = b >= 64n ? 0n : a << b;
          break;
        case 0x0a:
          r = s64(a) >> (b >= 64n ? 63n : b);
          break;
        case 0x0b:
          r = b >= 64n ? 0n : a >> b;
          break;
        case 0x0f:
          r = a & b;
          break;
        case 0x10:
          r = a | b;
          break;
        case 0x11:
          r = a ^ b;
          break;
        case 0x13:
          r = a === b ? 1n : 0n;
          break;
        case 0x14:
          r = s64(a) < s64(b) ? 1n : 0n;
          break;
        default:
          r = a < b ? 1n : 0n; // 0x15 less_unsigned
      }
      stack.push(u64(r));
      continue;
    }
    switch (op) {
      case 0x0c: {
        // trace: addr size =>
        if (!need(2)) return fail('stack underflow');
        const size = stack.pop()!;
        const addr = stack.pop()!;
        await ctx.recordMemory(addr, Number(size), false);
        break;
      }
      case 0x0d: // trace_quick n: addr => addr
      case 0x30: {
        // trace16 n: addr => addr
        const n = imm(op === 0x0d ? 1 : 2);
        if (!need(1)) return fail('stack underflow');
        await ctx.recordMemory(stack[stack.length - 1]!, n, false);
        break;
      }
      case 0x2f: {
        // tracenz: addr size =>
        if (!need(2)) return fail('stack underflow');
        const size = stack.pop()!;
        const addr = stack.pop()!;
        await ctx.recordMemory(addr, Number(size), true);
        break;
      }
      case 0x0e:
        if (!need(1)) return fail('stack underflow');
        stack.push(stack.pop() === 0n ? 1n : 0n);
        break;
      case 0x12:
        if (!need(1)) return fail('stack underflow');
        stack.push(u64(~stack.pop()!));
        break;
      case 0x16: {
        // ext n: sign-extend from n bits
        const n = imm(1);
        if (!need(1)) return fail('stack underflow');
        if (n > 0 && n < 64) stack.push(u64(BigInt.asIntN(n, stack.pop()!)));
        break;
      }
      case 0x2a: {
        // zero_ext n
        const n = imm(1);
        if (!need(1)) return fail('stack underflow');
        if (n < 64) stack.push(BigInt.asUintN(n, stack.pop()!));
        break;
      }
      case 0x17:
      case 0x18:
      case 0x19:
      case 0x1a: {
        // ref8/16/32/64: addr => value
        if (!need(1)) return fail('stack underflow');
        const size = 1 << (op - 0x17);
        const buf = await ctx.readMemory(stack.pop()!, size);
        let v = 0n;
        for (let i = Math.min(size, buf.length) - 1; i >= 0; i--) v = (v << 8n) | BigInt(buf[i]!);
        stack.push(v);
        break;
      }
      case 0x20: {
        // if_goto: cond =>
        const target = imm(2);
        if (!need(1)) return fail('stack underflow');
        if (stack.pop() !== 0n) {
          if (target >= code.length) return fail('invalid goto');
          pc = target;
        }
        break;
      }
      case 0x21: {
        const target = imm(2);
        if (target >= code.length) return fail('invalid goto');
        pc = target;
        break;
      }
      case 0x22:
      case 0x23:
      case 0x24: {
        stack.push(BigInt(imm(1 << (op - 0x22))));
        break;
      }
      case 0x25: {
        const hi = BigInt(imm(4));
        const lo = BigInt(imm(4));
        stack.push((hi << 32n) | lo);
        break;
      }
      case 0x26:
        stack.push(u64(await ctx.register(imm(2))));
        break;
      case 0x27: // end
        return { ok: true, value: stack.length > 0 ? stack[stack.length - 1] : undefined };
      case 0x28:
        if (!need(1)) return fail('stack underflow');
        stack.push(stack[stack.length - 1]!);
        break;
      case 0x29:
        if (!need(1)) return fail('stack underflow');
        stack.pop();
        break;
      case 0x2b: {
        if (!need(2)) return fail('stack underflow');
        const b = stack.pop()!;
        const a = stack.pop()!;
        stack.push(b, a);
        break;
      }
      case 0x2c: // getv n
        stack.push(u64(ctx.getVariable(imm(2))));
        break;
      case 0x2d: // setv n: v => v
        if (!need(1)) return fail('stack underflow');
        ctx.setVariable(imm(2), s64(stack[stack.length - 1]!));
        break;
      case 0x2e: // tracev n
        ctx.recordVariable(imm(2));
        break;
      case 0x32: {
        // pick n: a ... => a ... a (n items above a)
        const n = imm(1);
        if (!need(n + 1)) return fail('stack underflow');
        stack.push(stack[stack.length - 1 - n]!);
        break;
      }
      case 0x33: {
        // rot: a b c => c a b
        if (!need(3)) return fail('stack underflow');
        const c = stack.pop()!;
        const b = stack.pop()!;
        const a = stack.pop()!;
        stack.push(c, a, b);
        break;
      }
      case 0x01:
      case 0x1b:
      case 0x1c:
      case 0x1d:
      case 0x1e:
      case 0x1f:
      case 0x34:
        return fail('unhandled opcode');
      default:
        return fail('unrecognized opcode');
    }
    if (stack.length >= STACK_MAX) return fail('stack overflow');
  }
  // gdb always ends an expression with `end`; running off the end is the same.
  return { ok: true, value: stack.length > 0 ? stack[stack.length - 1] : undefined };
}

/** Binary arithmetic and comparison ops: a b => a op b. */
const BINARY: ReadonlySet<number> = new Set([
  0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0f, 0x10, 0x11, 0x13, 0x14, 0x15,
]);

/** Bytes of immediate operand after an opcode. */
const IMMEDIATE: Readonly<Record<number, number>> = {
  13: 1,
  22: 1,
  32: 2,
  33: 2,
  34: 1,
  35: 2,
  36: 4,
  37: 8,
  38: 2,
  42: 1,
  44: 2,
  45: 2,
  46: 2,
  48: 2,
  50: 1,
};
