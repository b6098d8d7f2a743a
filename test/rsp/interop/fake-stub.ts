// A canned RSP stub on stdin/stdout, built only from the codec, for `target remote | node ...`.
// It answers with run-length encoded and escaped replies so that the real gdb reader has to
// accept our encoder's output. Not a test file itself; gdb-client.test.ts drives it.
import {
  bufferToHex,
  encodePacket,
  Framer,
  formatStopReply,
  parseCommand,
  xferChunk,
} from '../../../rsp/index.js';

/** Register block of the `g` reply: rax..r15 and rip, 8 bytes each, with runs of every length. */
export function registerBlockHex(): string {
  // Runs of 1..20 of alternating digits cover every forbidden repeat count.
  let hex = '';
  for (let n = 1; hex.length < 17 * 16; n++) hex += (n % 2 ? 'a' : '0').repeat(n);
  return hex.slice(0, 17 * 16);
}

/** Memory served at `addr`: runs of zeros and of 0x23 and 0x2a (`#`, `*` in hex are plain). */
export function memoryAt(addr: bigint, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) {
    const a = Number((addr + BigInt(i)) & 0xffffn);
    out[i] = a % 48 < 17 ? 0 : a % 48 < 25 ? 0x2a : a % 48 < 33 ? 0x23 : a & 0xff;
  }
  return out;
}

// `#`, `$`, `}` and `*` in a comment: left escaped they would be control characters, which
// expat rejects; indentation gives runs for RLE.
export const TARGET_XML =
  '<?xml version="1.0"?>\n<!DOCTYPE target SYSTEM "gdb-target.dtd">\n<target>\n' +
  '        <!-- escapes: # $ } * ** *** -->\n' +
  '        <architecture>i386:x86-64</architecture>\n</target>\n';

function reply(body: Buffer | string): void {
  process.stdout.write(encodePacket(body, { rle: true }));
}

function main(): void {
  const framer = new Framer({ maxPacketSize: 0x4000 });
  process.stdin.on('data', (chunk: Buffer) => {
    for (const ev of framer.push(chunk)) {
      if (ev.type === 'bad-checksum') {
        process.stdout.write('-');
        continue;
      }
      if (ev.type !== 'packet') continue;
      process.stdout.write('+');
      const cmd = parseCommand(ev.body);
      process.stderr.write(`packet ${cmd.kind}\n`);
      switch (cmd.kind) {
        case 'supported-features':
          reply('PacketSize=4000;qXfer:features:read+');
          break;
        case 'query-stop-reason':
          reply(
            formatStopReply({ kind: 'T', signal: 5, thread: { tid: 1 } }, { multiprocess: false }),
          );
          break;
        case 'current-thread':
          reply('QC1');
          break;
        case 'thread-list-first':
          reply('m1');
          break;
        case 'thread-list-next':
          reply('l');
          break;
        case 'attached':
          reply('1');
          break;
        case 'set-thread':
        case 'symbol-lookup-ready':
          reply('OK');
          break;
        case 'xfer-read':
          if (cmd.object === 'features' && cmd.annex === 'target.xml') {
            reply(xferChunk(Buffer.from(TARGET_XML), cmd.offset, cmd.length));
          } else {
            reply('');
          }
          break;
        case 'read-registers':
          reply(registerBlockHex());
          break;
        case 'read-memory':
          reply(bufferToHex(memoryAt(BigInt(cmd.addr), cmd.length)));
          break;
        case 'detach':
          reply('OK');
          break;
        case 'kill':
          // No reply (GDB manual, "Packets", `k`). The process ends when gdb closes the pipe;
          // exiting earlier could make gdb's last ack fail with EPIPE.
          break;
        default:
          reply('');
      }
    }
  });
}

if (process.argv[2] === 'serve') main();
