// Whether this machine honours x86 debug registers. Some virtual machines accept DR0-DR7
// through ptrace and never trigger them (native gdb's `watch` never fires there either), so
// tests of hardware breakpoints and watchpoints ask this first. The probe is a C program that
// uses ptrace directly, independent of our engine: test/fixtures/hw-debug-probe.c.
import { execFile } from 'node:child_process';
import { compileFixture } from './compile.js';

function probe(path: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    execFile(path, (err, stdout) => {
      const code = err === null ? 0 : (err as { code?: unknown }).code;
      if (code === 0) resolve(true);
      else if (code === 1) resolve(false);
      else reject(new Error(`hw-debug-probe failed (${String(code)}): ${stdout}`));
    });
  });
}

let result: Promise<boolean> | undefined;

/** True when a write watchpoint and an execute breakpoint in DR0 both trigger here. */
export function hardwareDebugWorks(): Promise<boolean> {
  result ??= compileFixture('hw-debug-probe.c').then(probe);
  return result;
}

/** Why a test that needs debug registers is skipped on this machine. */
export const NO_HW_DEBUG =
  "this machine's debug registers never trigger (test/fixtures/hw-debug-probe.c)";
