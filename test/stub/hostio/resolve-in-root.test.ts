import { spawn } from 'node:child_process';
import { copyFile, mkdir, readlink, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import test from 'ava';
import { HostIo } from '../../../stub/handlers/host-io.js';
import { resolveInRoot, sharesOurView } from '../../../stub/hostio/resolve-in-root.js';
import { fdOf, openCmd, parseReply, pread, tempDir } from './_fixtures.js';

/** A small tree standing for another process's root. */
async function fakeRoot(t: Parameters<typeof tempDir>[0]): Promise<string> {
  const root = await tempDir(t);
  await mkdir(join(root, 'lib/x86_64'), { recursive: true });
  await mkdir(join(root, 'lib64'));
  await mkdir(join(root, 'a/b'), { recursive: true });
  await writeFile(join(root, 'lib/x86_64/ld.so'), 'inner loader');
  // Absolute, as Debian's /lib64/ld-linux-x86-64.so.2 is.
  await symlink('/lib/x86_64/ld.so', join(root, 'lib64/ld.so'));
  await symlink('../../lib/x86_64/ld.so', join(root, 'a/b/rel'));
  await symlink('/lib/x86_64', join(root, 'libdir'));
  await symlink('self', join(root, 'self'));
  return root;
}

test('absolute symlinks restart at the given root', async (t) => {
  const root = await fakeRoot(t);
  t.is(await resolveInRoot(root, '/lib64/ld.so', true), `${root}/lib/x86_64/ld.so`);
  t.is(await resolveInRoot(root, '/libdir/ld.so', true), `${root}/lib/x86_64/ld.so`);
  // The kernel alone would have followed the link to the host's /lib/x86_64/ld.so.
  t.is(await readlink(join(root, 'lib64/ld.so')), '/lib/x86_64/ld.so');
});

test('relative symlinks and .. stay inside the root', async (t) => {
  const root = await fakeRoot(t);
  t.is(await resolveInRoot(root, '/a/b/rel', true), `${root}/lib/x86_64/ld.so`);
  t.is(await resolveInRoot(root, '/../../../lib/x86_64/ld.so', true), `${root}/lib/x86_64/ld.so`);
  t.is(await resolveInRoot(root, 'a/./b/../../lib64', true), `${root}/lib64`);
  t.is(await resolveInRoot(root, '/', true), `${root}/`);
  t.is(await resolveInRoot(root, '/..', true), `${root}/`);
});

test('the last component is left alone when not following', async (t) => {
  const root = await fakeRoot(t);
  t.is(await resolveInRoot(root, '/lib64/ld.so', false), `${root}/lib64/ld.so`);
  t.is(await resolveInRoot(root, '/libdir/ld.so', false), `${root}/lib/x86_64/ld.so`);
  t.is(await resolveInRoot(root, '/libdir/', false), `${root}/lib/x86_64`, 'a trailing / follows');
});

test('missing last components resolve (for O_CREAT); other failures carry errno codes', async (t) => {
  const root = await fakeRoot(t);
  t.is(await resolveInRoot(root, '/lib/new', true), `${root}/lib/new`);
  await t.throwsAsync(resolveInRoot(root, '/none/x', true), { message: /ENOENT/ });
  await t.throwsAsync(resolveInRoot(root, '/lib/x86_64/ld.so/x', true), { message: 'ENOTDIR' });
  await t.throwsAsync(resolveInRoot(root, '/self', true), { message: 'ELOOP' });
  await t.throwsAsync(resolveInRoot(root, '', true), { message: 'ENOENT' });
});

test('setfs to a chrooted process reads files in its root', async (t) => {
  if (process.getuid?.() !== 0) return t.pass('chroot(8) needs root');
  const root = await fakeRoot(t);
  await mkdir(join(root, 'bin'));
  await copyFile('/usr/bin/busybox', join(root, 'bin/busybox'));
  const child = spawn('chroot', [root, '/bin/busybox', 'sleep', '120'], { stdio: 'ignore' });
  t.teardown(() => {
    child.kill('SIGKILL');
  });
  const pid = child.pid;
  if (pid === undefined) return t.fail('no child');
  // Wait (by polling, not by time) until the child has entered the chroot.
  let entered = false;
  for (let i = 0; i < 500 && !entered; i++) {
    entered = (await readlink(`/proc/${pid}/root`).catch(() => '')) === root;
    if (!entered) await delay(10);
  }
  if (!entered) return t.fail('the child never entered its chroot');
  // Its own root: looked up under /proc/PID/root, not by the kernel from ours.
  t.false(sharesOurView(pid));
  const io = new HostIo({ maxPacketSize: 0x4000 });
  t.teardown(() => io.close());
  t.is(await io.handle({ kind: 'file-setfs', pid }), 'F0');
  const fd = fdOf(await io.handle(openCmd('/lib64/ld.so')));
  t.is(parseReply(await io.handle(pread(fd, 100, 0))).attachment!.toString(), 'inner loader');
  t.is(await io.handle({ kind: 'file-exists', path: '/bin/busybox' }), 'F,1');
  t.is(await io.handle({ kind: 'file-exists', path: '/etc/passwd' }), 'F,0', 'not the host file');
  const link = parseReply(await io.handle({ kind: 'file-readlink', path: '/lib64/ld.so' }));
  t.is(link.attachment!.toString(), '/lib/x86_64/ld.so');
  t.is(await io.handle({ kind: 'file-size', path: '/libdir/ld.so' }), 'Fc');
  t.is(await io.handle({ kind: 'file-setfs', pid: 0 }), 'F0');
  t.is(await io.handle({ kind: 'file-exists', path: '/etc/passwd' }), 'F,1');
});

test('a process in our mount namespace with our root shares our view, as gdbserver takes it', (t) => {
  t.true(sharesOurView(process.pid));
  const child = spawn('sleep', ['120'], { stdio: 'ignore', cwd: '/tmp' });
  t.teardown(() => {
    child.kill('SIGKILL');
  });
  if (child.pid === undefined) return t.fail('no child');
  // Another working directory is no other view: paths under setfs are looked up from the root.
  t.true(sharesOurView(child.pid));
  // Above the kernel's PID_MAX_LIMIT: no such process, so no view to share.
  t.false(sharesOurView(0x7fffffff));
});

test('setfs to a process sharing our view: relative paths start at the root', async (t) => {
  const io = new HostIo({ maxPacketSize: 0x4000 });
  t.teardown(() => io.close());
  t.is(await io.handle({ kind: 'file-setfs', pid: process.pid }), 'F0');
  // Relative to `/`, not to our working directory, as after setns(2).
  const rel = 'proc/self/status';
  const fd = fdOf(await io.handle(openCmd(rel)));
  t.true(fd >= 3);
  t.is(await io.handle({ kind: 'file-exists', path: 'etc/passwd' }), 'F,1');
  t.is(await io.handle({ kind: 'file-exists', path: 'etc/../etc/passwd' }), 'F,1');
  t.is(await io.handle({ kind: 'file-exists', path: '' }), 'F,0');
});
