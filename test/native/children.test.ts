// Wait statuses reach their owners: the userspace engine (run by this thread) takes only its
// tracees' statuses, never "any child", so node's child_process still sees its children exit.
import { spawn } from 'node:child_process';
import test from 'ava';
import { type EngineEvent, openEngine } from '../../native/index.js';

test('a child_process child beside a traced program: both exit codes reach their owners', async (t) => {
  const e = await openEngine({ backend: 'user' });
  t.teardown(() => e.close());
  const traced = new Promise<Extract<EngineEvent, { type: 'process-exit' }>['exit']>((resolve) => {
    e.on('event', (ev) => {
      if (ev.type === 'stop') {
        e.resume({ handle: ev.thread.handle, stopId: ev.stopId, mode: 'cont' }).catch(() => {});
      }
      if (ev.type === 'process-exit') resolve(ev.exit);
    });
  });
  // Both run at once: the engine's tracee exits while node's child still runs, and then the
  // child exits while the engine still has a tracee (a second, longer one).
  const child = spawn('/bin/sh', ['-c', 'sleep 0.3; exit 5'], { stdio: 'ignore' });
  const childExit = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await e.launch({ path: '/bin/sh', argv: ['sh', '-c', 'sleep 0.1; exit 3'], env: [] });
  t.deepEqual(await traced, { code: 3 });
  const second = new Promise<Extract<EngineEvent, { type: 'process-exit' }>['exit']>((resolve) => {
    e.on('event', (ev) => {
      if (ev.type === 'process-exit') resolve(ev.exit);
    });
  });
  await e.launch({ path: '/bin/sh', argv: ['sh', '-c', 'sleep 0.6; exit 4'], env: [] });
  t.is(await childExit, 5);
  t.deepEqual(await second, { code: 4 });
});
