// Compiles the C test programs under test/fixtures/ on demand, once per test process, into a
// private temporary directory (never into the source tree, so tests leave nothing behind).
// NTRACE_FIXTURE_CACHE=<dir> (set in the QEMU guest, where gcc runs emulated and every test
// file would compile the same fixtures again): executables are kept there across processes.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
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
    const cache = process.env.NTRACE_FIXTURE_CACHE;
    p = cache
      ? cached(cache, name, output, key, opts.flags ?? [])
      : gcc(name, join(workDir(), output), opts.flags ?? []);
    built.set(key, p);
  }
  return p;
}

/** kmod/ in the source tree. */
const kmodDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../kmod');

/**
 * Builds a host harness test/fixtures/<name> linked with the kernel module's kmod/<source>, so
 * the module's C runs in userspace; warnings are errors.
 */
export function compileKmodHarness(name: string, source: string): Promise<string> {
  return compileFixture(name, {
    flags: ['-std=gnu11', '-Wall', '-Wextra', '-Werror', '-I', kmodDir, join(kmodDir, source)],
  });
}

/** Runs a built harness with `input` on its stdin; resolves with all it wrote on its stdout. */
export async function runHarness(
  harness: Promise<string>,
  input: string,
  maxBuffer: number,
): Promise<string> {
  const child = execFile(await harness, { maxBuffer });
  let out = '';
  child.stdout!.on('data', (d: string) => {
    out += d;
  });
  const done = new Promise<void>((res, rej) => {
    child.on('error', rej);
    child.on('close', () => res());
  });
  child.stdin!.end(input);
  await done;
  return out;
}

function gcc(name: string, out: string, flags: string[]): Promise<string> {
  return run('gcc', [
    '-g',
    '-O0',
    '-fno-omit-frame-pointer',
    ...flags,
    '-o',
    out,
    join(fixturesDir, name),
  ]).then(() => out);
}

/**
 * The cached executable for `key` and the source's bytes: built under a name of this process
 * and renamed into place, so a concurrent test process sees a whole file or none (and at
 * worst builds it too). Only for the guest's run: nothing removes the directory.
 */
async function cached(
  dir: string,
  name: string,
  output: string,
  key: string,
  flags: string[],
): Promise<string> {
  const hash = createHash('sha256')
    .update(key)
    .update(readFileSync(join(fixturesDir, name)))
    .digest('hex');
  // A directory per build keeps the executable's own name (its comm, which tests may show).
  const out = join(dir, hash.slice(0, 16), output);
  if (existsSync(out)) return out;
  mkdirSync(dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  await gcc(name, tmp, flags);
  renameSync(tmp, out);
  return out;
}
