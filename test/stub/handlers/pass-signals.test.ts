import test from 'ava';
import { OK } from '../../../stub/context.js';
import { passSignals } from '../../../stub/handlers/pass-signals.js';
import { TargetError } from '../../../stub/target.js';
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

test('QPassSignals taken without a round trip (nothing runs) is answered at once, not later', async (t) => {
  const f = fake();
  const target = f.asTarget();
  const seen: number[][] = [];
  target.signals = {
    ...target.signals!,
    setPassSignals: (signals) => {
      seen.push(signals);
      return undefined;
    },
  };
  const h = await connectSession(target);
  const result = passSignals(h.session, { kind: 'pass-signals', signals: [0x0e] });
  t.false(result instanceof Promise);
  t.deepEqual(result, OK);
  t.deepEqual(seen, [[14]]);
  // A failure the engine reports later is still an error reply.
  target.signals.setPassSignals = () => Promise.reject(new TargetError('gone', 3));
  t.deepEqual(await passSignals(h.session, { kind: 'pass-signals', signals: [] }), {
    reply: 'E03',
    errno: 3,
  });
  await h.close();
});
