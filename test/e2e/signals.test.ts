// Signals: a stop at SIGUSR1 then delivery on continue, a SIGSEGV stop with $_siginfo,
// `handle ... nostop pass` (QPassSignals: delivered by the engine without a stop), `signal 0`.
import test from 'ava';
import { haveGdb, runScenario, serverKinds } from '../helpers/e2e-harness.js';
import { signalsProgram } from '../helpers/e2e-programs.js';

// Skipped only where gdb is not installed (.ci/run installs it): nothing to drive the server with.
const e2e = haveGdb ? test : test.skip;

e2e('signal stops, delivery, siginfo, signal 0', async (t) => {
  const prog = await signalsProgram();
  const commands = [
    'continue',
    'continue',
    'bt 1',
    'p $_siginfo.si_signo',
    'p $_siginfo._sifields._sigfault.si_addr',
    'p got',
    'signal 0',
    'p $_siginfo.si_signo',
    'set $_siginfo._sifields._sigfault.si_addr = (void *) 0x1234',
    'p $_siginfo._sifields._sigfault.si_addr',
    'kill',
  ];
  const runs = await Promise.all(serverKinds().map((k) => runScenario(k, prog, commands)));
  const out = runs[0]!.out;
  t.regex(out, /Program received signal SIGUSR1, User defined signal 1\./);
  t.regex(
    out,
    /Program received signal SIGSEGV, Segmentation fault\.\n0xADDR in main \(\) at .*e2e-signals\.c:\d+/,
  );
  t.regex(out, /\$1 = 11\n\$2 = \(void \*\) 0x0\n\$3 = 10\n/);
  t.is(out.match(/Program received signal SIGSEGV/g)?.length, 2);
  t.regex(out, /\$4 = 11/);
  t.regex(out, /\$5 = \(void \*\) 0x1234/); // qXfer:siginfo:write
  t.regex(runs[0]!.server.stdout.text, /got=10/);
  for (const other of runs.slice(1)) t.is(out, other.out, `differs from ${other.kind}`);
});

e2e('handle nostop noprint pass delivers without stopping', async (t) => {
  const prog = await signalsProgram();
  const commands = ['handle SIGUSR1 nostop noprint pass', 'continue', 'p got', 'kill'];
  const runs = await Promise.all(
    serverKinds().map((k) =>
      runScenario(k, prog, commands, k === 'ntrace' ? { serverArgs: ['--debug'] } : {}),
    ),
  );
  const out = runs[0]!.out;
  t.notRegex(out, /SIGUSR1, User defined/);
  // The engine delivered SIGUSR1 itself: no stop reply for it (T1e) ever went to GDB.
  t.regex(runs[0]!.server.stderr.text, /getpkt \("QPassSignals:[^"]*\b1e;/);
  t.notRegex(runs[0]!.server.stderr.text, /putpkt \("T1e/);
  t.regex(out, /Program received signal SIGSEGV/);
  t.regex(out, /\$1 = 10/);
  for (const other of runs.slice(1)) t.is(out, other.out, `differs from ${other.kind}`);
});
