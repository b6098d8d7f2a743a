// The trace buffer: trace frames in the order they were made, bounded in bytes as gdbserver's
// (tracepoint.cc: a frame is a 6-byte header and its blocks: `R` + the register block, `M` + an
// 8-byte address + a 2-byte length + the bytes, `V` + a 4-byte number + an 8-byte value). When
// it is full a linear buffer refuses the frame (the run stops, `tfull`) and a circular one drops
// its oldest frames. qTBuffer serves the frames in that same byte layout (tsave).

export const DEFAULT_TRACE_BUFFER_SIZE = 5 * 1024 * 1024;

const FRAME_HEADER = 6;
const MEMORY_BLOCK_HEADER = 1 + 8 + 2;
const VARIABLE_BLOCK = 1 + 4 + 8;
/** gdbserver splits memory blocks at 16-bit lengths. */
const MAX_MEMORY_BLOCK = 65535;

export interface MemoryBlock {
  addr: bigint;
  data: Buffer;
}

export class TraceFrame {
  /** The g packet's bytes at the hit (`R` action), pc set to where it stopped. */
  registers: Buffer | undefined;
  readonly memory: MemoryBlock[] = [];
  readonly variables: { number: number; value: bigint }[] = [];
  size = FRAME_HEADER;

  constructor(
    readonly tracepoint: number,
    /** Where the thread was (the tracepoint's address). */
    readonly pc: bigint,
  ) {}

  addRegisters(block: Buffer): void {
    this.registers = block;
    this.size += 1 + block.length;
  }

  addMemory(addr: bigint, data: Buffer): void {
    for (let off = 0; off < data.length || off === 0; off += MAX_MEMORY_BLOCK) {
      const part = data.subarray(off, off + MAX_MEMORY_BLOCK);
      this.memory.push({ addr: addr + BigInt(off), data: part });
      this.size += MEMORY_BLOCK_HEADER + part.length;
      if (data.length === 0) break;
    }
  }

  addVariable(number: number, value: bigint): void {
    this.variables.push({ number, value });
    this.size += VARIABLE_BLOCK;
  }

  /**
   * The bytes at addr held by the first block that holds addr, as many as that block has (gdb
   * asks again for the rest; tracepoint.cc traceframe_read_mem).
   */
  readMemory(addr: bigint, length: number): Buffer | undefined {
    for (const m of this.memory) {
      if (addr >= m.addr && addr < m.addr + BigInt(m.data.length)) {
        const start = Number(addr - m.addr);
        return m.data.subarray(start, Math.min(m.data.length, start + length));
      }
    }
    return undefined;
  }

  /** The last value of variable n the frame recorded. */
  variable(n: number): bigint | undefined {
    let v: bigint | undefined;
    for (const x of this.variables) if (x.number === n) v = x.value;
    return v;
  }

  /** gdbserver's byte layout of this frame (little-endian, as on x86-64). */
  serialize(): Buffer {
    const out = Buffer.alloc(this.size);
    out.writeUInt16LE(this.tracepoint & 0xffff, 0);
    out.writeUInt32LE(this.size - FRAME_HEADER, 2);
    let p = FRAME_HEADER;
    if (this.registers) {
      out[p++] = 0x52; // 'R'
      p += this.registers.copy(out, p);
    }
    for (const m of this.memory) {
      out[p++] = 0x4d; // 'M'
      out.writeBigUInt64LE(m.addr, p);
      out.writeUInt16LE(m.data.length, p + 8);
      p += 10;
      p += m.data.copy(out, p);
    }
    for (const v of this.variables) {
      out[p++] = 0x56; // 'V'
      out.writeInt32LE(v.number, p);
      out.writeBigInt64LE(v.value, p + 4);
      p += 12;
    }
    return out;
  }
}

export class TraceBuffer {
  frames: TraceFrame[] = [];
  used = 0;
  /** Frames made in this run, including those a circular buffer dropped. */
  created = 0;
  circular = false;

  constructor(public size = DEFAULT_TRACE_BUFFER_SIZE) {}

  get free(): number {
    return Math.max(0, this.size - this.used);
  }

  clear(): void {
    this.frames = [];
    this.used = 0;
    this.created = 0;
  }

  /** Adds a finished frame; false when it does not fit (the buffer is full). */
  add(frame: TraceFrame): boolean {
    if (frame.size > this.size) return false;
    if (this.used + frame.size > this.size) {
      if (!this.circular) return false;
      while (this.used + frame.size > this.size && this.frames.length > 0)
        this.used -= this.frames.shift()!.size;
    }
    this.frames.push(frame);
    this.used += frame.size;
    this.created++;
    return true;
  }

  /**
   * The first frame after `from` matching `test` and its number (gdbserver's searches start
   * after the selected frame and do not wrap).
   */
  findAfter(
    from: number,
    test: (f: TraceFrame) => boolean,
  ): { frame: TraceFrame; number: number } | undefined {
    for (let i = from + 1; i < this.frames.length; i++) {
      const f = this.frames[i]!;
      if (test(f)) return { frame: f, number: i };
    }
    return undefined;
  }

  /** `length` bytes of the serialized buffer from `offset` (qTBuffer). */
  read(offset: number, length: number): Buffer {
    const all = Buffer.concat(this.frames.map((f) => f.serialize()));
    return all.subarray(offset, offset + length);
  }
}
