#!/usr/bin/env node
// ntrace-gdbserver: gdbserver's command line on top of the ntrace engine. Wiring only: parsing
// here, everything else in stub/ and native/.
import './v8-flags.js'; // first: V8's settings before anything else runs
import { accessSync, constants, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openEngine } from '../native/index.js';
import type { BackendChoice, Engine } from '../native/types.js';
import { EngineTarget, type LaunchSpec, StartupExit } from '../stub/engine-target.js';
import { type LaunchRequest, programPath, shellCommand } from '../stub/launch-settings.js';
import { serve } from '../stub/serve.js';
import { warmUp } from '../stub/warm-up.js';
import { listen, listenErrorText, parseComm } from '../stub/transport.js';
import { HelpNeeded, leanYargs, type YargsFactory } from './yargs-lean.js';

const pkg = JSON.parse(
  readFileSync(resolve(dirname(fileURLToPath(import.meta.url)), '../../package.json'), 'utf8'),
) as { version: string };

/** The warm-up's rounds of a breakpoint hit's packets (stub/warm-up.ts). */
const WARM_UP_ROUNDS = 8;

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  ESRCH: 'No such process',
  ENOEXEC: 'Exec format error',
  EBUSY: 'Device or resource busy',
  EINVAL: 'Invalid argument',
};

/** "Operation not permitted (EPERM)" from an fs or engine error. */
function reason(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && ERRNO_TEXT[code]) return `${ERRNO_TEXT[code]} (${code})`;
  return (err as Error).message ?? String(err);
}

function fail(message: string): never {
  process.stderr.write(`${message}\nExiting\n`);
  process.exit(1);
}

// `--wrapper WRAPPER... --` takes every word up to `--`, as in gdbserver; yargs cannot say that.
// yargs' hideBin for Node (yargs/helpers would load the help renderer, see yargs-lean.ts).
const rawArgs = process.argv.slice(2);
let wrapper: string[] = [];
{
  const at = rawArgs.indexOf('--wrapper');
  if (at >= 0) {
    const end = rawArgs.indexOf('--', at + 1);
    if (end < 0 || end === at + 1) {
      process.stderr.write(
        'ntrace-gdbserver: --wrapper needs WRAPPER words ended by --\nExiting\n',
      );
      process.exit(1);
    }
    wrapper = rawArgs.slice(at + 1, end);
    rawArgs.splice(at, end - at + 1);
  }
}

const parseArgs = (yargs: YargsFactory) =>
  yargs(rawArgs)
    .scriptName('ntrace-gdbserver')
    .usage(
      'Usage:\tntrace-gdbserver [OPTIONS] COMM PROG [ARGS ...]\n' +
        '\tntrace-gdbserver [OPTIONS] --attach COMM PID\n' +
        '\tntrace-gdbserver [OPTIONS] --multi COMM\n\n' +
        'COMM may be HOST:PORT, :PORT (127.0.0.1), a Unix socket path, or - (or stdio) for\n' +
        'stdin/stdout.',
    )
    .parserConfiguration({ 'halt-at-non-option': true, 'populate--': true })
    .option('attach', { type: 'boolean', describe: 'Attach to the running process PID' })
    .option('multi', { type: 'boolean', describe: 'Start without a process (extended-remote)' })
    .option('once', { type: 'boolean', describe: 'Exit after the first connection closes' })
    .option('backend', {
      choices: ['auto', 'kernel', 'user'] as const,
      default: 'auto' as const,
      describe: 'ntrace provider: /dev/ntrace (kernel), ptrace (user), or the first that works',
    })
    .option('debug', { type: 'boolean', describe: 'Log packets to stderr' })
    .option('remote-debug', { type: 'boolean', describe: 'Same as --debug' })
    .option('disable-randomization', {
      type: 'boolean',
      default: true,
      describe:
        'Run PROG without address-space randomisation (--no-disable-randomization to keep it)',
    })
    .option('startup-with-shell', {
      type: 'boolean',
      default: true,
      describe:
        'Start PROG through /bin/sh -c "exec PROG ARGS" (--no-startup-with-shell: directly)',
    })
    .option('wrapper', { type: 'string', describe: 'Run PROG through WRAPPER words, ended by --' })
    .version(pkg.version)
    .help()
    .strict(false)
    .parseSync();

