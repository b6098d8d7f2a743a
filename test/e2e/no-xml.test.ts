// gdb without target descriptions (`set remote target-features-packet off`: qSupported carries
// no xmlRegisters=): it assumes amd64 GNU/Linux's core+sse+linux+segments registers, 560 bytes
// in the g packet, and refuses a longer reply ("Remote 'g' packet reply is too long"); gdbserver
// then answers with that layout (gdb.arch/i386-avx.exp, "force-disable xml descriptions").
import test from 'ava';
import { haveGdb, normalize, serverKinds, spawnGdb, startServer } from '../helpers/e2e-harness.js';
import { basicProgram } from '../helpers/e2e-programs.js';

// Skipped only where gdb is not installed (.ci/run installs it): nothing to drive the server with.
const e2e = haveGdb ? test : test.skip;

e2e('without target descriptions the registers are the pre-XML amd64 set', async (t) => {
  const prog = await basicProgram();
  const outs: [string, string][] = [];
  for (const kind of serverKinds()) {
    const server = await startServer(kind, [prog], { before: ['--once'] });
    try {
      const gdb = spawnGdb(prog, 'set remote target-features-packet off', [
        `target remote 127.0.0.1:${server.port}`,
        'break main',
        'continue',
        'p $ymm0',
        'p sizeof($xmm15)',
        'set var $xmm3.v4_int32[1] = 0x1234',
        'p/x $xmm3.v4_int32[1]',
        'p $fs_base != 0',
        'p $pc == &main',
        'kill',
      ]);
      const res = await gdb.done;
      outs.push([kind, normalize(res.stdout + res.stderr)]);
    } finally {
      await server.stop();
    }
  }
  const ours = outs[0]![1];
  t.notRegex(ours, /too long|Could not fetch register/);
  t.regex(ours, /\$1 = void\n\$2 = 16\n\$3 = 0x1234\n\$4 = 1\n/);
  for (const [kind, out] of outs.slice(1)) t.is(out, ours, `differs from ${kind}`);
});
