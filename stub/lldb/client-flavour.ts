// Which debugger is on the other end, from its qSupported features. LLDB sends
// `xmlRegisters=i386,arm,mips,arc` (older: `i386,arm,mips`) and none of GDB's own markers; GDB
// also sends `xmlRegisters=i386` on x86, but always with `qRelocInsn+` (every GDB since 7.x) and
// `vContSupported+` (7.12+). Used to serve `x` and vFile per flavour and to add LLDB's keys.
import type { Feature } from '../../rsp/packets/supported-features.js';

export type ClientFlavour = 'gdb' | 'lldb' | 'unknown';

/** Features only GDB announces (gdb/remote.c remote_query_supported). */
const GDB_ONLY = ['qRelocInsn', 'vContSupported', 'QThreadEvents', 'no-resumed', 'error-message'];

/** Accepts parsed features or the raw `name+`/`name=value` items. */
export function detectClientFlavour(features: readonly (Feature | string)[]): ClientFlavour {
  const names = new Map<string, string | undefined>();
  for (const f of features) {
    if (typeof f === 'string') {
      const eq = f.indexOf('=');
      if (eq > 0) names.set(f.slice(0, eq), f.slice(eq + 1));
      else names.set(f.replace(/[+\-?]$/, ''), undefined);
    } else {
      names.set(f.name, f.kind === 'value' ? f.value : undefined);
    }
  }
  if (GDB_ONLY.some((n) => names.has(n))) return 'gdb';
  const xml = names.get('xmlRegisters');
  if (xml !== undefined) return 'lldb';
  return 'unknown';
}
