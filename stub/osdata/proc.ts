// Small /proc readers for the osdata tables, following gdbserver's nat/linux-osdata.c: a process
// that vanishes between the directory listing and the read just yields less, never an error.
// Synchronous: `info os` is a rare, user-typed request and gdbserver answers it the same way.
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';

/** Contents of a text file, or undefined when it cannot be read. */
export function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return undefined;
  }
}

/** The numeric entries of a /proc directory (processes, tasks, fds), in directory order. */
export function numericEntries(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter(
    (n) => n.length > 0 && n.length <= 19 && n.charCodeAt(0) >= 48 && n.charCodeAt(0) <= 57,
  );
}

export function processIds(): string[] {
  return numericEntries('/proc');
}

/** Where a symlink points, or undefined. */
export function linkTarget(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}

/** The uid owning /proc/PID (the process's owner), or undefined when it is gone. */
export function processOwner(pid: string): number | undefined {
  try {
    const st = statSync(`/proc/${pid}`);
    return st.isDirectory() ? st.uid : undefined;
  } catch {
    return undefined;
  }
}

/** The fields of a stat line: [pid, comm, state, ppid, pgrp, ...], comm without parentheses. */
export function statFields(line: string): string[] | undefined {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')'); // comm itself may hold ')' and spaces
  if (open < 0 || close < open) return undefined;
  const rest = line
    .slice(close + 2)
    .trim()
    .split(' ');
  return [line.slice(0, open).trim(), line.slice(open + 1, close), ...rest];
}

/** A process's short command name (comm), or its pid when it has no /proc entry. */
export function commandOf(pid: string): string {
  const stat = readText(`/proc/${pid}/stat`);
  if (stat === undefined) return pid;
  return statFields(stat)?.[1] ?? '';
}

/** The command line with NULs as spaces; `[comm]` for a kernel thread; '' when unreadable. */
export function commandLineOf(pid: string): string {
  const raw = readText(`/proc/${pid}/cmdline`);
  if (raw === undefined) return '';
  if (raw.length === 0) return `[${commandOf(pid)}]`;
  return raw.replaceAll('\0', ' ');
}

/** The core a task last ran on (stat field 39), or -1. */
export function coreOf(pid: string, tid: string): number {
  const stat = readText(`/proc/${pid}/task/${tid}/stat`);
  const f = stat === undefined ? undefined : statFields(stat);
  const core = Number(f?.[38]);
  return Number.isInteger(core) ? core : -1;
}

/** uid or gid -> name from /etc/passwd or /etc/group (the names getpwuid/getgrgid give here). */
export function idNames(file: '/etc/passwd' | '/etc/group'): (id: number) => string {
  const names = new Map<number, string>();
  for (const line of (readText(file) ?? '').split('\n')) {
    const f = line.split(':');
    const id = Number(f[2]);
    if (f.length >= 3 && f[2] !== '' && Number.isInteger(id) && !names.has(id))
      names.set(id, f[0]!);
  }
  return (id) => names.get(id) ?? '';
}
