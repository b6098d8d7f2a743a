// Stops the stub causes on its own (the single-step of an injected mmap/munmap for `_M`/`_m`)
// are not the client's business: no stop reply may reach the wire for them (lldb-server's
// NativeProcessLinux::Syscall likewise waits for its step internally). While such a call runs,
// the session hands the target's next stop here instead of reporting it.
import type { TargetStop } from '../target.js';

/** Per target (its BaseOps), the one internal stop being waited for. */
const waiting = new WeakMap<object, (stop: TargetStop) => void>();

/**
 * A promise for the next stop of `target`; call before resuming it. Calls are sequential (the
 * session handles one packet at a time), so a waiter still present belongs to a call whose
 * resume failed and which will never stop: it is replaced.
 */
export function awaitInternalStop(target: object): Promise<TargetStop> {
  return new Promise((resolve) => {
    waiting.set(target, resolve);
  });
}

/** Called by the session for every stop: true when the stop was internal and is now taken. */
export function takeInternalStop(target: object, stop: TargetStop): boolean {
  const resolve = waiting.get(target);
  if (!resolve) return false;
  waiting.delete(target);
  resolve(stop);
  return true;
}
