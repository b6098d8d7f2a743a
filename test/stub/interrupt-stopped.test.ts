// gdb.server/reconnect-ctrl-c.exp: gdb sends Ctrl-C while it handles a stop of its own during the
// user's `continue` (the target is stopped). gdbserver sends SIGINT to the program then, and the
// program stops with it once gdb resumes it; the interrupt must not be dropped.
import test from 'ava';
import { FakeTarget } from '../helpers/fake-target.js';
import { connectSession } from '../helpers/rsp-client.js';

const PID = 1000;

test('0x03 while the program is stopped stops it with SIGINT at its next resume', async (t) => {
  const f = new FakeTarget(PID, [PID]);
  // Without the interrupt, the resume runs the program to its end.
  f.script.push({ kind: 'exited', pid: PID, code: 0 });
  const h = await connectSession(f.asTarget());
  t.regex(await h.client.request('?'), /^T05/);
  h.client.raw(Buffer.from([3]));
  // The session has no way to say it read the byte: a packet answered after it shows it did.
  t.is(await h.client.request('qC'), 'QC3e8');
  t.regex(await h.client.request('vCont;c'), /^T02/);
  t.true(f.calls.includes('queueInterrupt'));
  await h.close();
});
