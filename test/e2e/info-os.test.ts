// `info os` (qXfer:osdata:read): gdb's tables of the machine, beside gdbserver's. System V IPC
// objects made for the test must show the same rows with both servers.
import { execFileSync } from 'node:child_process';
import test from 'ava';
import { haveGdb, runScenario, serverKinds } from '../helpers/e2e-harness.js';
import { basicProgram } from '../helpers/e2e-programs.js';

// Skipped only where gdb is not installed (.ci/run installs it): nothing to drive the server with.
const e2e = haveGdb ? test : test.skip;

/** Makes one IPC object with ipcmk (util-linux) and returns its id. */
function ipcmk(args: string[]): string {
  const out = execFileSync('ipcmk', args).toString();
  return /id: (\d+)/.exec(out)![1]!;
}

e2e('info os lists the types, and shows shared memory, semaphores and queues', async (t) => {
  const shm = ipcmk(['-M', '8192', '-p', '0600']);
  const sem = ipcmk(['-S', '3', '-p', '0640']);
  const msg = ipcmk(['-Q', '-p', '0604']);
  t.teardown(() => execFileSync('ipcrm', ['-m', shm, '-s', sem, '-q', msg]));
  const prog = await basicProgram();
  const commands = [
    'info os',
    'info os shm',
    'info os semaphores',
    'info os msg',
    'info os unknown_entry',
    'info os procgroups',
    'kill',
  ];
  const runs = await Promise.all(serverKinds().map((k) => runScenario(k, prog, commands)));
  // The row of object `id` in the table whose header names `idColumn` (ids of different kinds
  // may be equal).
  const rowOf = (out: string, idColumn: string, id: string) => {
    const lines = out.split('\n');
    const start = lines.findIndex((l) => new RegExp(`^key +${idColumn} `).test(l));
    const end = lines.findIndex((l, i) => i > start && /^(key|Type|pgid) /.test(l));
    return lines
      .slice(start + 1, end < 0 ? undefined : end)
      .find((l) => new RegExp(`^-?\\d+ +${id} +`).test(l));
  };
  const ours = runs[0]!;
  t.regex(ours.out, /^procgroups +Listing of all process groups *$/m);
  t.regex(rowOf(ours.out, 'shmid', shm) ?? '', new RegExp(`^-?\\d+ +${shm} +600 +8192 `));
  t.regex(rowOf(ours.out, 'semid', sem) ?? '', new RegExp(`^-?\\d+ +${sem} +640 +3 `));
  t.regex(rowOf(ours.out, 'msqid', msg) ?? '', new RegExp(`^-?\\d+ +${msg} +604 +0 +0 `));
  t.regex(ours.gdb.stderr, /Empty data returned by target\. {2}Wrong osdata type\?/);
  // The program's process group: the program leads its own (the server started it).
  const pid = /Process \S+ created; pid = (\d+)/.exec(ours.server.stderr.text)![1]!;
  t.regex(ours.gdb.stdout, new RegExp(`^${pid} +\\S+ +${pid} +\\S+`, 'm'));
  for (const other of runs.slice(1)) {
    const types = (out: string) => out.slice(0, out.indexOf('threads'));
    t.is(types(ours.out), types(other.out), `types differ from ${other.kind}`);
    for (const [column, id] of [
      ['shmid', shm],
      ['semid', sem],
      ['msqid', msg],
    ] as const)
      t.is(rowOf(ours.out, column, id), rowOf(other.out, column, id), `${column} ${id}`);
  }
});
