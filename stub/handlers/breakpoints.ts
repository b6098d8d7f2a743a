// Z/z type,addr,kind (GDB manual, "Packets"): 0 software, 1 hardware, 2 write, 3 read, 4 access
// watchpoints. Software breakpoints go through the stub's lazy set (stub/breakpoints.ts).
import {
  EMPTY,
  errnoOf,
  errorReply,
  type HandlerResult,
  OK,
  type SessionContext,
} from '../context.js';
import type { WatchKind } from '../target.js';

const WATCH_KINDS: Record<number, WatchKind> = { 2: 'write', 3: 'read', 4: 'access' };

export async function setBreakpoint(
  ctx: SessionContext,
  insert: boolean,
  type: number,
  addr: bigint,
  kind: number,
): Promise<HandlerResult> {
  const t = ctx.target;
  try {
    if (type === 0) {
      const set = ctx.swBreakpoints;
      if (!set) return EMPTY;
      if (insert) await set.insert(addr);
      else set.remove(addr);
      return OK;
    }
    if (type === 1) {
      const bp = t.breakpoints;
      if (!bp?.setHwBreakpoint || !bp.clearHwBreakpoint) return EMPTY;
      await (insert ? bp.setHwBreakpoint(addr) : bp.clearHwBreakpoint(addr));
      return OK;
    }
    const watchKind = WATCH_KINDS[type];
    if (!watchKind || !t.watchpoints) return EMPTY;
    // x86 debug registers watch 1, 2, 4 or 8 naturally aligned bytes.
    if (![1, 2, 4, 8].includes(kind) || addr % BigInt(kind) !== 0n) return errorReply(22);
    await (insert
      ? t.watchpoints.setWatchpoint(watchKind, addr, kind)
      : t.watchpoints.clearWatchpoint(watchKind, addr, kind));
    return OK;
  } catch (err) {
    return errorReply(errnoOf(err));
  }
}
