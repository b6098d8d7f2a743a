// Extended remote (`--multi`): gdb starts programs itself with vRun, reruns and kills them,
// passes arguments, environment and working directory, and the server outlives both the
// program and the client. Each scenario also runs against gdbserver --multi where installed, and
// the normalised gdb transcripts must match.
import { tmpdir } from 'node:os';
import test from 'ava';
import { haveGdb, serverKinds, spawnGdb, startServer } from '../helpers/e2e-harness.js';
import { basicProgram } from '../helpers/e2e-programs.js';
import {
  argsProgram,
  type ExtendedRun,
  normalizeExtended,
  runExtended,
  useProgram,
} from './harness.js';

// Skipped only where gdb is not installed (.ci/run installs it): nothing to drive the server with.
const e2e = haveGdb ? test : test.skip;

e2e('run twice in a row, kill then run again: each run stops where it should', async (t) => {
  const prog = await basicProgram();
  const commands = [
    ...useProgram(prog),
    'break add',
    'run',
    'print a',
    'run',
    'print b',
    'kill',
    'run',
    'info threads',
    'delete',
    'continue',
  ];
  const runs = await Promise.all(serverKinds().map((k) => runExtended(k, commands)));
  const out = runs[0]!.out;
  t.is(out.match(/Breakpoint 1, add \(a=3, b=4\)/g)?.length, 3, out);
  t.regex(out, /\$1 = 3\n/);
  t.regex(out, /\$2 = 4\n/);
  t.regex(out, /\[Inferior 1 \(process N\) killed\]/);
  t.regex(out, /\[Inferior 1 \(process N\) exited with code 07\]/);
  // Three programs were created and the last one printed its line.
  t.is(runs[0]!.server.stderr.text.match(/Process .* created; pid = \d+/g)?.length, 3);
  await runs[0]!.server.stdout.waitFor(/y=7 d=17\.5 z=14 sink=43/);
  // `info threads` pads its columns to the widest cell, and pids differ in digits between the
  // two servers' runs: compare cells, not padding.
  const cells = (s: string): string => s.replace(/ {2,}/g, ' ');
  for (const other of runs.slice(1))
    t.is(cells(out), cells(other.out), `differs from ${other.kind}`);
});

e2e(
  'run passes arguments with spaces, environment changes and the working directory',
  async (t) => {
    const prog = await argsProgram();
    const dir = tmpdir();
    const commands = [
      ...useProgram(prog),
      'set environment EXT_VAR=two words',
      'unset environment EXT_GONE',
      `set cwd ${dir}`,
      "run 'first arg' second",
      // gdbserver refuses arguments with spaces without a shell; ours passes them (next test).
      'set startup-with-shell off',
      'run no-shell here',
    ];
    process.env.EXT_GONE = 'from the server';
    let runs: ExtendedRun[];
    try {
      runs = await Promise.all(serverKinds().map((k) => runExtended(k, commands)));
    } finally {
      delete process.env.EXT_GONE;
    }
    const ours = runs[0]!;
    t.regex(ours.out, /exited with code 03\]/);
    const printed = await ours.server.stdout.waitFor(
      /arg1=\[no-shell\]\narg2=\[here\]\nEXT_VAR=\[two words\] EXT_GONE=unset cwd=\[(.*)\]\n/,
    );
    t.is(printed[1], dir);
    t.regex(
      ours.server.stdout.text,
      /^arg1=\[first arg\]\narg2=\[second\]\nEXT_VAR=\[two words\] EXT_GONE=unset/,
    );
    for (const other of runs.slice(1)) {
      t.is(ours.out, other.out, `differs from ${other.kind}`);
      await other.server.stdout.waitFor(/cwd=.*\n(.|\n)*cwd=.*\n/);
      t.is(
        ours.server.stdout.text,
        other.server.stdout.text,
        `program output differs from ${other.kind}`,
      );
    }
  },
);

e2e('arguments with quotes and shell characters reach the program unchanged', async (t) => {
  const prog = await argsProgram();
  // gdbserver 13 re-escapes a single quote as \' (differs from its own unescaped run), so this
  // one is ours alone: every character must arrive literally, through the shell or not.
  const res = await runExtended('ntrace', [
    ...useProgram(prog),
    `run "it's" 'say "hi"' '$HOME' '*' ''`,
    'set startup-with-shell off',
    `run "it's" '$HOME' 'a b'`,
  ]);
  const out = res.server.stdout;
  await out.waitFor(/arg1=\[it's\]\narg2=\[\$HOME\]\narg3=\[a b\]\nEXT/);
  t.regex(out.text, /^arg1=\[it's\]\narg2=\[say "hi"\]\narg3=\[\$HOME\]\narg4=\[\*\]\narg5=\[\]\n/);
  t.regex(res.out, /exited with code 06\]/);
  t.regex(res.out, /exited with code 04\]/);
});

e2e('a --multi server outlives its program and its client', async (t) => {
  const prog = await basicProgram();
  for (const kind of serverKinds()) {
    const server = await startServer(kind, [], { before: ['--multi'] });
    try {
      const target = `target extended-remote 127.0.0.1:${server.port}`;
      const first = await spawnGdb(undefined, target, [...useProgram(prog), 'run']).done;
      t.regex(normalizeExtended(first.stdout), /exited with code 07\]/, kind);
      // The same server takes a second client, which runs the program again.
      const second = await spawnGdb(undefined, target, [
        ...useProgram(prog),
        'break add',
        'run',
        'print a+b',
      ]).done;
      t.regex(second.stdout, /\$1 = 7/, kind);
      t.is(server.proc.exitCode, null, kind);
    } finally {
      await server.stop();
    }
  }
});

e2e('run with a missing program fails and the session goes on', async (t) => {
  const prog = await basicProgram();
  const res = await runExtended('ntrace', [
    'set remote exec-file /nonexistent/ext-program',
    'run',
    ...useProgram(prog),
    'run',
  ]);
  t.regex(res.gdb.stderr, /Running "\/nonexistent\/ext-program" on the remote target failed/);
  t.regex(res.out, /exited with code 07\]/);
});

e2e(
  'set disable-randomization off: each run maps the program elsewhere; on: the same place',
  async (t) => {
    const prog = await basicProgram();
    const commands = [
      ...useProgram(prog),
      'set disable-randomization off',
      'break add',
      'run',
      'print/x $pc',
      'run',
      'print/x $pc',
      'set disable-randomization on',
      'run',
      'print/x $pc',
      'run',
      'print/x $pc',
      'kill',
    ];
    for (const kind of serverKinds()) {
      const run = await runExtended(kind, commands);
      const pcs = [...run.gdb.stdout.matchAll(/^\$\d+ = (0x[0-9a-f]+)$/gm)].map((m) => m[1]);
      t.is(pcs.length, 4, `${kind}:\n${run.gdb.stdout}${run.gdb.stderr}`);
      t.not(pcs[0], pcs[1], kind);
      t.is(pcs[2], pcs[3], kind);
      t.notRegex(run.gdb.stdout + run.gdb.stderr, /unsupported on/, kind);
    }
  },
);
