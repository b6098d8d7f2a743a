// The process tables of `info os` (processes, procgroups, threads, files), column for column as
// gdbserver builds them in nat/linux-osdata.c.
import type { OsdataItem } from '../../rsp/index.js';
import {
  commandLineOf,
  commandOf,
  coreOf,
  idNames,
  linkTarget,
  numericEntries,
  processIds,
  processOwner,
  readText,
  statFields,
} from './proc.js';

/** Distinct cores the process's tasks last ran on, ascending, comma-separated. */
function coresOf(pid: string): string {
  const cores = new Set<number>();
  for (const tid of numericEntries(`/proc/${pid}/task`)) {
    const core = coreOf(pid, tid);
    if (core >= 0) cores.add(core);
  }
  return [...cores].sort((a, b) => a - b).join(',');
}

export function processes(): OsdataItem[] {
  const user = idNames('/etc/passwd');
  return processIds().map((pid) => {
    const owner = processOwner(pid);
    return [
      ['pid', pid],
      ['user', owner === undefined ? '?' : user(owner)],
      ['command', commandLineOf(pid)],
      ['cores', coresOf(pid)],
    ];
  });
}

/** Sorted by group, the group's leader first, then by pid (gdbserver's pid_pgid_entry order). */
export function processGroups(): OsdataItem[] {
  const entries: { pid: number; pgid: number }[] = [];
  for (const name of processIds()) {
    const stat = readText(`/proc/${name}/stat`);
    const pgid = Number(stat === undefined ? undefined : statFields(stat)?.[4]);
    if (Number.isInteger(pgid) && pgid > 0) entries.push({ pid: Number(name), pgid });
  }
  entries.sort((a, b) => {
    if (a.pgid !== b.pgid) return a.pgid - b.pgid;
    const aLeads = a.pid === a.pgid;
    if (aLeads !== (b.pid === b.pgid)) return aLeads ? -1 : 1;
    return a.pid - b.pid;
  });
  return entries.map(({ pid, pgid }) => [
    ['pgid', String(pgid)],
    ['leader command', commandOf(String(pgid))],
    ['pid', String(pid)],
    ['command line', commandLineOf(String(pid))],
  ]);
}

export function threads(): OsdataItem[] {
  const items: OsdataItem[] = [];
  for (const pid of processIds()) {
    const command = commandOf(pid);
    for (const tid of numericEntries(`/proc/${pid}/task`))
      items.push([
        ['pid', pid],
        ['command', command],
        ['tid', tid],
        ['core', String(coreOf(pid, tid))],
      ]);
  }
  return items;
}

export function files(): OsdataItem[] {
  const items: OsdataItem[] = [];
  for (const pid of processIds()) {
    const command = commandOf(pid);
    for (const fd of numericEntries(`/proc/${pid}/fd`))
      items.push([
        ['pid', pid],
        ['command', command],
        ['file descriptor', fd],
        ['name', linkTarget(`/proc/${pid}/fd/${fd}`) ?? fd],
      ]);
  }
  return items;
}
