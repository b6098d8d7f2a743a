import test from 'ava';
import {
  hostInfoReply,
  osVersion,
  parseOsReleaseId,
  parseProcStatus,
  processInfoReply,
  readProcessFacts,
  serverVersionReply,
} from '../../../stub/lldb/host-info.js';

// Captured from lldb-server-16 on a host with `uname -r` 6.18.44-fc-v782, `uname -v`
// "#1 SMP PREEMPT_DYNAMIC @0", hostname vm and ID=debian.
test('qHostInfo is formatted exactly like lldb-server', (t) => {
  t.is(
    hostInfoReply({
      release: '6.18.44-fc-v782',
      kernelVersion: '#1 SMP PREEMPT_DYNAMIC @0',
      hostname: 'vm',
      distributionId: 'debian',
    }),
    'triple:7838365f36342d70632d6c696e75782d676e75;ptrsize:8;distribution_id:64656269616e;watchpoint_exceptions_received:after;endian:little;os_version:6.18.44;os_build:362e31382e34342d66632d76373832;os_kernel:233120534d5020505245454d50545f44594e414d4943204030;hostname:766d;',
  );
});

test('qHostInfo leaves out what is unknown', (t) => {
  t.is(
    hostInfoReply({ release: 'weird', kernelVersion: '', hostname: '' }),
    'triple:7838365f36342d70632d6c696e75782d676e75;ptrsize:8;watchpoint_exceptions_received:after;endian:little;os_build:7765697264;',
  );
});

test('os_version takes the numeric front of the release', (t) => {
  t.is(osVersion('6.1.0-13-amd64'), '6.1.0');
  t.is(osVersion('5.10'), '5.10');
  t.is(osVersion('rc'), undefined);
});

test('distribution id from os-release', (t) => {
  t.is(parseOsReleaseId('NAME="Debian GNU/Linux"\nID=debian\nVERSION_ID="12"\n'), 'debian');
  t.is(parseOsReleaseId('ID="Ubuntu Core"\n'), 'ubuntu_core');
  t.is(parseOsReleaseId('NAME=x\n'), undefined);
});

const STATUS = `Name:\tprog
Umask:\t0022
State:\tt (tracing stop)
Tgid:\t17238
Pid:\t17238
PPid:\t17237
TracerPid:\t17237
Uid:\t65534\t65534\t65534\t65534
Gid:\t65533\t65533\t65533\t65533
`;

// Captured from lldb-server-16 run as uid 65534, gid 65533: ids are hex.
test('qProcessInfo is formatted exactly like lldb-server (all numbers hex)', (t) => {
  t.is(
    processInfoReply(parseProcStatus(0x4356, STATUS)),
    'pid:4356;parent-pid:4355;real-uid:fffe;real-gid:fffd;effective-uid:fffe;effective-gid:fffd;triple:7838365f36342d70632d6c696e75782d676e75;ostype:linux;endian:little;ptrsize:8;',
  );
});

test('real and effective ids come from the first two Uid/Gid columns', (t) => {
  const f = parseProcStatus(7, 'PPid:\t1\nUid:\t1000\t0\t0\t0\nGid:\t100\t5\t5\t5\n');
  t.deepEqual(f, {
    pid: 7,
    parentPid: 1,
    realUid: 1000,
    effectiveUid: 0,
    realGid: 100,
    effectiveGid: 5,
  });
});

test('a status without the needed lines is an error', (t) => {
  t.throws(() => parseProcStatus(7, 'Name:\tx\n'), { message: /PPid/ });
});

test('readProcessFacts reads /proc/<pid>/status through the injected reader', async (t) => {
  const paths: string[] = [];
  const f = await readProcessFacts(42, async (p) => {
    paths.push(p);
    return STATUS;
  });
  t.deepEqual(paths, ['/proc/42/status']);
  t.is(f.parentPid, 17237);
});

test('readProcessFacts of this very process', async (t) => {
  const f = await readProcessFacts(process.pid);
  t.is(f.pid, process.pid);
  t.is(f.parentPid, process.ppid);
  t.is(f.realUid, process.getuid!());
  t.is(f.effectiveGid, process.getegid!());
});

test('qGDBServerVersion names the server', (t) => {
  t.is(serverVersionReply('ntrace-gdbserver', '0.1.0'), 'name:ntrace-gdbserver;version:0.1.0;');
});
