import test from 'ava';
import { listenErrorText, parseComm } from '../../stub/transport.js';

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
  t.is(listenErrorText(e), "Can't bind address: Address already in use.");
});
