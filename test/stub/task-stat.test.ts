import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import test from 'ava';
import { parseTaskStat, TaskStats, taskStat } from '../../stub/task-stat.js';

test('a name with spaces and parentheses, and the core from field 39', (t) => {
  const rest = Array.from({ length: 50 }, (_, i) => String(i + 3));
  rest[0] = 'S';
  rest[36] = '7'; // field 39
  t.deepEqual(parseTaskStat(`1234 (a (b) c) ${rest.join(' ')}\n`), { name: 'a (b) c', core: 7 });
});

test('a line without a name or a core says so instead of guessing', (t) => {
  t.deepEqual(parseTaskStat('garbage'), {});
  t.deepEqual(parseTaskStat('1 (x) S 0'), { name: 'x' });
});

test('this thread: the name /proc gives, and a core this machine has', (t) => {
  const d = taskStat(process.pid, process.pid);
  t.is(d.name, readFileSync(`/proc/${process.pid}/task/${process.pid}/comm`, 'utf8').trimEnd());
  t.true(Number.isInteger(d.core) && d.core! >= 0 && d.core! < 4096);
});

test('a thread that does not exist has no details', (t) => {
  t.deepEqual(taskStat(process.pid, 0x7ffffff0), {});
});

const openFds = () => readdirSync('/proc/self/fd').length;

test.serial(
  'TaskStats keeps a thread stat file open: the next look reads it again, opening nothing',
  (t) => {
    const ts = new TaskStats();
    const before = openFds();
    const first = ts.read(process.pid, process.pid);
    t.is(openFds(), before + 1);
    t.deepEqual(ts.read(process.pid, process.pid), first);
    t.is(openFds(), before + 1, 'the second look opened nothing');
    t.is(first.name, taskStat(process.pid, process.pid).name);
    ts.close();
    t.is(openFds(), before);
  },
);

test.serial(
  'TaskStats: a thread gone since its file was kept has no details, and the file is closed',
  async (t) => {
    const ts = new TaskStats();
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    const pid = child.pid!;
    const before = openFds();
    t.is(ts.read(pid, pid).name, 'sleep');
    t.is(openFds(), before + 1);
    child.kill('SIGKILL');
    await once(child, 'exit');
    t.deepEqual(ts.read(pid, pid), {});
    t.is(openFds(), before, 'its kept file was closed');
    ts.close();
  },
);
