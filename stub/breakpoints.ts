// The software-breakpoint set as GDB sees it, synced to the target lazily. GDB 13 removes and
// re-inserts a breakpoint around every step over it (z0, vCont;s, Z0): a removal is only
// recorded, a re-insertion cancels it, and what is still removed is flushed at the next resume.
// A removal at the pc of a thread that is only single-stepping stays in the target, since a
// target that owns its int3s steps over them anyway; the next flush takes it out if GDB did not
// put it back. Insertions go to the target at once so that an invalid address gets its E reply.
// Conditions and commands (targets with `expressions`) go with the breakpoint: a Z0 that changes
// them for one already in the target replaces them there (gdb re-sends Z0 to update them).
import type { BreakpointExprs, BreakpointOps } from './target.js';

/** Equality key of an expression list ('' for none). */
function exprsKey(x: BreakpointExprs | undefined): string {
  if (!x || (x.conditions.length === 0 && x.commands.length === 0)) return '';
  const hex = (l: Buffer[]) => l.map((b) => b.toString('hex')).join(',');
  return `${hex(x.conditions)};${hex(x.commands)}`;
}

const NONE: ReadonlySet<bigint> = new Set();

export class SwBreakpoints {
  /** Addresses GDB has inserted. */
  private readonly wanted = new Set<bigint>();
  /** Addresses set in the target, with the key of the expressions they carry there. */
  private readonly inTarget = new Map<bigint, string>();
  /** Addresses the stub itself holds (tracepoints): set in the target whatever GDB does. */
  private readonly held = new Set<bigint>();

  constructor(private readonly ops: BreakpointOps) {}

  has(addr: bigint): boolean {
    return this.wanted.has(addr);
  }

  /**
   * Undefined when the target has nothing to do: GDB putting back a breakpoint it removed
   * around a step, which is still in the target (twice per breakpoint hit, answered without a
   * promise).
   */
  insert(addr: bigint, exprs?: BreakpointExprs): Promise<void> | undefined {
    const key = exprsKey(exprs);
    const held = this.inTarget.get(addr);
    if (held === key && !(this.wanted.has(addr) && this.ops.updateSwBreakpoint)) {
      this.wanted.add(addr);
      return undefined;
    }
    return this.insertInTarget(addr, key, held, exprs);
  }

  private async insertInTarget(
    addr: bigint,
    key: string,
    held: string | undefined,
    exprs: BreakpointExprs | undefined,
  ): Promise<void> {
    if (held === undefined) {
      await this.ops.setSwBreakpoint(addr, key === '' ? undefined : exprs);
      this.inTarget.set(addr, key);
    } else if (held !== key) {
      if (!this.ops.updateSwBreakpoint) throw new Error('target cannot update conditions');
      await this.ops.updateSwBreakpoint(addr, key === '' ? undefined : exprs);
      this.inTarget.set(addr, key);
    } else if (this.wanted.has(addr) && this.ops.updateSwBreakpoint) {
      // Inserted again with no removal between: GDB lost it (a library unloaded, with its
      // int3, and maybe another mapped at the same address; gdb.base/unload.exp). Setting it
      // again lets the target put the int3 back (gdbserver: set_gdb_breakpoint_1).
      await this.ops.updateSwBreakpoint(addr, key === '' ? undefined : exprs).catch(() => {});
    }
    this.wanted.add(addr);
  }

  remove(addr: bigint): void {
    this.wanted.delete(addr);
  }

  /** Keeps an int3 at addr for the stub's own use (a tracepoint), beside GDB's breakpoints. */
  async hold(addr: bigint): Promise<void> {
    if (!this.inTarget.has(addr)) {
      await this.ops.setSwBreakpoint(addr);
      this.inTarget.set(addr, '');
    }
    this.held.add(addr);
  }

  /** Lets go of a held address; the next flush clears it unless GDB wants it. */
  release(addr: bigint): void {
    this.held.delete(addr);
  }

  /**
   * Makes the target match GDB's set before a resume. `keep` names addresses that may stay
   * (the pcs of single-stepping threads). Undefined when the target already matches (the
   * usual resume: nothing to wait for).
   */
  flush(keep: ReadonlySet<bigint> = NONE): Promise<void> | undefined {
    const stale = (addr: bigint) =>
      !this.wanted.has(addr) && !keep.has(addr) && !this.held.has(addr);
    let any = false;
    for (const addr of this.inTarget.keys()) if (stale(addr)) any = true;
    if (!any) return undefined;
    // Issued together: the engine takes them in order from one batch of writes.
    const clears: Promise<void>[] = [];
    for (const addr of [...this.inTarget.keys()]) {
      if (!stale(addr)) continue;
      this.inTarget.delete(addr);
      clears.push(this.ops.clearSwBreakpoint(addr));
    }
    return Promise.allSettled(clears).then((results) => {
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
    });
  }

  /** Clears everything from the target (before detach). */
  async clearAll(): Promise<void> {
    this.wanted.clear();
    this.held.clear();
    await this.flush();
  }

  /** Addresses still set in the target that GDB has removed (kept for a step). */
  lingering(): bigint[] {
    return [...this.inTarget.keys()].filter((a) => !this.wanted.has(a));
  }

  /** After an exec the old image took every int3 with it: forget them without target calls. */
  forgetAll(): void {
    this.wanted.clear();
    this.held.clear();
    this.inTarget.clear();
  }

  /** Number of breakpoints in the target (for tests). */
  get targetCount(): number {
    return this.inTarget.size;
  }
}
