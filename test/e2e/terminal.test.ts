// A launched program leads its own process group and holds its terminal's foreground, as with
// gdbserver: the server runs under `script`, whose pty is its controlling terminal (gdb's
// testsuite runs gdbserver so, and talks to the program through that pty).
import { spawn } from 'node:child_process';
import test from 'ava';
import { haveGdb, ntraceBin, Output, runGdb, serverKinds } from '../helpers/e2e-harness.js';

// Skipped only where gdb is not installed (.ci/run installs it): nothing to drive the server with.
const e2e = haveGdb ? test : test.skip;

// Fields 5 and 8 of /proc/PID/stat: the process group and the terminal's foreground group.
const REPORT = 'set -- $(cat /proc/$$/stat); echo "pid=$$ pgrp=$5 tpgid=$8"';

async function underPty(kind: 'ntrace' | 'gdbserver'): Promise<string> {
  const server =
    kind === 'ntrace'
      ? `${process.execPath} ${ntraceBin} --once :0 /bin/sh -c '${REPORT}'`
      : `gdbserver --once :0 /bin/sh -c '${REPORT}'`;
  const proc = spawn('script', ['-qec', server, '/dev/null'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = new Output(proc.stdout);
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  try {
    const port = Number((await out.waitFor(/Listening on port (\d+)/))[1]);
    await runGdb('/bin/sh', port, ['continue']);
    await exited;
    return out.text;
  } finally {
    proc.kill();
  }
}

e2e('the program leads its own process group, in the foreground of the terminal', async (t) => {
  for (const kind of serverKinds()) {
    const text = await underPty(kind);
    const m = /pid=(\d+) pgrp=(\d+) tpgid=(\d+)/.exec(text);
    t.truthy(m, `${kind}: ${text}`);
    t.is(m![2], m![1], `${kind}: process group`);
    t.is(m![3], m![1], `${kind}: foreground group`);
  }
});
