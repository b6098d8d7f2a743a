// RecordChannel: raw ntrace records over either provider. The Engine is built on it; tests
// use it directly to send malformed bytes.
import { existsSync } from 'node:fs';
import { loadAddon, type NativeChannel, type NativeReadMem, type SyscallCounts } from './addon.js';
import { DEVICE_PATH } from './constants.js';
import { splitRecords } from './records.js';
import type { Backend } from './types.js';

export type RecordListener = (rec: Buffer) => void;
export type EndListener = (code: string | null) => void;

export class RecordChannel {
  readonly backend: Backend;
  #native: NativeChannel;
  #onRecord: RecordListener[] = [];
  #onEnd: EndListener[] = [];
  #queue: Buffer[] = [];
  #waiters: { resolve: (rec: Buffer) => void; reject: (err: Error) => void }[] = [];
  #ended: string | null | undefined;
  #closed = false;
  /** Record buffers that arrived while a listener was being called (delivered after, in order). */
  #inbox: Buffer[] = [];
  #delivering = false;
  /** readMemNow's reader and the buffer it is bound to. */
  #readMem: NativeReadMem | undefined;
  #readInto: Buffer | undefined;

  private constructor(native: NativeChannel, backend: Backend) {
    this.#native = native;
    this.backend = backend;
    native.start(
      (buf) => this.#data(buf),
      (code) => this.#end(code),
    );
  }

  /** A fresh userspace engine, run by this thread. */
  static user(): RecordChannel {
    return new RecordChannel(new (loadAddon().Channel)('user'), 'user');
  }

  /** The kernel provider; throws (code ENOENT, EACCES, ...) when the device cannot be opened. */
  static device(path: string = DEVICE_PATH): RecordChannel {
    return new RecordChannel(new (loadAddon().Channel)('device', path), 'kernel');
  }

  static deviceExists(path: string = DEVICE_PATH): boolean {
    return existsSync(path);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Writes whole command records (any bytes: validation is the provider's job). Both providers
   * run them before this returns; their replies, and the events known by then, are delivered
   * before it returns too (after the records of any delivery in progress, in order).
   */
  send(records: Buffer): void {
    const out = this.#native.write(records);
    if (out !== undefined) this.#data(out);
  }

  /**
   * The userspace engine's READ_MEM run now, with no record: the count read into `into`, or
   * -errno. Undefined when its reply would not be the next record delivered (the device, a
   * delivery in progress, records waiting, commands held back).
   */
  readMemNow(pid: number, addr: number | bigint, length: number, into: Buffer): number | undefined {
    if (this.#closed || this.#delivering || this.backend !== 'user') return undefined;
    // The stub reads into one buffer: its reader is bound once, not looked up per read.
    if (into !== this.#readInto || this.#readMem === undefined) {
      this.#readMem = this.#native.readMemFn(into);
      this.#readInto = into;
    }
    return this.#readMem(pid, addr, length);
  }

  /**
   * The system calls the userspace engines of this thread have made so far, by kind (for tests:
   * what a hit or a step costs, counted, never timed). Undefined for the device.
   */
  syscallCounts(): SyscallCounts | undefined {
    return this.#closed ? undefined : this.#native.syscallCounts();
  }

  /**
   * Stops reading the fd: records wait in the provider (which may drop droppable reports and
   * announce them with a LOST record). For a consumer that cannot keep up, and for tests.
   */
  pauseReading(): void {
    if (!this.#closed) this.#native.setReading(false);
  }

  resumeReading(): void {
    if (!this.#closed) this.#native.setReading(true);
  }

  /** Every record as it arrives. While no listener is set, records queue for next(). */
  onRecord(listener: RecordListener): void {
    this.#onRecord.push(listener);
    const q = this.#queue;
    this.#queue = [];
    for (const rec of q) listener(rec);
  }

  onEnd(listener: EndListener): void {
    this.#onEnd.push(listener);
  }

  /** The next record (for tests and tools that read the stream by hand). */
  next(): Promise<Buffer> {
    const rec = this.#queue.shift();
    if (rec !== undefined) return Promise.resolve(rec);
    if (this.#ended !== undefined || this.#closed) {
      return Promise.reject(new Error(`channel ended: ${this.#ended ?? 'closed'}`));
    }
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#native.close();
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w.reject(new Error('channel closed'));
  }

  #data(buf: Buffer): void {
    if (this.#delivering) {
      this.#inbox.push(buf);
      return;
    }
    this.#delivering = true;
    try {
      for (let b: Buffer | undefined = buf; b !== undefined; b = this.#inbox.shift()) {
        this.#split(b);
      }
    } finally {
      this.#delivering = false;
    }
  }

  /** Hands out each record of buf (whole records, split by hdr.len). */
  #split(buf: Buffer): void {
    for (const rec of splitRecords(buf)) {
      const w = this.#waiters.shift();
      if (w !== undefined) w.resolve(rec);
      else if (this.#onRecord.length === 0) this.#queue.push(rec);
      else for (const l of this.#onRecord) l(rec);
    }
  }

  #end(code: string | null): void {
    this.#ended = code;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w.reject(new Error(`channel ended: ${code ?? 'EOF'}`));
    for (const l of this.#onEnd) l(code);
  }
}
