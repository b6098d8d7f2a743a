// The floor for any server built on Node's net module: answers every packet with OK and does
// nothing else. bench/packets/run.ts measures it beside the real servers.
import { createServer } from 'node:net';

const ok = Buffer.from('$OK#9a');
const server = createServer({ noDelay: true }, (sock) => {
  sock.on('data', (chunk: Buffer) => {
    // One reply per packet end in the chunk ('#' and two checksum digits follow each body).
    for (let i = chunk.indexOf(0x23); i >= 0; i = chunk.indexOf(0x23, i + 1)) sock.write(ok);
  });
  sock.on('close', () => process.exit(0));
  sock.on('error', () => process.exit(0));
});
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  console.log(`Listening on port ${typeof addr === 'object' && addr ? addr.port : 0}`);
});
