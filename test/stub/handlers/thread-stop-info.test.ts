// qThreadStopInfo<tid> (stub/handlers/thread-stop-info.ts, lldbgdbremote.md): the thread that
// stopped last gets its stop again; any other thread a stop with no signal; an unknown thread
// is an error.
import test from 'ava';
import { connectSession } from '../../helpers/rsp-client.js';
import { fake, PID } from './_fake.js';

test("each thread's stop: the last stop's thread, another, an unknown one", async (t) => {
  const h = await connectSession(fake([PID, PID + 1]).asTarget());
  try {
    const stop = await h.client.request('?');
    t.regex(stop, /^T05/);
    t.is(await h.client.request(`qThreadStopInfo${PID.toString(16)}`), stop);
    const other = await h.client.request(`qThreadStopInfo${(PID + 1).toString(16)}`);
    t.regex(other, new RegExp(`^T00.*thread:${(PID + 1).toString(16)};`));
    t.is(await h.client.request('qThreadStopInfo7'), 'E01');
  } finally {
    await h.close();
  }
});
