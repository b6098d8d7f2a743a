// `_m<addr>` (stub/handlers/deallocate-memory.ts): only what `_M` allocated can be unmapped; any
// other address is Eff, as lldb-server answers, and the debuggee is not run for it. The whole
// `_M`/`_m` round trip is in allocate-memory.test.ts.
import test from 'ava';
import { connectSession } from '../../helpers/rsp-client.js';
import { fake, LLDB_FEATURES } from './_fake.js';

test('an address _M did not return: Eff, nothing run', async (t) => {
  const f = fake();
  const h = await connectSession(f.asTarget());
  await h.client.request(LLDB_FEATURES);
  t.is(await h.client.request('_m401000'), 'Eff');
  t.false(f.calls.some((c) => c.startsWith('resume')));
  t.false(f.calls.some((c) => c.startsWith('writeMemory')));
  await h.close();
});
