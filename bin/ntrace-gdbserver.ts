#!/usr/bin/env node
// ntrace-gdbserver: gdbserver's command line on top of the ntrace engine. Wiring only: parsing
// here, everything else in stub/ and native/.
import { accessSync, constants, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openEngine } from '../native/index.js';
import type { BackendChoice, Engine } from '../native/types.js';
import { EngineTarget, type LaunchSpec, StartupExit } from '../stub/engine-target.js';
import { type LaunchRequest, programPath, shellCommand } from '../stub/launch-settings.js';
import { serve } from '../stub/serve.js';
import { warmUp } from '../stub/warm-up.js';
import { listen, listenErrorText, parseComm } from '../stub/transport.js';

const pkg = JSON.parse(
  readFileSync(resolve(dirname(fileURLToPath(import.meta.url)), '../../package.json'), 'utf8'),
) as { version: string };

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

// node:util's parseArgs, not yargs, whose import (its locale and usage layout modules) took
// 100-150 ms of CPU before "Listening" (bench/RESULTS.md, session 12). As with yargs'
// halt-at-non-option, options stop at COMM (or `--`): what follows belongs to PROG.
const OPTIONS: { name: string; type: 'boolean' | 'string'; describe: string }[] = [
  { name: 'attach', type: 'boolean', describe: 'Attach to the running process PID' },
  { name: 'multi', type: 'boolean', describe: 'Start without a process (extended-remote)' },
  { name: 'once', type: 'boolean', describe: 'Exit after the first connection closes' },
  {
    name: 'backend',
    type: 'string',
    describe:
      'ntrace provider: auto (the default: the first that works), kernel\n' +
      '(/dev/ntrace) or user (ptrace)',
  },
  { name: 'debug', type: 'boolean', describe: 'Log packets to stderr' },
  { name: 'remote-debug', type: 'boolean', describe: 'Same as --debug' },
  {
    name: 'disable-randomization',
    type: 'boolean',
    describe:
      'Run PROG without address-space randomisation (the default;\n' +
      '--no-disable-randomization to keep it)',
  },
  {
    name: 'startup-with-shell',
    type: 'boolean',
    describe:
      'Start PROG through /bin/sh -c "exec PROG ARGS" (the default;\n' +
      '--no-startup-with-shell: directly)',
  },
  { name: 'wrapper', type: 'string', describe: 'Run PROG through WRAPPER words, ended by --' },
  { name: 'version', type: 'boolean', describe: 'Show version number' },
  { name: 'help', type: 'boolean', describe: 'Show help' },
];
const BACKENDS = ['auto', 'kernel', 'user'] as const;

const USAGE =
  'Usage:\tntrace-gdbserver [OPTIONS] COMM PROG [ARGS ...]\n' +
  '\tntrace-gdbserver [OPTIONS] --attach COMM PID\n' +
  '\tntrace-gdbserver [OPTIONS] --multi COMM\n\n' +
  'COMM may be HOST:PORT, :PORT (127.0.0.1), a Unix socket path, or - (or stdio) for\n' +
  'stdin/stdout.\n\nOptions:\n' +
  OPTIONS.map((o) => {
    const [first, ...more] = o.describe.split('\n');
    const pad = ' '.repeat(29);
    return [`  --${o.name.padEnd(23)}  ${first}`, ...more.map((l) => pad + l)].join('\n');
  }).join('\n') +
  '\n';

const OPTION_TYPES = Object.fromEntries(
  OPTIONS.map((o) => [o.name, { type: o.type }] as const),
) as Record<string, { type: 'boolean' | 'string' }>;
const firstWord = parseArgs({
  args: rawArgs,
  options: OPTION_TYPES,
  strict: false,
  allowPositionals: true,
  tokens: true,
}).tokens.find((tok) => tok.kind === 'positional' || tok.kind === 'option-terminator');
const optionWords = firstWord ? rawArgs.slice(0, firstWord.index) : rawArgs;
const argv: Record<string, string | boolean | undefined> = {
  backend: 'auto',
  'disable-randomization': true,
  'startup-with-shell': true,
  ...parseArgs({ args: optionWords, options: OPTION_TYPES, strict: false, allowNegative: true })
    .values,
};
if (argv.help === true) {
  process.stdout.write(USAGE);
  process.exit(0);
}
if (argv.version === true) {
  process.stdout.write(`${pkg.version}\n`);
  process.exit(0);
}
if (!(BACKENDS as readonly string[]).includes(String(argv.backend))) {
  process.stderr.write(
    `${USAGE}\nInvalid values:\n  Argument: backend, Given: "${String(argv.backend)}", ` +
      `Choices: ${BACKENDS.map((b) => `"${b}"`).join(', ')}\n`,
  );
  process.exit(1);
}

const rest = firstWord
  ? rawArgs.slice(firstWord.index + (firstWord.kind === 'option-terminator' ? 1 : 0))
  : [];
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

  // The packet path is warmed on an in-memory session. It starts here, while the engine opens
  // and the program launches (the main thread mostly waits for the tracer then).
  const warm = warmUp();

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

  // A client connects as soon as it reads "Listening", and gdb starts then: the warm-up ends
  // before it, so it neither meets a client's first packets cold nor takes CPU from gdb's own
  // start on a small machine (bench/RESULTS.md, session 12). Its first rounds run alongside
  // the launch; the time yargs took to load pays for the rest. A warm-up that hangs (a bug)
  // must not keep the server from listening. With stdio the client is there already.
  if (comm!.kind !== 'stdio')
    await Promise.race([
      warm.done.catch(() => {}),
      new Promise((r) => setTimeout(r, 2000).unref()),
    ]);
  if (listener.port !== undefined) process.stderr.write(`Listening on port ${listener.port}\n`);
  else if (comm!.kind === 'unix') process.stderr.write(`Listening on Unix socket ${comm!.path}\n`);
  else process.stderr.write('Remote debugging using stdio\n');

  const serving = serve({
    listener: {
      ...listener,
      accept: async () => {
        const stream = await listener.accept();
        void warm.stop();
        return stream;
      },
    },
    target: target?.asTarget(),
    provider: {
      capabilities: EngineTarget.capabilities(engine),
      launch: async (req) => {
        const t = await EngineTarget.launch(engine, launchSpec(req.argv, req));
        process.stderr.write(`Process ${req.argv[0]} created; pid = ${t.pid}\n`);
        return t.asTarget();
      },
      attach: async (p) => (await EngineTarget.attach(engine, p)).asTarget(),
    },
    multi: argv.multi === true,
    once: argv.once === true,
    version: pkg.version,
    message: (line) => process.stderr.write(`${line}\n`),
    // dprintf text goes where the program's stdout goes: with stdio, stdout is the protocol.
    console: (text) => (comm?.kind === 'stdio' ? process.stderr : process.stdout).write(text),
    ...(log ? { log } : {}),
  });
  onSignal = () => serving.stop();
  await serving.done;
  await engine.close();
  process.stderr.write('Exiting\n');
  process.exit(0);
}

main().catch((err: unknown) => fail(`ntrace-gdbserver: ${(err as Error).stack ?? String(err)}`));
