// The native binding's entry point: openEngine() picks a provider and says hello.
import { RecordChannel } from './channel.js';
import { NtraceEngine } from './engine.js';
import type { BackendChoice, Engine, OpenOptions } from './types.js';

export { RecordChannel } from './channel.js';
export { NtraceEngine } from './engine.js';
export * from './types.js';

/** NTRACE_BACKEND=kernel|user|auto overrides the default choice (for tests). */
export function defaultBackend(): BackendChoice {
  const env = process.env.NTRACE_BACKEND;
  return env === 'kernel' || env === 'user' || env === 'auto' ? env : 'auto';
}

/** A raw record channel to the chosen provider (no HELLO sent). */
export function openChannel(backend: BackendChoice = defaultBackend()): RecordChannel {
  if (backend === 'kernel') return RecordChannel.device();
  if (backend === 'user') return RecordChannel.user();
  return RecordChannel.deviceExists() ? RecordChannel.device() : RecordChannel.user();
}

/**
 * 'auto': /dev/ntrace when it exists and answers HELLO, else the userspace engine.
 * 'kernel' and 'user' force one and fail clearly when it is unavailable.
 */
export async function openEngine(opts: OpenOptions = {}): Promise<Engine & NtraceEngine> {
  const backend = opts.backend ?? defaultBackend();
  if (backend === 'user') return NtraceEngine.open(RecordChannel.user());
  if (backend === 'kernel') return NtraceEngine.open(RecordChannel.device());
  if (RecordChannel.deviceExists()) {
    try {
      return await NtraceEngine.open(RecordChannel.device());
    } catch {
      // No usable module (permissions, ABI mismatch): the userspace engine serves instead.
    }
  }
  return NtraceEngine.open(RecordChannel.user());
}
