// How extended-remote starts programs (vRun): the environment, working directory, shell and
// randomisation settings GDB sends before `run` (GDB manual, "General Query Packets":
// QEnvironmentHexEncoded, QEnvironmentUnset, QEnvironmentReset, QSetWorkingDir,
// QStartupWithShell, QDisableRandomization), and the last program for a bare `vRun;`.
import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { resolve } from 'node:path';

/** What a provider needs to start one program. */
export interface LaunchRequest {
  /** The program and its arguments, as the process will see them (argv[0] is the program). */
  argv: string[];
  disableAslr: boolean;
  /** NAME=VALUE entries; undefined: the server's own environment. */
  env?: string[];
  /** undefined: the server's working directory. */
  cwd?: string;
  /** Start through `/bin/sh -c "exec prog args"` (one exec before the program's first instruction). */
  shell?: boolean;
}

/** Quotes one word for /bin/sh so spaces, quotes and `$` reach the program unchanged. */
export function shellQuote(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * A working directory as the program gets it: a leading `~` is the home directory, as gdbserver's
 * fork_inferior expands it (gdb_tilde_expand) before chdir; `set cwd ~/` is a testsuite case.
 */
export function expandTilde(dir: string): string {
  if (dir === '~' || dir.startsWith('~/')) return homedir() + dir.slice(1);
  return dir;
}

/** The `sh -c` script gdbserver runs with startup-with-shell on. */
export function shellCommand(argv: string[]): string {
  return `exec ${argv.map(shellQuote).join(' ')}`;
}

/**
 * The path to start a program by: a bare name (no `/`) of a regular file in our working
 * directory becomes absolute, as gdbserver's program_path.set (server.cc), so the shell's exec
 * finds it without `./`; any other name is kept (the shell looks it up in PATH).
 */
export function programPath(name: string): string {
  if (name.includes('/')) return name;
  try {
    if (statSync(name).isFile()) return resolve(name);
  } catch {
    // not here: left for PATH
  }
  return name;
}

export class LaunchSettings {
  private env: Map<string, string>;
  cwd: string | undefined;
  /** gdbserver starts programs through the shell unless told otherwise. */
  shell = true;
  /** QDisableRandomization; on by default as in gdbserver. */
  disableAslr = true;
  /** The last vRun's program and arguments, for `vRun;` with no program and for R. */
  lastProgram: string[] | undefined;
  private changed = false;

  constructor(private readonly initialEnv: Readonly<Record<string, string | undefined>> = {}) {
    this.env = LaunchSettings.envMap(initialEnv);
  }

  private static envMap(from: Readonly<Record<string, string | undefined>>): Map<string, string> {
    const m = new Map<string, string>();
    for (const [k, v] of Object.entries(from)) if (v !== undefined) m.set(k, v);
    return m;
  }

  setEnv(name: string, value: string): void {
    this.env.set(name, value);
    this.changed = true;
  }

  unsetEnv(name: string): void {
    this.env.delete(name);
    this.changed = true;
  }

  resetEnv(): void {
    this.env = LaunchSettings.envMap(this.initialEnv);
    this.changed = false;
  }

  /**
   * The request for `vRun;filename;args...`; an empty filename reuses the last program (and its
   * arguments when none are given). Undefined when there is nothing to run.
   */
  request(filename: string, args: string[]): LaunchRequest | undefined {
    let argv: string[];
    if (filename !== '') argv = [programPath(filename), ...args];
    else if (this.lastProgram) {
      argv = args.length > 0 ? [this.lastProgram[0]!, ...args] : [...this.lastProgram];
    } else return undefined;
    this.lastProgram = argv;
    return {
      argv,
      disableAslr: this.disableAslr,
      ...(this.changed ? { env: [...this.env].map(([k, v]) => `${k}=${v}`) } : {}),
      ...(this.cwd !== undefined ? { cwd: expandTilde(this.cwd) } : {}),
      shell: this.shell,
    };
  }
}
