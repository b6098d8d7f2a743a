// floor-onread.ts's server on the addon's socket path (native/rsp-socket.ts): read(2) on
// readiness and write(2) of the reply, with no Node stream in between. Answers every packet
// with OK and does nothing else: what the native path costs per round trip before any work.
import { createServer } from 'node:net';
import { NativeSocketLink } from '../../native/rsp-socket.js';

const ok = Buffer.from('$OK#9a');
const server = createServer({ noDelay: true, pauseOnConnect: true }, (accepted) => {
  const link = new NativeSocketLink(accepted);
  link.on('data', (chunk: Buffer) => {
    // One reply per packet end in the chunk ('#' and two checksum digits follow each body).
    for (let i = chunk.indexOf(0x23); i >= 0; i = chunk.indexOf(0x23, i + 1)) link.write(ok);
  });
  link.on('close', () => process.exit(0));
  link.resume();
});
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  console.log(`Listening on port ${typeof addr === 'object' && addr ? addr.port : 0}`);
});
