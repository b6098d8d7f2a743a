// Differential: LLDB's launch packet `A` and `qLaunchSuccess` sent to lldb-server-16 (gdbserver
// with no program) and to ntrace-gdbserver --multi, the same bytes to both. lldb-16 itself
// launches with vRun and falls back to A only where vRun is not served (see README), so A is
// driven here at the packet level; the launched process is checked in /proc.
import { readFile } from 'node:fs/promises';
import test from 'ava';
import { startServer } from '../../helpers/e2e-harness.js';
import { compileFixture } from '../../helpers/compile.js';
import type { RspClient } from '../../helpers/rsp-client.js';
import { connectRsp, haveLldbServer, startLldbServer } from './lldb-server.js';

// Skipped only where lldb-server-16 is not installed (.ci/run installs it): nothing to compare with.
const maybe = haveLldbServer ? test.serial : test.skip;

const hex = (s: string) => Buffer.from(s).toString('hex');
/** `A` as LLDB writes it (GDBRemoteCommunicationClient::SendArgumentsPacket). */
const aPacket = (args: string[]) =>
  `A${args.map((a, i) => `${hex(a).length},${i},${hex(a)}`).join(',')}`;

interface Side {
  name: string;
  client: RspClient;
  stop(): Promise<void>;
}

async function sides(): Promise<Side[]> {
  const theirs = await startLldbServer([]);
  const ours = await startServer('ntrace', [], { before: ['--once', '--multi'] });
  const mk = async (name: string, port: number, stop: () => Promise<void>): Promise<Side> => {
    const client = await connectRsp(port);
    await client.request('qSupported:xmlRegisters=i386,arm,mips,arc;multiprocess+');
    return { name, client, stop };
  };
  return [
    await mk('lldb-server', theirs.port, () => theirs.stop()),
    await mk('ntrace', ours.port, () => ours.stop()),
  ];
}

async function cleanup(all: Side[], pids: number[]): Promise<void> {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
  // The servers before the connections: hung up on, lldb-server exits by itself and leaves
  // what it launched running.
  for (const s of all) await s.stop();
  for (const s of all) s.client.close();
}

maybe('A then qLaunchSuccess launch the program as lldb-server does', async (t) => {
  const prog = await compileFixture('lldb-spin.c');
  const all = await sides();
  const pids: number[] = [];
  try {
    for (const s of all) {
      // No process yet: LLDB must not take the empty list for a bare-metal process.
      t.is(await s.client.request('qfThreadInfo'), 'OK', s.name);
      t.is(await s.client.request(aPacket([prog, 'two words', ''])), 'OK', s.name);
      t.is(await s.client.request('qLaunchSuccess'), 'OK', s.name);
      const info = await s.client.request('qProcessInfo');
      const pid = Number.parseInt(/^pid:([0-9a-f]+);/.exec(info)?.[1] ?? 'x', 16);
      t.true(pid > 0, `${s.name}: ${info}`);
      pids.push(pid);
      // The program itself (no shell) with its arguments, stopped at its first instruction and
      // reported as SIGSTOP.
      const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'latin1')).split('\0');
      t.deepEqual(cmdline, [prog, 'two words', '', ''], s.name);
      const stop = await s.client.request('?');
      t.regex(
        stop,
        new RegExp(`^T13.*thread:(p${pid.toString(16)}\\.)?${pid.toString(16)};`),
        s.name,
      );
      t.regex((await readFile(`/proc/${pid}/status`, 'latin1')).toString(), /^State:\s+t/m);
    }
  } finally {
    await cleanup(all, pids);
  }
});

maybe('A of a missing program is an error, and qLaunchSuccess then says why', async (t) => {
  const all = await sides();
  try {
    for (const s of all) {
      t.regex(await s.client.request(aPacket(['/nonexistent/prog'])), /^E[0-9a-f]{2}$/, s.name);
      const why = await s.client.request('qLaunchSuccess');
      t.regex(why, /^E.{4,}/, s.name);
      t.log(`${s.name}: ${why}`);
      // Nothing was started and the server goes on serving.
      t.regex(await s.client.request('qProcessInfo'), /^E/, s.name);
    }
  } finally {
    await cleanup(all, []);
  }
});
