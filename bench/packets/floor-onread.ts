// The fastest server path Node's net module offers, for comparison with floor.ts and with
// gdbserver's round trip: reads land in one preallocated buffer (`onread`, no Buffer and no
// stream machinery per chunk) and replies are written corked, one write per chunk of packets.
// Answers every packet with OK and does nothing else.
import { createServer, Socket } from 'node:net';

const ok = Buffer.from('$OK#9a');
const buffer = Buffer.allocUnsafe(65536);
const server = createServer({ noDelay: true, pauseOnConnect: true }, (accepted) => {
  // net.Server cannot hand out an `onread` socket: wrap the accepted connection's handle in one.
  const raw = accepted as unknown as { _handle: unknown };
  const handle = raw._handle;
  raw._handle = null;
  const sock: Socket = new Socket({
    handle,
    readable: true,
    writable: true,
    onread: {
      buffer,
      callback: (n: number, buf: Uint8Array) => {
        sock.cork();
        // One reply per packet end in the chunk ('#' and two checksum digits follow each body).
        for (let i = buf.indexOf(0x23); i >= 0 && i < n; i = buf.indexOf(0x23, i + 1)) {
          sock.write(ok);
        }
        sock.uncork();
      },
    },
  } as ConstructorParameters<typeof Socket>[0]);
  sock.setNoDelay(true);
  sock.on('close', () => process.exit(0));
  sock.on('error', () => process.exit(0));
});
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  console.log(`Listening on port ${typeof addr === 'object' && addr ? addr.port : 0}`);
});
