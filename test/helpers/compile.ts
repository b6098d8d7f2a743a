// Compiles the C test programs under test/fixtures/ on demand, once per test process, into a
// private temporary directory (never into the source tree, so tests leave nothing behind).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** test/fixtures in the source tree (this file runs from dist/test/helpers). */
export const fixturesDir = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../../test/fixtures',
);

let outDir: string | undefined;
const built = new Map<string, Promise<string>>();

function workDir(): string {
  if (outDir === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'ntrace-fixtures-'));
    outDir = dir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return outDir;
}

export interface CompileOptions {
  /** Extra gcc flags, e.g. ['-pthread'] or ['-shared', '-fPIC']. */
  flags?: string[];
  /** Output file name; defaults to the source name without .c. */
  output?: string;
}

/**
 * Builds test/fixtures/<name> (a .c file) with debug info and no optimisation, so gdb sees every
 * line and variable. Resolves with the absolute path of the executable.
 */
export function compileFixture(name: string, opts: CompileOptions = {}): Promise<string> {
  const output = opts.output ?? name.replace(/\.c$/, '');
  const key = `${name}\0${output}\0${(opts.flags ?? []).join(' ')}`;
  let p = built.get(key);
  if (p === undefined) {
    const out = join(workDir(), output);
    p = run('gcc', [
      '-g',
      '-O0',
      '-fno-omit-frame-pointer',
      ...(opts.flags ?? []),
      '-o',
      out,
      join(fixturesDir, name),
    ]).then(() => out);
    built.set(key, p);
  }
  return p;
}
