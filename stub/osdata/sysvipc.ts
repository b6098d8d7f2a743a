// System V IPC tables of `info os` (shm, semaphores, msg) from /proc/sysvipc, column for column
// as gdbserver builds them in nat/linux-osdata.c.
import type { OsdataItem } from '../../rsp/index.js';
import { commandOf, idNames, readText } from './proc.js';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** ctime(3)'s local "Www Mmm dd hh:mm:ss yyyy" for a time in seconds; '' for 0 (never). */
export function ctimeText(seconds: number): string {
  if (seconds === 0) return '';
  const d = new Date(seconds * 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${two(
    d.getHours(),
  )}:${two(d.getMinutes())}:${two(d.getSeconds())} ${d.getFullYear()}`;
}

/** The data rows of a /proc/sysvipc file as number fields; rows of another width are skipped. */
function rows(path: string, width: number): string[][] {
  const lines = (readText(path) ?? '').split('\n').slice(1); // the first line names the columns
  return lines
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= width && f.every((x) => x !== ''));
}

function names() {
  return { user: idNames('/etc/passwd'), group: idNames('/etc/group') };
}

const octal = (s: string) => Number.parseInt(s, 8).toString(8);
const time = (s: string) => ctimeText(Number(s));

export function sharedMemory(): OsdataItem[] {
  const { user, group } = names();
  // key shmid perms size cpid lpid nattch uid gid cuid cgid atime dtime ctime [rss swap]
  return rows('/proc/sysvipc/shm', 14).map((f) => [
    ['key', f[0]!],
    ['shmid', f[1]!],
    ['permissions', octal(f[2]!)],
    ['size', f[3]!],
    ['creator command', commandOf(f[4]!)],
    ['last op. command', commandOf(f[5]!)],
    ['num attached', f[6]!],
    ['user', user(Number(f[7]))],
    ['group', group(Number(f[8]))],
    ['creator user', user(Number(f[9]))],
    ['creator group', group(Number(f[10]))],
    ['last shmat() time', time(f[11]!)],
    ['last shmdt() time', time(f[12]!)],
    ['last shmctl() time', time(f[13]!)],
  ]);
}

export function semaphores(): OsdataItem[] {
  const { user, group } = names();
  // key semid perms nsems uid gid cuid cgid otime ctime
  return rows('/proc/sysvipc/sem', 10).map((f) => [
    ['key', f[0]!],
    ['semid', f[1]!],
    ['permissions', octal(f[2]!)],
    ['num semaphores', f[3]!],
    ['user', user(Number(f[4]))],
    ['group', group(Number(f[5]))],
    ['creator user', user(Number(f[6]))],
    ['creator group', group(Number(f[7]))],
    ['last semop() time', time(f[8]!)],
    ['last semctl() time', time(f[9]!)],
  ]);
}

export function messageQueues(): OsdataItem[] {
  const { user, group } = names();
  // key msqid perms cbytes qnum lspid lrpid uid gid cuid cgid stime rtime ctime
  return rows('/proc/sysvipc/msg', 14).map((f) => [
    ['key', f[0]!],
    ['msqid', f[1]!],
    ['permissions', octal(f[2]!)],
    ['num used bytes', f[3]!],
    ['num messages', f[4]!],
    ['last msgsnd() command', commandOf(f[5]!)],
    ['last msgrcv() command', commandOf(f[6]!)],
    ['user', user(Number(f[7]))],
    ['group', group(Number(f[8]))],
    ['creator user', user(Number(f[9]))],
    ['creator group', group(Number(f[10]))],
    ['last msgsnd() time', time(f[11]!)],
    ['last msgrcv() time', time(f[12]!)],
    ['last msgctl() time', time(f[13]!)],
  ]);
}
