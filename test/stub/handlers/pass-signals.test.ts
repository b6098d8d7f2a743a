import test from 'ava';
import { connectSession } from '../../helpers/rsp-client.js';
import { fake } from './_fake.js';

test('QPassSignals: GDB_SIGNAL_POLL does not pass SIGIO (`handle SIGIO stop` with POLL passed)', async (t) => {
  const f = fake();
  const h = await connectSession(f.asTarget());
  // gdb's list after `handle SIGIO stop`: POLL (0x21) stays passed, IO (0x17) does not. SIGIO
  // and SIGPOLL are one host signal (29), which gdbserver looks up as GDB_SIGNAL_IO.
  t.is(await h.client.request('QPassSignals:1a;21;2e'), 'OK');
  t.deepEqual(f.passSignals, [26, 34]); // VTALRM, and GDB_SIGNAL_REALTIME_34
  t.is(await h.client.request('QPassSignals:17'), 'OK');
  t.deepEqual(f.passSignals, [29]);
  await h.close();
});
