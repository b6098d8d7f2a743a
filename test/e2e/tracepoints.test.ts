// Trap tracepoints driven by real gdb (stub/tracepoints/): trace, actions/collect, tstart, a run
// that never stops for them, tstop, tfind, tdump, tstatus. test/fixtures/trace.c calls record(i)
// for i = 0 .. n-1, then done().
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { compileFixture } from '../helpers/compile.js';
import { haveGdb, runScenario } from '../helpers/e2e-harness.js';

// Skipped only where gdb is not installed (.ci/run installs it): nothing to drive the server with.
const e2e = haveGdb ? test : test.skip;

const prog = () => compileFixture('trace.c');
/** `source` of a script holding an `actions` block: gdb's -ex cannot take its lines. */
async function actions(tracepoint: number, lines: string[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ntrace-actions-'));
  const file = join(dir, 'actions.gdb');
  await writeFile(file, [`actions ${tracepoint}`, ...lines, 'end', ''].join('\n'));
  return `source ${file}`;
}

const resumes = (stderr: string) => (stderr.match(/Sending packet: \$vCont;c/g) ?? []).length;

e2e('collect, tstart, run through every hit without stopping, tfind and tdump', async (t) => {
  const run = await runScenario(
    'ntrace',
    await prog(),
    [
      'break main',
      'continue',
      'trace record',
      await actions(2, ['collect i, counter, text, pair, table[1], $regs']),
      'tstart',
      'break done',
      'set debug remote 1',
      'continue',
      'set debug remote 0',
      'tstop',
      'tstatus',
      'tfind start',
      'print i',
      'print text',
      'print pair',
      'print table[1]',
      'print $pc == (long)record + 0 || $pc > (long)record',
      'tdump',
      'tfind 3',
      'print i',
      'print counter',
      'tfind',
      'tfind',
      'tfind none',
      'info tracepoints',
      'kill',
    ],
    { args: ['5'] },
  );
  t.regex(run.out, /Breakpoint 3, done \(\)/);
  t.regex(run.out, /Collected 5 trace frames\./);
  t.regex(run.out, /Found trace frame 0, tracepoint 2/);
  t.regex(run.out, /\$1 = 0\n\$2 = "trace me\\000/);
  t.regex(run.out, /\$3 = \{a = 7, b = 70\}\n\$4 = 20\n\$5 = 1\n/);
  t.regex(run.out, /Data collected at tracepoint 2, trace frame 0:/);
  t.regex(run.out, /rip\s+0x\w+\s+0x\w+ <record\+\d+>/);
  t.regex(
    run.out,
    /Found trace frame 3, tracepoint 2\n\$6 = 3\n\$7 = 3\n/,
    'counter before record(3)',
  );
  t.regex(run.out, /Found trace frame 4, tracepoint 2/);
  t.regex(
    run.out + run.gdb.stderr,
    /Target failed to find requested trace frame|No trace frame found/,
  );
  t.regex(run.out, /tracepoint already hit 5 times/);
  // One resume to done() after tstart: the 5 hits never reached gdb.
  t.is(resumes(run.gdb.stderr), 1, 'gdb resumed once, the hits were silent');
});

e2e('a condition and a pass count: frames only where it holds, the run stops itself', async (t) => {
  const run = await runScenario(
    'ntrace',
    await prog(),
    [
      'break main',
      'continue',
      'trace record if i % 2 == 1',
      'passcount 2 2',
      await actions(2, ['collect i']),
      'tstart',
      'break done',
      'continue',
      'tstatus',
      'tfind start',
      'print i',
      'tfind',
      'print i',
      'tfind',
      'kill',
    ],
    { args: ['10'] },
  );
  t.regex(run.out, /Trace stopped by tracepoint 2\./);
  t.regex(run.out, /Collected 2 trace frames\./);
  t.regex(run.out, /\$1 = 1\n/);
  t.regex(run.out, /\$2 = 3\n/);
  t.regex(
    run.out + run.gdb.stderr,
    /Target failed to find requested trace frame|No trace frame found/,
  );
});

e2e('a gdb breakpoint at a tracepoint still stops, and the hit is collected once', async (t) => {
  const run = await runScenario(
    'ntrace',
    await prog(),
    [
      'break main',
      'continue',
      'trace record',
      'tstart',
      'break record',
      'continue',
      'continue',
      'delete 3',
      'break done',
      'continue',
      'tstop',
      'tstatus',
      'kill',
    ],
    { args: ['3'] },
  );
  t.regex(run.out, /Breakpoint 3, record \(i=0\)/);
  t.regex(run.out, /Breakpoint 3, record \(i=1\)/);
  t.regex(run.out, /Breakpoint 4, done \(\)/);
  t.regex(run.out, /Collected 3 trace frames\./);
});

e2e('while-stepping: a frame at the hit, then one per step, and the program runs on', async (t) => {
  const run = await runScenario(
    'ntrace',
    await prog(),
    [
      'break main',
      'continue',
      'trace record',
      await actions(2, ['collect i', 'while-stepping 2', 'collect $rip', 'end']),
      'tstart',
      'break done',
      'continue',
      'tstop',
      'tstatus',
      'tfind start',
      'tdump',
      'tfind',
      'tdump',
      'tfind',
      'tdump',
      'tfind',
      'tdump',
      'kill',
    ],
    { args: ['2'] },
  );
  t.regex(run.out, /Breakpoint 3, done \(\)/);
  t.regex(run.out, /Collected 6 trace frames\./);
  t.regex(run.out, /trace frame 0:\ni = 0\n/);
  t.regex(run.out, /trace frame 1:\n\$rip = \(void \(\*\)\(\)\) 0x\w+ <record\+\d+>\n/);
  t.regex(run.out, /trace frame 2:\n\$rip = /);
  t.regex(run.out, /trace frame 3:\ni = 1\n/);
});
