// The descriptors one connection sees: small integers of its own, never the stub's fds, so a
// client can reach only files it opened (gdbserver's require_valid_fd keeps the same rule).
export class FdTable<T> {
  private readonly entries = new Map<number, T>();

  /**
   * @param first the lowest number handed out; 3, like the first open(2) of a fresh process.
   * @param limit how many entries may be open at once.
   */
  constructor(
    private readonly first: number,
    private readonly limit: number,
  ) {}

  get full(): boolean {
    return this.entries.size >= this.limit;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Stores the value under the lowest free number; undefined when the table is full. */
  add(value: T): number | undefined {
    if (this.full) return undefined;
    let fd = this.first;
    while (this.entries.has(fd)) fd++;
    this.entries.set(fd, value);
    return fd;
  }

  get(fd: number): T | undefined {
    return this.entries.get(fd);
  }

  remove(fd: number): T | undefined {
    const value = this.entries.get(fd);
    this.entries.delete(fd);
    return value;
  }

  /** Empties the table, returning what it held. */
  drain(): T[] {
    const values = [...this.entries.values()];
    this.entries.clear();
    return values;
  }
}
