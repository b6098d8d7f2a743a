// LLDB's launch and attach against a --multi server with no process yet (stub/handlers/run.ts,
// stub/lldb/client.ts): the connect queries, A and qLaunchSuccess, vAttach without `!`.
import test from 'ava';
import { capabilitiesOf } from '../../../stub/capabilities.js';
import type { LaunchRequest } from '../../../stub/launch-settings.js';
import type { TargetProvider } from '../../../stub/session.js';
import type { Target } from '../../../stub/target.js';
import { TargetError } from '../../../stub/target.js';
import { FakeTarget } from '../../helpers/fake-target.js';
import { connectSession, type Harness } from '../../helpers/rsp-client.js';
import { GDB_FEATURES, LLDB_FEATURES } from './_fake.js';

interface MultiSetup {
  h: Harness;
  launched: LaunchRequest[];
  attached: number[];
}

/** A --multi session with no process; the provider hands out FakeTargets or fails. */
async function multi(fail?: TargetError): Promise<MultiSetup> {
  const launched: LaunchRequest[] = [];
  const attached: number[] = [];
  const make = (pid: number): Target => new FakeTarget(pid, [pid]).asTarget();
  const provider: TargetProvider = {
    capabilities: capabilitiesOf(make(1)),
    async launch(req) {
      launched.push(req);
      if (fail) throw fail;
      return make(2000);
    },
    async attach(pid) {
      attached.push(pid);
      if (fail) throw fail;
      return make(pid);
    },
  };
  const h = await connectSession(undefined, { provider, multi: true });
  return { h, launched, attached };
}

const hex = (s: string) => Buffer.from(s).toString('hex');
const aPacket = (args: string[]) =>
  `A${args.map((a, i) => `${hex(a).length},${i},${hex(a)}`).join(',')}`;

test('LLDB against --multi with no process: the connect queries, then A and qLaunchSuccess', async (t) => {
  const { h, launched } = await multi();
  try {
    await h.client.request(LLDB_FEATURES);
    t.is(await h.client.request('QThreadSuffixSupported'), 'OK');
    t.is(await h.client.request('QListThreadsInStopReply'), 'OK');
    t.regex(await h.client.request('vCont?'), /^vCont;c;C;s;S/);
    // lldb-server's answer: `l` would make LLDB assume a bare-metal process with pid 1.
    t.is(await h.client.request('qfThreadInfo'), 'OK');
    t.is(await h.client.request('qLaunchSuccess'), 'OK');
    t.is(await h.client.request(aPacket(['/bin/prog', 'a b', ''])), 'OK');
    t.deepEqual(launched[0]!.argv, ['/bin/prog', 'a b', '']);
    // Started directly, as lldb-server does: LLDB never asks for a shell.
    t.falsy(launched[0]!.shell);
    t.is(await h.client.request('qLaunchSuccess'), 'OK');
    t.regex(await h.client.request('qProcessInfo'), /^pid:7d0;|^E/);
    // The launch stop, as lldb-server reports it: SIGSTOP, with the thread list asked for.
    t.regex(await h.client.request('?'), /^T13.*thread:p7d0\.7d0;.*threads:/);
  } finally {
    await h.close();
  }
});

test('A that fails: its error, then qLaunchSuccess says why', async (t) => {
  const { h } = await multi(new TargetError('no such file', 2, false, 'ENOENT'));
  try {
    await h.client.request(LLDB_FEATURES);
    t.is(await h.client.request(aPacket(['/nonexistent'])), 'E02');
    t.is(await h.client.request('qLaunchSuccess'), 'Elaunch failed: ENOENT');
    t.is(await h.client.request('?'), 'W00');
  } finally {
    await h.close();
  }
});

test('vAttach from LLDB needs no `!` on a --multi server; GDB still needs extended mode', async (t) => {
  const lldb = await multi();
  try {
    await lldb.h.client.request(LLDB_FEATURES);
    t.regex(await lldb.h.client.request('vAttach;1234'), /^T13.*thread:p1234\.1234;/);
    t.deepEqual(lldb.attached, [0x1234]);
  } finally {
    await lldb.h.close();
  }
  const gdb = await multi();
  try {
    await gdb.h.client.request(GDB_FEATURES);
    t.is(await gdb.h.client.request('qfThreadInfo'), 'l');
    t.is(await gdb.h.client.request('vAttach;1234'), '');
    t.is(await gdb.h.client.request('!'), 'OK');
    t.regex(await gdb.h.client.request('vAttach;1234'), /^T05/);
  } finally {
    await gdb.h.close();
  }
});
