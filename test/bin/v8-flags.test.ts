// The server's V8 settings are in force: bin/v8-flags.js sets them at run time (a flag V8 reads
// only at startup would do nothing there), and the CLI loads it before anything else.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import test from 'ava';

const run = promisify(execFile);
const bin = resolve(dirname(fileURLToPath(import.meta.url)), '../../bin');

/**
 * The kinds of garbage collection (perf_hooks' NODE_PERFORMANCE_GC_*) a fresh process runs while
 * it fills its old generation with ~60 MB of live objects, with the flags module loaded first or
 * not at all.
 */
async function gcKinds(withFlags: boolean): Promise<{ major: number; incremental: number }> {
  const script = `
    ${withFlags ? `await import(${JSON.stringify(join(bin, 'v8-flags.js'))});` : ''}
    const { PerformanceObserver, constants } = await import('node:perf_hooks');
    const seen = { major: 0, incremental: 0 };
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        if (e.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) seen.major++;
        if (e.detail.kind === constants.NODE_PERFORMANCE_GC_INCREMENTAL) seen.incremental++;
      }
    }).observe({ entryTypes: ['gc'] });
    const keep = [];
    for (let i = 0; i < 1e6; i++) keep.push({ i, s: 'x' + i });
    setImmediate(() => setImmediate(() => console.log(JSON.stringify(seen), keep.length)));
  `;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script]);
  return JSON.parse(stdout.split(' ')[0]!) as { major: number; incremental: number };
}

test('--no-incremental-marking: the old generation fills with mark-compacts and no incremental marking', async (t) => {
  // Without the module the same allocation starts incremental marking: the check below can fail.
  const plain = await gcKinds(false);
  t.true(plain.incremental > 0, JSON.stringify(plain));
  const flagged = await gcKinds(true);
  t.true(flagged.major > 0, JSON.stringify(flagged));
  t.is(flagged.incremental, 0, JSON.stringify(flagged));
});

test('the CLI loads the flags module before any other', (t) => {
  const source = readFileSync(join(bin, 'ntrace-gdbserver.js'), 'utf8');
  const first = /^import\s[^;]*?['"]([^'"]+)['"]/m.exec(source);
  t.is(first?.[1], './v8-flags.js');
});
