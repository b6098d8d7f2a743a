// Path lookup in another process's filesystem view, for `vFile:setfs:<pid>` (GDB manual, "Host
// I/O Packets": later path operations use the filesystem "as seen by" that process).
//
// gdbserver enters the process's mount namespace (setns(2) in a helper, nat/linux-namespaces.c).
// We look up paths under /proc/<pid>/root instead (proc(5)): that magic link is the process's
// root directory together with its mount, so a lookup through it crosses the mounts of the
// process's namespace, exactly what a lookup inside the namespace does. Two things differ, and
// this module fixes them:
// - The kernel confines absolute symlinks and `..` to the *caller's* root, so a link such as
//   /lib64/ld-linux-x86-64.so.2 -> /lib/x86_64-linux-gnu/... would escape to the stub's own
//   files. We resolve every component ourselves and restart absolute link targets at the
//   process's root, the semantics of openat2(2) RESOLVE_IN_ROOT (which Node.js does not offer).
// - The view is the process's own root: if it runs chrooted, paths are looked up in the chroot,
//   which is where the file names gdb asks for (from the program's link map) point.
// The result has no symbolic links left except, when asked, the last component, so the kernel's
// own lookup of it stays under the root. A link changed between our lookup and the operation
// could still redirect it; the client is a debugger with the stub's privileges anyway.
// Synchronous on purpose, like gdbserver: a lookup is a few lstat calls on local files
// (microseconds), while each trip through libuv's thread pool costs far more under load.
import { lstatSync, readlinkSync, statSync } from 'node:fs';
import { HostIoError } from './errno.js';

/** Linux's MAXSYMLINKS: more links than this in one lookup is ELOOP. */
const MAX_SYMLINKS = 40;

export function procRoot(pid: number): string {
  return `/proc/${pid}/root`;
}

/** Our own mount namespace and root directory, read once: the stub never changes either. */
let ownView: { mntNs: string; dev: number; ino: number } | undefined;

/**
 * Whether `pid` sees the filesystem as we do: the same mount namespace and the same root
 * directory. gdbserver then does its file operations itself, without a helper in the other
 * namespace (nat/linux-namespaces.c, linux_mntns_access_fs: MNSH_FS_DIRECT when the process's
 * /proc/PID/ns/mnt is gdbserver's own), and so may we: the kernel's lookup from `/` is then the
 * lookup in the process's view, one syscall where resolveInRoot takes an lstat per component
 * and a readlink per link (a dozen for /lib64/ld-linux-x86-64.so.2, which gdb opens at every
 * connect). gdbserver does not look at the root; we do, so a chrooted process keeps its view.
 * Checked at each operation (two syscalls): the process may chroot at any time.
 */
export function sharesOurView(pid: number): boolean {
  try {
    if (ownView === undefined) {
      const st = statSync('/');
      ownView = { mntNs: readlinkSync('/proc/self/ns/mnt'), dev: st.dev, ino: st.ino };
    }
    if (readlinkSync(`/proc/${pid}/ns/mnt`) !== ownView.mntNs) return false;
    // The magic link followed: the process's root directory, in its mount namespace (ours).
    const root = statSync(procRoot(pid));
    return root.dev === ownView.dev && root.ino === ownView.ino;
  } catch {
    // Gone, or not ours to look at: the lookup under /proc/PID/root reports what it finds.
    return false;
  }
}

function components(path: string): string[] {
  return path.split('/').filter((c) => c !== '');
}

/**
 * The host path of `path` looked up with `root` as `/` (relative paths start there too, as after
 * setns(2), which moves the working directory to the namespace root). `followFinal` false leaves
 * a symbolic link in the last component alone (readlink, unlink, O_CREAT|O_EXCL); a trailing `/`
 * follows it anyway, as in the kernel. Throws errors carrying an errno `code`.
 */
export async function resolveInRoot(
  root: string,
  path: string,
  followFinal: boolean,
): Promise<string> {
  if (path === '') throw new HostIoError('ENOENT');
  if (path.endsWith('/')) followFinal = true;
  // Components still to look up, next one last; resolved ones, all directories but the last.
  const pending = components(path).reverse();
  const done: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const c = pending.pop()!;
    if (c === '.') continue;
    if (c === '..') {
      // At the root `..` stays there, as it does at a process's root in the kernel.
      done.pop();
      continue;
    }
    const last = pending.length === 0;
    if (last && !followFinal) {
      done.push(c);
      break;
    }
    const here = [root, ...done, c].join('/');
    // No exception for a missing one: gdb looks up names that are not there at every connect.
    const st = lstatSync(here, { throwIfNoEntry: false });
    if (st === undefined) {
      // A missing last component is for the operation to report, or to create (O_CREAT).
      if (last) {
        done.push(c);
        break;
      }
      throw new HostIoError('ENOENT');
    }
    if (st.isSymbolicLink()) {
      if (++links > MAX_SYMLINKS) throw new HostIoError('ELOOP');
      const target = readlinkSync(here);
      if (target === '') throw new HostIoError('ENOENT');
      if (target.startsWith('/')) done.length = 0;
      pending.push(...components(target).reverse());
      continue;
    }
    if (!last && !st.isDirectory()) throw new HostIoError('ENOTDIR');
    done.push(c);
  }
  return [root, ...done].join('/') + (done.length === 0 ? '/' : '');
}
