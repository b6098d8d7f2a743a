import test from 'ava';
import { SessionContext } from '../../../stub/context.js';
import { xferRead } from '../../../stub/handlers/qxfer.js';
import { connectSession } from '../../helpers/rsp-client.js';
import { fake, PID } from './_fake.js';

test('qXfer: target.xml, threads with names, auxv, exec-file; chunked reads', async (t) => {
  const h = await connectSession(fake([PID, PID + 1]).asTarget());
  const xml1 = await h.client.request('qXfer:features:read:target.xml:0,100');
  t.is(xml1[0], 'm');
  const rest = await h.client.request('qXfer:features:read:target.xml:100,3000');
  t.is(rest[0], 'l');
  const xml = xml1.slice(1) + rest.slice(1);
  t.true(xml.includes('<architecture>i386:x86-64</architecture>'));
  t.true(xml.endsWith('</target>'));
  t.is(await h.client.request('qXfer:features:read:nope.xml:0,100'), 'E00');
  const threads = await h.client.request('qXfer:threads:read::0,fff');
  t.true(threads.includes('<thread id="3e9" core="1" name="fake-1001"/>'));
  const auxv = await h.client.request('qXfer:auxv:read::0,fff');
  t.is(auxv.length, 33);
  t.is(await h.client.request('qXfer:exec-file:read::0,fff'), 'l/fake/prog');
  t.is(await h.client.request('qXfer:exec-file:read::100,fff'), 'l');
  t.is(await h.client.request('qXfer:nosuch:read::0,fff'), '');
  await h.close();
});

test('the thread list gdb reads at every stop is answered at once where the details need no wait', (t) => {
  const target = fake([PID, PID + 1]).asTarget();
  const threadDetails = target.threadInfo!.threadDetails;
  const now = (ctx: SessionContext) => xferRead(ctx, 'threads', '', 0, 0xfff);
  // Only the promise-returning look: the answer waits for it.
  t.true(now(new SessionContext(target)) instanceof Promise);
  target.threadInfo = {
    threadDetails,
    threadDetailsNow: (th) => ({ name: `now-${th.tid}`, core: 2 }),
  };
  const r = now(new SessionContext(target));
  t.false(r instanceof Promise);
  const body = (r as { reply: Buffer }).reply.toString('latin1');
  t.true(body.startsWith('l'));
  t.true(body.includes('<thread id="3e8" core="2" name="now-1000"/>'));
  t.true(body.includes('<thread id="3e9" core="2" name="now-1001"/>'));
});
