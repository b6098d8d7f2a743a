// Fork stops: the child a fork left behind, cleaned of the stub's own int3s and, with
// multiprocess ids, adopted as a process of the session before GDB hears of the fork.
import type { SessionContext } from './context.js';
import type { SessionCore } from './session-core.js';
import type { TargetStop } from './target.js';

/**
 * With multiprocess ids GDB debugs a fork child as an inferior of its own: it becomes a
 * process of the session (stopped) before the fork is reported.
 */
export async function adoptForkChild(
  s: SessionCore,
  ctx: SessionContext,
  stop: TargetStop,
): Promise<void> {
  if (stop.kind !== 'stopped') return;
  if (stop.cause.type !== 'fork' && stop.cause.type !== 'vfork') return;
  const forks = ctx.target.forks;
  if (!ctx.client.multiprocess || !forks?.adoptChild) return;
  try {
    const child = await forks.adoptChild(stop.cause.child.pid);
    s.setTarget(child, false);
  } catch (err) {
    s.log(`fork child ${stop.cause.child.pid}: ${(err as Error).message}`);
  }
}

/**
 * A fork child inherits every int3 in the parent; GDB removes those it knows of, but not one
 * the stub kept in place for a step (stub/breakpoints.ts): take those out here.
 */
export async function cleanFork(ctx: SessionContext, stop: TargetStop): Promise<void> {
  if (stop.kind !== 'stopped' || !ctx.target.forks) return;
  if (stop.cause.type !== 'fork' && stop.cause.type !== 'vfork') return;
  for (const addr of ctx.swBreakpoints?.lingering() ?? []) {
    await ctx.target.forks.clearChildBreakpoint(stop.cause.child.pid, addr).catch(() => {});
  }
}

/** Both, in order: the child is clean before the session may adopt it. */
export async function settleFork(
  s: SessionCore,
  ctx: SessionContext,
  stop: TargetStop,
): Promise<void> {
  await cleanFork(ctx, stop);
  await adoptForkChild(s, ctx, stop);
}

/** A fork or vfork stop, whose child settleFork cleans and adopts before the reply. */
export function isFork(stop: TargetStop): boolean {
  return stop.kind === 'stopped' && (stop.cause.type === 'fork' || stop.cause.type === 'vfork');
}
