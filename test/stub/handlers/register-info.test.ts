// qRegisterInfo (stub/handlers/register-info.ts) and the LLDB queries around it; qThreadStopInfo
// and qMemoryRegionInfo have their own files.
import test from 'ava';
import { connectSession } from '../../helpers/rsp-client.js';
import { fake, PID } from './_fake.js';

test('LLDB queries: register info, thread suffix, jThreadsInfo, qGDBServerVersion', async (t) => {
  const h = await connectSession(fake([PID, PID + 1]).asTarget(), { version: '9.9.9' });
  t.regex(await h.client.request('qRegisterInfo0'), /^name:rax;bitsize:64;/);
  t.regex(await h.client.request('qRegisterInfo10'), /^name:rip;/);
  t.is(await h.client.request('qRegisterInfo999'), 'E45');
  t.is(await h.client.request('QThreadSuffixSupported'), 'OK');
  t.is(
    await h.client.request('p10;thread:3e9;'),
    (0x401000n + BigInt(PID + 1)).toString(16).padStart(16, '0').match(/../g)!.reverse().join(''),
  );
  const info = JSON.parse(await h.client.request('jThreadsInfo')) as {
    tid: number;
    name?: string;
    registers?: Record<string, string>;
  }[];
  t.deepEqual(
    info.map((x) => [x.tid, x.name]),
    [
      [PID, `fake-${PID}`],
      [PID + 1, `fake-${PID + 1}`],
    ],
  );
  t.truthy(info[0]!.registers?.['16']);
  t.regex(await h.client.request('qGDBServerVersion'), /name:ntrace-gdbserver;version:9\.9\.9;/);
  await h.close();
});
