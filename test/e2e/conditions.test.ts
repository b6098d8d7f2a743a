// Breakpoint conditions and dprintf evaluated in the engine, driven by real gdb: `set breakpoint
// condition-evaluation target` and `set dprintf-style agent` send agent expressions in Z0
// (ConditionalBreakpoints+, BreakpointCommands+) and the program stops only where gdb must see.
// test/fixtures/cond.c calls hit(i) for i = 0 .. n-1 and exits with 3.
import test from 'ava';
import { haveGdb, ntraceBin, runScenario, spawnGdb } from '../helpers/e2e-harness.js';
import { compileFixture } from '../helpers/compile.js';

// Skipped only where gdb is not installed (.ci/run installs it): nothing to drive the server with.
const e2e = haveGdb ? test : test.skip;

const prog = () => compileFixture('cond.c');
/** How many times gdb resumed the program (each false hit evaluated by gdb costs one). */
const resumes = (stderr: string) => (stderr.match(/Sending packet: \$vCont;c/g) ?? []).length;
/** `maint packet Z0,<&hit>,1;X...` with the address taken from the program. */
const rawZ0 = (expr: string) =>
  `python gdb.execute("maint packet Z0,%x,1;${expr}" % int(gdb.parse_and_eval("(long)&hit")))`;

e2e('condition-evaluation target: only the true hit stops, with the right hit count', async (t) => {
  const run = await runScenario('ntrace', await prog(), [
    'set breakpoint condition-evaluation target',
    'break hit if i == 1999',
    'set debug remote 1',
    'continue',
    'set debug remote 0',
    'print i',
    'print calls',
    'info breakpoints',
    'continue',
  ]);
  t.regex(run.out, /Breakpoint 1, hit \(i=1999\)/);
  t.regex(run.out, /\$1 = 1999\n\$2 = 1999\n/);
  t.regex(run.out, /stop only if i == 1999 \(target evals\)\n\s*breakpoint already hit 1 time/);
  t.regex(run.out, /exited with code 03/);
  t.regex(
    run.gdb.stderr,
    /Sending packet: \$Z0,[0-9a-f]+,1;X[0-9a-f]+,/,
    'the condition went in Z0',
  );
  // gdb resumes after its own stops (the dynamic loader's); host evaluation would add 1999.
  t.true(resumes(run.gdb.stderr) < 10, 'the 1999 false hits never reached gdb');
});

e2e('dprintf-style agent prints every call while the program never stops', async (t) => {
  const run = await runScenario(
    'ntrace',
    await prog(),
    [
      'set dprintf-style agent',
      'dprintf hit,"call %ld of %d\\n", i, 50',
      'set debug remote 1',
      'continue',
    ],
    { args: ['50'] },
  );
  // gdb prints the target's console output (O packets) on its stderr.
  const lines = run.gdb.stderr.split('\n').filter((l) => l.startsWith('call '));
  t.deepEqual(
    lines,
    Array.from({ length: 50 }, (_, i) => `call ${i} of 50`),
  );
  t.regex(run.out, /exited with code 03/);
  t.regex(run.gdb.stderr, /;cmds:1,X/, 'the printf went in Z0 as a command');
  t.true(resumes(run.gdb.stderr) < 10, 'the program never stopped for the dprintf');
});

e2e('a condition that reads unmapped memory stops at the first hit', async (t) => {
  const run = await runScenario('ntrace', await prog(), [
    'set breakpoint condition-evaluation target',
    'break hit if *(int *)8 == 1',
    'continue',
    'kill',
  ]);
  t.regex(run.gdb.stderr + run.out, /Cannot access memory at address 0x8/);
  t.regex(run.out, /hit \(i=0\)/);
});

e2e('a looping condition is cut by the budget and stops', async (t) => {
  // const8 1; if_goto 0 (forever); const8 0; end
  // gdb's own breakpoint goes in first (always-inserted), then the raw Z0 replaces its
  // expressions: a loop taken as false would run to the exit, one taken as true stops at i=0.
  const run = await runScenario('ntrace', await prog(), [
    'set breakpoint always-inserted on',
    'break hit',
    rawZ0('X8,2201200000220027'),
    'continue',
    'print i',
    'kill',
  ]);
  t.regex(run.out, /received: "OK"/);
  t.regex(run.out, /Breakpoint 1, hit \(i=0\)/);
  t.regex(run.out, /\$1 = 0\n/);
});

e2e('malformed bytecode in Z0 gets an E reply and the session lives on', async (t) => {
  const run = await runScenario('ntrace', await prog(), [
    rawZ0('X2,ff27'), // unknown opcode
    rawZ0('X2,0227'), // stack underflow
    rawZ0('X2,2201'), // runs off the end
    'set breakpoint condition-evaluation target',
    'break hit if i == 3',
    'continue',
    'print i',
    'continue',
  ]);
  t.is((run.out.match(/received: "E16"/g) ?? []).length, 3);
  t.regex(run.out, /Breakpoint 1, hit \(i=3\)/, 'the refused breakpoints were never set');
  t.regex(run.out, /\$1 = 3\n/);
  t.regex(run.out, /exited with code 03/);
});

e2e('a condition gdb evaluates by calling the program stops once per true hit', async (t) => {
  // An inferior call cannot be an agent expression: gdb evaluates it, then puts the pc back on
  // the breakpoint and steps over it. The int3 must not stay in for that step (the pc is not
  // where the thread last stopped, so the engine would not step over it): i=1 would hit again.
  const run = await runScenario(
    'ntrace',
    await prog(),
    ['break hit if is_odd(i)', 'continue', 'continue', 'continue', 'kill'],
    { args: ['10'] },
  );
  const hits = [...run.out.matchAll(/Breakpoint 1, hit \(i=(\d+)\)/g)].map((m) => m[1]);
  t.deepEqual(hits, ['1', '3', '5']);
});

e2e(
  'dprintf-style agent over stdio in non-stop: the text goes to stderr, never into the protocol',
  async (t) => {
    // In non-stop no `O` packet may carry it; the server prints it where the program's stdout
    // goes, which for `target remote |` is stderr (stdout is the protocol stream).
    const path = await prog();
    const res = await spawnGdb(path, 'set non-stop on', [
      `target remote | ${process.execPath} ${ntraceBin} - ${path} 20`,
      'set dprintf-style agent',
      'dprintf hit,"call %ld\\n", i',
      'continue',
    ]).done;
    const lines = res.stderr.split('\n').filter((l) => l.startsWith('call '));
    t.deepEqual(
      lines,
      Array.from({ length: 20 }, (_, i) => `call ${i}`),
    );
    t.regex(res.stdout, /exited with code 03/);
  },
);
