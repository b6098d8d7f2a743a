// Real gdb (the client) against fake-stub.ts: gdb's reader must accept our run-length encoding
// (including runs that hit the forbidden counts) and our `}` escapes in qXfer data.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import test from 'ava';
import { leBytesToBigint } from '../../../rsp/index.js';
import { memoryAt, registerBlockHex } from './fake-stub.js';

const run = promisify(execFile);
const stub = fileURLToPath(new URL('./fake-stub.js', import.meta.url));
const REGS = [
  'rax',
  'rbx',
  'rcx',
  'rdx',
  'rsi',
  'rdi',
  'rbp',
  'rsp',
  'r8',
  'r9',
  'r10',
  'r11',
  'r12',
  'r13',
  'r14',
  'r15',
  'rip',
];

test('gdb reads registers, memory and target.xml from RLE-encoded, escaped replies', async (t) => {
  // remotetimeout: see spawnGdb in test/helpers/e2e-harness.ts.
  const args = ['-nx', '-batch', '-ex', 'set remotetimeout 30'];
  args.push('-ex', `target remote | ${process.execPath} ${stub} serve`);
  for (const r of REGS) args.push('-ex', `p/x $${r}`);
  // One 96-byte `m` read (its reply is run-length encoded), printed without <repeats>.
  args.push('-ex', 'set print repeats unlimited', '-ex', 'set print elements unlimited');
  args.push(
    '-ex',
    'p/x *(unsigned char (*)[96])0x1000',
    '-ex',
    'show architecture',
    '-ex',
    'detach',
  );
  const { stdout, stderr } = await run('gdb', args, { maxBuffer: 1 << 20 });
  t.notRegex(
    stderr + stdout,
    /parse error|not well-formed|Could not load|Bad|Ignoring packet|too long|malformed/i,
  );
  t.regex(stderr, /packet xfer-read/, 'gdb fetched target.xml');
  t.regex(stdout, /currently "i386:x86-64"/);

  const block = Buffer.from(registerBlockHex(), 'hex');
  const printed = [...stdout.matchAll(/^\$\d+ = (0x[0-9a-f]+)$/gm)].map((m) => BigInt(m[1]!));
  t.is(printed.length, REGS.length);
  REGS.forEach((name, i) => {
    t.is(printed[i], leBytesToBigint(block.subarray(i * 8, i * 8 + 8)), name);
  });

  const array = /^\$\d+ = \{([^}]*)\}$/m.exec(stdout);
  t.truthy(array, stdout);
  const mem = array![1]!.split(',').map((b) => Number.parseInt(b.trim(), 16));
  t.deepEqual(mem, [...memoryAt(0x1000n, 96)]);
  t.regex(stderr, /packet read-memory/);
});
