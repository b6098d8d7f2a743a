import { connect } from 'node:net';
import test from 'ava';
import { NativeSocketLink } from '../../native/rsp-socket.js';
import { listen, listenErrorText, parseComm } from '../../stub/transport.js';

test('COMM forms as gdbserver reads them', (t) => {
  t.deepEqual(parseComm(':1234'), { kind: 'tcp', host: '127.0.0.1', port: 1234 });
  t.deepEqual(parseComm('0.0.0.0:0'), { kind: 'tcp', host: '0.0.0.0', port: 0 });
  t.deepEqual(parseComm('[::1]:99'), { kind: 'tcp', host: '::1', port: 99 });
  t.deepEqual(parseComm('/tmp/sock'), { kind: 'unix', path: '/tmp/sock' });
  t.deepEqual(parseComm('-'), { kind: 'stdio' });
  t.is(parseComm('nonsense'), undefined);
  t.is(parseComm(':99999'), undefined);
});

test('listen errors are worded like gdbserver', (t) => {
  const e = Object.assign(new Error('x'), { code: 'EADDRINUSE' });
  t.is(listenErrorText(e, ':1'), "Can't bind address: Address already in use.");
});

test('a host that does not resolve is reported as gdbserver words it, before any launch', async (t) => {
  // gdbserver takes `tcp8:123:PORT` as host `tcp8:123` (two colons: IPv6 syntax), which no
  // resolver knows; the testsuite's gdbserver_start waits for ": cannot resolve name: ".
  const comm = parseComm('tcp8:123:0');
  t.deepEqual(comm, { kind: 'tcp', host: 'tcp8:123', port: 0 });
  const err = await t.throwsAsync(listen(comm!));
  t.is(
    listenErrorText(err as NodeJS.ErrnoException, 'tcp8:123:0'),
    'tcp8:123:0: cannot resolve name: Name or service not known',
  );
});

test('a TCP client is served on the addon socket, or on net streams when asked', async (t) => {
  for (const [path, native] of [
    ['native', true],
    ['net', false],
  ] as const) {
    const listener = await listen({ kind: 'tcp', host: '127.0.0.1', port: 0 }, path);
    const sock = connect(listener.port!, '127.0.0.1');
    const link = await listener.accept();
    t.is(link instanceof NativeSocketLink, native);
    link?.destroy();
    sock.destroy();
    listener.close();
  }
});