let argv: ReturnType<typeof parseArgs>;
try {
  argv = parseArgs((await leanYargs()) ?? (await import('yargs')).default);
} catch (err) {
  // Help or a usage error to print: the full yargs prints it (and exits).
  if (!(err instanceof HelpNeeded)) throw err;
  argv = parseArgs((await import('yargs')).default);
}

const rest = [...argv._.map(String), ...((argv['--'] as string[] | undefined) ?? [])];
const commText = rest.shift();
if (commText === undefined) fail('ntrace-gdbserver: no COMM given (try --help)');
// gdbserver still takes `--attach` right after COMM ("used to come after PORT").
const attach = argv.attach === true || (rest[0] === '--attach' && rest.shift() !== undefined);
const comm = parseComm(commText);
if (!comm)
  fail(`ntrace-gdbserver: bad COMM "${commText}": expected HOST:PORT, :PORT, a socket path or -`);

const debug = argv.debug === true || argv['remote-debug'] === true;
const log = debug
  ? (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`)
  : undefined;

/** Set once serving; before that a signal only has the debuggee to clean up. */
let onSignal: () => void = () => process.exit(1);
process.on('SIGINT', () => onSignal());
process.on('SIGTERM', () => onSignal());
// A reader of our stderr that went away (EPIPE: the terminal or the parent that took our log is
// gone) costs only what we would have written there; the client is still served. Unhandled,
// the error reached the handler below, whose own write failed again, over and over.
process.stderr.on('error', () => {});
// A bug of ours must not leave the debuggee stopped: report it and clean up like a signal would,
// once.
let failing = false;
process.on('uncaughtException', (err) => {
  if (failing) return;
  failing = true;
  process.stderr.write(`ntrace-gdbserver: internal error: ${err.stack ?? String(err)}\n`);
  onSignal();
});

/** execve does not search PATH; a bare wrapper name (env, taskset) is looked up here. */
function which(name: string): string {
  if (name.includes('/')) return name;
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    const full = `${dir || '.'}/${name}`;
    try {
      accessSync(full, constants.X_OK);
      return full;
    } catch {}
  }
  return name;
}

/**
 * How to start PROG: directly, or through the wrapper; with the stdio transport the program's
 * stdout would corrupt the protocol, so a shell moves it to stderr (and stdin to /dev/null), as
 * gdbserver does. Each layer execs once before PROG's first instruction.
 */
function launchSpec(prog: string[], req: Partial<LaunchRequest> = {}): LaunchSpec {
  let words = [...wrapper, ...prog];
  let execs = wrapper.length > 0 ? 1 : 0;
  // vRun with startup-with-shell: `/bin/sh -c "exec prog args"`, as gdbserver does.
  if (req.shell) {
    words = ['/bin/sh', '-c', shellCommand(words)];
    execs++;
  }
  if (comm?.kind === 'stdio') {
    words = ['/bin/sh', '-c', 'exec "$0" "$@" </dev/null >&2', ...words];
    execs++;
  }
  return {
    path: which(words[0]!),
    argv: words,
    env: req.env ?? Object.entries(process.env).map(([k, v]) => `${k}=${v}`),
    execs,
    disableAslr: req.disableAslr ?? argv['disable-randomization'] !== false,
    ...(req.cwd !== undefined ? { cwd: req.cwd } : {}),
  };
}

async function main(): Promise<void> {
  let pid: number | undefined;
  if (attach) {
    const pidText = rest[0];
    if (pidText === undefined || !/^\d+$/.test(pidText))
      fail('ntrace-gdbserver: --attach needs a PID');
    pid = Number(pidText);
    try {
      process.kill(pid, 0);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ESRCH') fail(`Cannot attach to process ${pid}: No such process (ESRCH)`);
    }
  } else if (!argv.multi && rest.length === 0) {
    fail('ntrace-gdbserver: no program given (try --help)');
  }
  const program: string[] =
    !attach && rest.length > 0 ? [programPath(rest[0]!), ...rest.slice(1)] : rest;
  const shell = argv['startup-with-shell'] !== false;
  // With the shell, the shell looks PROG up and says what is wrong, as with gdbserver.
  if (!attach && rest.length > 0 && !shell) {
    const path = rest[0]!;
    try {
      accessSync(path, constants.X_OK);
    } catch (err) {
      fail(`Cannot exec ${path}: ${reason(err)}.`);
    }
  }

  // Listen before starting anything, as gdbserver (remote_prepare): a COMM that cannot be used
  // leaves no process behind, and the testsuite reads the failure from our first words.
  let listener: Awaited<ReturnType<typeof listen>>;
  try {
    listener = await listen(comm!);
  } catch (err) {
    fail(listenErrorText(err as NodeJS.ErrnoException, commText!));
  }

  let engine: Engine;
  try {
    engine = await openEngine({ backend: argv.backend as BackendChoice });
  } catch (err) {
    fail(`ntrace-gdbserver: cannot open the ntrace engine: ${(err as Error).message}`);
  }

  let target: EngineTarget | undefined;
  onSignal = () => {
    void (async () => {
      if (target) await (target.attached ? target.detach() : target.kill()).catch(() => {});
      await engine.close().catch(() => {});
      process.exit(1);
    })();
  };
  if (pid !== undefined) {
    try {
      target = await EngineTarget.attach(engine, pid);
    } catch (err) {
      await engine.close();
      fail(`Cannot attach to process ${pid}: ${reason(err)}`);
    }
    process.stderr.write(`Attached; pid = ${pid}\n`);
  } else if (program.length > 0) {
    // gdbserver's child says so before it execs (linux_ptrace_fun).
    if (comm?.kind === 'stdio') process.stderr.write('stdin/stdout redirected\n');
    try {
      target = await EngineTarget.launch(engine, launchSpec(program, { shell }));
    } catch (err) {
      listener.close();
      await engine.close();
      fail(err instanceof StartupExit ? err.message : `Cannot exec ${program[0]}: ${reason(err)}`);
    }
    process.stderr.write(`Process ${program[0]} created; pid = ${target.pid}\n`);
  }

  const sessionOpts = {
    provider: {
      capabilities: EngineTarget.capabilities(engine),
      launch: async (req: LaunchRequest) => {
        const t = await EngineTarget.launch(engine, launchSpec(req.argv, req));
        process.stderr.write(`Process ${req.argv[0]} created; pid = ${t.pid}\n`);
        return t.asTarget();
      },
      attach: async (p: number) => (await EngineTarget.attach(engine, p)).asTarget(),
    },
    multi: argv.multi === true,
    version: pkg.version,
    message: (line: string) => process.stderr.write(`${line}\n`),
    // dprintf text goes where the program's stdout goes: with stdio, stdout is the protocol.
    console: (text: Buffer) =>
      (comm?.kind === 'stdio' ? process.stderr : process.stdout).write(text),
    ...(log ? { log } : {}),
  };

  // Before "Listening": gdb starts right after that line on the same CPUs, so nothing runs
  // between it and the first client (warm-ups there cost gdb more than they saved it,
  // bench/RESULTS.md, sessions 13 and 14). The warm-up session runs gdb's first packets on the
  // program here instead (stub/warm-up.ts); its packets are not logged, its count is. Not with
  // stdio: gdb already waits on the pipe, whose stream is another kind than the warm-up's.
  // NTRACE_WARM_UP=N: its rounds of a breakpoint hit's packets (0: no warm-up).
  const rounds = Number(process.env.NTRACE_WARM_UP ?? WARM_UP_ROUNDS);
  if (target && comm!.kind !== 'stdio' && rounds > 0) {
    const { log: _unlogged, ...quiet } = sessionOpts;
    try {
      const r = await warmUp(target.asTarget(), quiet, rounds);
      log?.(`warm-up: ${r.packets} packets, ${r.errors} error replies`);
    } catch (err) {
      log?.(`warm-up failed: ${(err as Error).message}`);
    }
  }

  if (listener.port !== undefined) process.stderr.write(`Listening on port ${listener.port}\n`);
  else if (comm!.kind === 'unix') process.stderr.write(`Listening on Unix socket ${comm!.path}\n`);
  else process.stderr.write('Remote debugging using stdio\n');

  const serving = serve({
    ...sessionOpts,
    listener,
    target: target?.asTarget(),
    once: argv.once === true,
  });
  onSignal = () => serving.stop();
  await serving.done;
  await engine.close();
  process.stderr.write('Exiting\n');
  process.exit(0);
}

main().catch((err: unknown) => fail(`ntrace-gdbserver: ${(err as Error).stack ?? String(err)}`));
