// Stops the stub causes on its own (the single-step of an injected mmap/munmap for `_M`/`_m`)
// are not the client's business: no stop reply may reach the wire for them (lldb-server's
// NativeProcessLinux::Syscall likewise waits for its step internally). While such a call runs,
// the session hands the target's next stop here instead of reporting it.
import type { TargetStop } from '../target.js';

/** Where a process keeps the one internal stop being waited for (SessionContext). */
export interface InternalStopSlot {
  internalStop: ((stop: TargetStop) => void) | undefined;
}

/**
 * A promise for the next stop of the process; call before resuming it. Calls are sequential
 * (the session handles one packet at a time), so a waiter still present belongs to a call whose
 * resume failed and which will never stop: it is replaced.
 */
export function awaitInternalStop(proc: InternalStopSlot): Promise<TargetStop> {
  return new Promise((resolve) => {
    proc.internalStop = resolve;
  });
}

/** Called by the session for every stop: true when the stop was internal and is now taken. */
export function takeInternalStop(proc: InternalStopSlot, stop: TargetStop): boolean {
  const resolve = proc.internalStop;
  if (!resolve) return false;
  proc.internalStop = undefined;
  resolve(stop);
  return true;
}
