// V8 settings for the server process, applied when this module is evaluated: the CLI imports
// it first, before the rest of the program is loaded.
//
// --no-incremental-marking: the server's heap after startup sits just under the size at which
// V8 starts incremental marking (8 MB), and the first gdb session's compiled code and buffers
// push it over, so every first session ran a mark-compact (3-28 ms of main-thread pauses and
// steps, plus concurrent marking on V8's worker threads, which share the machine's CPUs with gdb).
// Without incremental marking a mark-compact runs only when the old generation reaches its
// limit, which a session does not; the steady packet loops are unchanged (bench/RESULTS.md,
// session 15). The flag is read when V8 decides to start marking, so setting it at run time
// takes effect (test/bin/v8-flags.test.ts).
import { setFlagsFromString } from 'node:v8';

export const V8_FLAGS: readonly string[] = ['--no-incremental-marking'];

for (const flag of V8_FLAGS) setFlagsFromString(flag);
