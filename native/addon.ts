// Loads the compiled addon (build/Release/ntrace.node) and types what it exports.
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The addon's Channel: an ntrace fd with uv_poll readability and queued writes. */
export interface NativeChannel {
  /** onData gets whole records (one or more per call); onEnd gets an errno name or null at EOF. */
  start(onData: (records: Buffer) => void, onEnd: (code: string | null) => void): void;
  /** One or more whole command records. Throws an Error with `code` on failure. */
  write(records: Buffer): void;
  /** Idempotent. For the userspace engine: tears the session down and joins its thread. */
  close(): void;
  fd(): number;
}

export interface NativeAddon {
  Channel: {
    new (kind: 'user'): NativeChannel;
    new (kind: 'device', path: string): NativeChannel;
  };
  abiVersion: number;
  device: string;
}

let cached: NativeAddon | undefined;

/** dist/native/addon.js -> <root>/build/Release/ntrace.node */
export const addonPath = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../build/Release/ntrace.node',
);

export function loadAddon(): NativeAddon {
  if (cached === undefined) {
    const require = createRequire(import.meta.url);
    cached = require(addonPath) as NativeAddon;
  }
  return cached;
}
