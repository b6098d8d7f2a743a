// All-stop: the wait for the other processes' stops before a stop reply (Session.onStop).
import type { SessionContext } from './context.js';

/** Far above any stop's latency, even under heavy load. */
const OTHERS_STOP_BOUND_MS = 10_000;

/**
 * The others' stops, bounded: a target that promised a stop and never delivers one must not
 * leave GDB without its reply (the reply then goes as before the wait; the stop, if it comes,
 * is still swallowed).
 */
export function othersStopped(
  others: SessionContext[],
  stopped: Promise<void>[],
  log: (line: string) => void,
): Promise<void> {
  if (others.length === 0) return Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      const late = others.filter((o) => o.swallowed).map((o) => o.pid);
      log(`stop reply sent without waiting longer for the stops of ${late.join(', ')}`);
      resolve();
    }, OTHERS_STOP_BOUND_MS);
  });
  return Promise.race([Promise.all(stopped).then(() => {}), bound]).finally(() =>
    clearTimeout(timer),
  );
}
