// Detaching from a process that exits (exit_group) while the engine is still letting its
// threads go (gdb.threads/process-dies-while-detaching.exp).
import { readdirSync } from 'node:fs';
import {
  capTest,
  fixture,
  Session,
  spawnDetached,
  sym,
  symbols,
  taskState,
  until,
} from './_session.js';

const THREADS = 128;

function tasks(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).map(Number);
  } catch {
    return [];
  }
}

/** Every thread of pid gone or a zombie: nothing is left stopped with a tracer. */
function allDead(pid: number): boolean {
  return tasks(pid).every((tid) => {
    const s = taskState(pid, tid);
    return s === undefined || s === 'Z' || s === 'X';
  });
}

capTest(
  [],
  'detach while the process exits: threads SIGKILLed before they were let go are let go at their exit stop, none stays stopped',
  async (t) => {
    const path = await fixture('exit-race');
    const go = sym(await symbols(path), 'go');
    // The race is the kernel's: repeat it so that a lost exit stop shows reliably.
    for (let round = 0; round < 3; round++) {
      const pid = await spawnDetached(path, [String(THREADS)]);
      t.teardown(() => {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      });
      await until(() => tasks(pid).length === THREADS + 1, 'the threads to start');
      const s = await Session.open(t);
      await s.engine.attach(pid, { stop: true });
      for (let n = 0; n < THREADS + 1; n++) await s.nextStop((e) => e.thread.tgid === pid);
      const one = Buffer.alloc(4);
      one.writeInt32LE(1);
      await s.engine.writeMemory(pid, go, one);
      // The leader, let go first, exits the group at once.
      await s.engine.detach(pid);
      await s.next((e) => e.type === 'detached');
      await until(() => allDead(pid), 'every thread to end');
      t.true(allDead(pid));
      await s.close();
    }
  },
);
