// Wait statuses reach their owners: the engine reaps only its own tracees, never a child of
// node's child_process nor another engine's tracee in the same process (the userspace engine
// runs on this thread and hears SIGCHLD for all of them).
import { spawn } from 'node:child_process';
import { capTest, fixture, Session } from './_session.js';

/** A child of node's own, and the exit code node reports for it. */
function nodeChild(script: string): Promise<number | null> {
  const c = spawn('sh', ['-c', script], { stdio: 'ignore' });
  return new Promise((resolve, reject) => {
    c.on('error', reject);
    c.on('exit', (code) => resolve(code));
  });
}

capTest(
  ['launch'],
  "child_process children and two engines' tracees exit beside each other, each code to its owner",
  async (t) => {
    const a = await Session.open(t);
    const b = await Session.open(t);
    const path = await fixture('forks');
    for (let round = 0; round < 3; round++) {
      const ta = await a.launch(path, ['exit', String(10 + round)]);
      const tb = await b.launch(path, ['exit', String(20 + round)]);
      // One node child ends while both tracees are stopped, others while they run and exit.
      const early = nodeChild(`exit ${30 + round}`);
      t.is(await early, 30 + round);
      const late = [nodeChild(`exit ${40 + round}`), nodeChild(`sleep 0.05; exit ${50 + round}`)];
      await a.cont(ta.stop);
      await b.cont(tb.stop);
      t.deepEqual((await a.nextExit(ta.pid)).exit, { code: 10 + round });
      t.deepEqual((await b.nextExit(tb.pid)).exit, { code: 20 + round });
      t.deepEqual(await Promise.all(late), [40 + round, 50 + round]);
    }
  },
);
