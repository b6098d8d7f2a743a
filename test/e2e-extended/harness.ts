// Extended-remote scenarios: a `--multi` server (ours, or gdbserver for the differential runs)
// and gdb connected with `target extended-remote`, starting programs itself with `run`.
import { compileFixture } from '../helpers/compile.js';
import {
  normalize,
  type Server,
  type ServerKind,
  spawnGdb,
  startServer,
  type GdbResult,
} from '../helpers/e2e-harness.js';

export interface ExtendedRun {
  kind: ServerKind;
  gdb: GdbResult;
  server: Server;
  /** gdb's stdout, normalised. */
  out: string;
}

/** gdb's line when it reads files through vFile, which depends on sysroot, not the server. */
const FILE_CHATTER =
  /^(Reading .* from remote target\.\.\.|warning: File transfers from remote targets can be slow.*|\[Thread debugging using libthread_db enabled\]|Using host libthread_db library .*)$/;

export function normalizeExtended(out: string): string {
  return normalize(
    out
      .split('\n')
      .filter((l) => !FILE_CHATTER.test(l))
      .join('\n'),
  ).replace(/\d+ \(extended-remote 127\.0\.0\.1:\d+\)/g, 'N (extended-remote)');
}

/** Starts `kind --multi --once :0`, runs gdb with `commands`, stops the server. */
export async function runExtended(
  kind: ServerKind,
  commands: string[],
  opts: { once?: boolean } = {},
): Promise<ExtendedRun> {
  const server = await startServer(kind, [], {
    before: opts.once === false ? ['--multi'] : ['--multi', '--once'],
  });
  try {
    const gdb = await spawnGdb(
      undefined,
      `target extended-remote 127.0.0.1:${server.port}`,
      commands,
    ).done;
    await server.stop();
    return { kind, gdb, server, out: normalizeExtended(gdb.stdout) };
  } catch (err) {
    await server.stop();
    throw err;
  }
}

/** gdb commands that make `prog` the program `run` starts on the server and load its symbols. */
export function useProgram(prog: string): string[] {
  return [`set remote exec-file ${prog}`, `file ${prog}`];
}

export function argsProgram(): Promise<string> {
  return compileFixture('ext-args.c');
}

export function writeProgram(): Promise<string> {
  return compileFixture('ext-write.c');
}

export async function dlopenProgram(): Promise<{ prog: string; plugin: string }> {
  const plugin = await compileFixture('ext-plugin.c', {
    flags: ['-shared', '-fPIC'],
    output: 'libext-plugin.so',
  });
  const prog = await compileFixture('ext-dlopen.c', { flags: ['-ldl'] });
  return { prog, plugin };
}
