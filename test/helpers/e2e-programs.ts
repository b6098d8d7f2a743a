// The e2e debuggees, compiled on demand from test/fixtures/e2e-*.c.
import { dirname } from 'node:path';
import { compileFixture } from './compile.js';

/** e2e-basic linked against libe2e.so (found through its rpath). */
export async function basicProgram(): Promise<string> {
  const lib = await compileFixture('e2e-lib.c', {
    flags: ['-shared', '-fPIC'],
    output: 'libe2e.so',
  });
  return compileFixture('e2e-basic.c', {
    flags: ['-Wl,--no-as-needed', lib, `-Wl,-rpath,${dirname(lib)}`],
  });
}

export function threadsProgram(): Promise<string> {
  return compileFixture('e2e-threads.c', { flags: ['-pthread'] });
}

export function signalsProgram(): Promise<string> {
  return compileFixture('e2e-signals.c');
}

export function loopProgram(): Promise<string> {
  return compileFixture('e2e-loop.c');
}

export function forkProgram(): Promise<string> {
  return compileFixture('e2e-fork.c');
}

export function spinThreadsProgram(): Promise<string> {
  return compileFixture('e2e-spin-threads.c', { flags: ['-pthread'] });
}

export function execProgram(): Promise<string> {
  return compileFixture('e2e-exec.c');
}

/** Threads with a thread-local variable each; `static` links it statically (no link_map). */
export function tlsProgram(opts: { static?: boolean } = {}): Promise<string> {
  return opts.static
    ? compileFixture('e2e-tls.c', { flags: ['-pthread', '-static'], output: 'e2e-tls-static' })
    : compileFixture('e2e-tls.c', { flags: ['-pthread'] });
}

/** One worker that returns at once while main waits in pthread_join. */
export function loneExitProgram(): Promise<string> {
  return compileFixture('e2e-lone-exit.c', { flags: ['-pthread'] });
}
