// Fork children reported to GDB and not detached or adopted yet. A child's first events arrive
// before anyone adopts it (GDB decides after the fork stop): they are held here until then.
import type { Engine, EngineEvent, StopEvent } from '../../native/types.js';

export class ForkChildren {
  private readonly held = new Map<number, { handle: bigint; events: EngineEvent[] }>();

  /** Children's pids, oldest first. */
  pids(): number[] {
    return [...this.held.keys()];
  }

  /** The parent's fork or vfork stop: the child is known from now on. */
  noteFork(ev: StopEvent): void {
    const child = Number(ev.data[1] ?? 0n);
    this.held.set(child, { handle: ev.data[0] ?? 0n, events: [] });
  }

  /** Keeps `ev` when it belongs to a child not adopted yet; true when it did. */
  hold(ev: EngineEvent): boolean {
    const pid = 'pid' in ev ? ev.pid : 'thread' in ev ? ev.thread.tgid : undefined;
    const entry = pid !== undefined ? this.held.get(pid) : undefined;
    if (!entry) return false;
    entry.events.push(ev);
    return true;
  }

  /** Takes the child out, for adoption: its engine handle and the events held so far. */
  take(pid: number): { handle: bigint; events: EngineEvent[] } | undefined {
    const entry = this.held.get(pid);
    this.held.delete(pid);
    return entry;
  }

  forget(pid: number): void {
    this.held.delete(pid);
  }

  /** Children GDB never detached go the way of their parent. */
  async release(engine: Engine, kill: boolean): Promise<void> {
    for (const pid of this.held.keys()) {
      await (kill ? engine.kill(pid) : engine.detach(pid)).catch(() => {});
    }
    this.held.clear();
  }
}
