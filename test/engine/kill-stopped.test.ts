// A SIGKILL from outside reaches a process while every thread of it is held in a stop: the
// provider notices without any command from us (the userspace engine sleeps in poll() then,
// not in waitid, so this is its path for that case).
import { readdirSync } from 'node:fs';
import { capTest, fixture, Session, until } from './_session.js';

capTest(['launch'], 'an outside SIGKILL of a stopped process is reported', async (t) => {
  const s = await Session.open(t);
  const { pid } = await s.launch(await fixture('spin'));
  process.kill(pid, 'SIGKILL');
  t.deepEqual((await s.nextExit(pid)).exit, { signal: 9 });
});

capTest(
  ['launch'],
  'an outside SIGKILL of a multi-threaded process with every thread stopped is reported',
  async (t) => {
    const s = await Session.open(t);
    const { pid, stop } = await s.launch(await fixture('threads'), ['4']);
    await s.cont(stop);
    await until(() => {
      try {
        return readdirSync(`/proc/${pid}/task`).length === 5;
      } catch {
        return false;
      }
    }, 'four workers');
    await s.engine.stop(pid);
    // A worker whose first stop was still to come reports it as its 'new-thread' stop.
    for (let i = 0; i < 5; i++) {
      t.true(['requested', 'new-thread'].includes((await s.nextStop()).reason));
    }
    process.kill(pid, 'SIGKILL');
    t.deepEqual((await s.nextExit(pid)).exit, { signal: 9 });
  },
);
