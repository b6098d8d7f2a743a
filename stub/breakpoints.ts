// The software-breakpoint set as GDB sees it, synced to the target lazily. GDB 13 removes and
// re-inserts a breakpoint around every step over it (z0, vCont;s, Z0): a removal is only
// recorded, a re-insertion cancels it, and what is still removed is flushed at the next resume.
// A removal at the pc of a thread that is only single-stepping stays in the target, since a
// target that owns its int3s steps over them anyway; the next flush takes it out if GDB did not
// put it back. Insertions go to the target at once so that an invalid address gets its E reply.
import type { BreakpointOps } from './target.js';

export class SwBreakpoints {
  /** Addresses GDB has inserted. */
  private readonly wanted = new Set<bigint>();
  /** Addresses set in the target. */
  private readonly inTarget = new Set<bigint>();

  constructor(private readonly ops: BreakpointOps) {}

  has(addr: bigint): boolean {
    return this.wanted.has(addr);
  }

  async insert(addr: bigint): Promise<void> {
    if (this.wanted.has(addr)) return;
    if (!this.inTarget.has(addr)) {
      await this.ops.setSwBreakpoint(addr);
      this.inTarget.add(addr);
    }
    this.wanted.add(addr);
  }

  remove(addr: bigint): void {
    this.wanted.delete(addr);
  }

  /**
   * Makes the target match GDB's set before a resume. `keep` names addresses that may stay
   * (the pcs of single-stepping threads).
   */
  async flush(keep: ReadonlySet<bigint> = new Set()): Promise<void> {
    // Issued together: the engine takes them in order from one batch of writes.
    const clears: Promise<void>[] = [];
    for (const addr of [...this.inTarget]) {
      if (this.wanted.has(addr) || keep.has(addr)) continue;
      this.inTarget.delete(addr);
      clears.push(this.ops.clearSwBreakpoint(addr));
    }
    if (clears.length === 0) return;
    const results = await Promise.allSettled(clears);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }

  /** Clears everything from the target (before detach). */
  async clearAll(): Promise<void> {
    this.wanted.clear();
    await this.flush();
  }

  /** Addresses still set in the target that GDB has removed (kept for a step). */
  lingering(): bigint[] {
    return [...this.inTarget].filter((a) => !this.wanted.has(a));
  }

  /** After an exec the old image took every int3 with it: forget them without target calls. */
  forgetAll(): void {
    this.wanted.clear();
    this.inTarget.clear();
  }

  /** Number of breakpoints in the target (for tests). */
  get targetCount(): number {
    return this.inTarget.size;
  }
}
