// Host I/O (GDB manual, "Host I/O Packets"): gdb, with its sysroot `target:`, reads the program
// and its shared libraries through these; LLDB adds size, mode and exists (lldbgdbremote.md,
// "vFile Packets"). Semantics follow gdbserver's hostio.cc, per connection instead of global:
// an fd table of our own, protocol flags, modes and errno values translated (rsp/common/fileio.ts,
// ./open-mode.ts), replies that fit one packet. Every failure is an `F-1,<errno>` reply; handle()
// never rejects. Unlike gdbserver, which says EINVAL, an fd this connection did not open is
// EBADF, what close(2) and pread(2) say.
import {
  closeSync,
  constants,
  fstatSync,
  open as openCb,
  openSync,
  read as readCb,
  readSync,
  statSync,
  write as writeCb,
  writeSync,
} from 'node:fs';
import { readlink, stat, unlink } from 'node:fs/promises';
import { promisify } from 'node:util';
import {
  error,
  FioErrno,
  fileData,
  fileDataPacketWithin,
  fileError,
  fileExists,
  fileResult,
  fileStat,
  fioOpenFlagsToLinux,
  type HostIoCommand,
} from '../../rsp/index.js';
import { type HandlerResult, reply } from '../context.js';
import { fioErrnoOf, HostIoError } from '../hostio/errno.js';
import { FdTable } from '../hostio/fd-table.js';
import { fioStatFromNode } from '../hostio/fio-stat.js';
import { fioModeToLinux } from '../hostio/open-mode.js';
import { readLength, type ReadWindow } from '../hostio/read-window.js';
import { preadCap, wireLength } from '../hostio/reply-size.js';
import { procRoot, resolveInRoot, sharesOurView } from '../hostio/resolve-in-root.js';
import type { SessionCore } from '../session-core.js';

const openAsync = promisify(openCb);
const readAsync = promisify(readCb);
const writeAsync = promisify(writeCb);

/**
 * An open file. Regular files are read and written synchronously, as gdbserver does: pread of a
 * local file takes microseconds, a trip through libuv's thread pool far longer (gdb reads the
 * program and every library this way at connect). Anything else (a FIFO, a device) may block,
 * so it goes through the thread pool.
 */
interface OpenFile {
  fd: number;
  regular: boolean;
  /** Its last pread, which sizes the next (../hostio/read-window.ts). */
  last?: ReadWindow;
}

/**
 * A reply body as the connection sends it (Buffers hold binary attachments to be escaped), or
 * a reply framed already (pread's, escaped and summed in one pass over up to 64 KiB).
 */
export type HostIoReply = string | Buffer | { wire: Buffer };

export interface HostIoOptions {
  /** Largest reply body on the wire (between `$` and `#`, escaped): the PacketSize offered. */
  maxPacketSize: number;
  /** Files one connection may hold open; more opens fail with EMFILE. Default 256. */
  maxOpenFiles?: number;
}

/** Enough for the largest fixed reply, fstat's 64-byte struct with every byte escaped. */
export const MIN_HOSTIO_PACKET_SIZE = 4 + 2 * 64;

const FIRST_FD = 3;

// Every kind of HostIoCommand; the Record type makes a new kind a compile error here.
const KINDS: Record<HostIoCommand['kind'], true> = {
  'file-open': true,
  'file-close': true,
  'file-pread': true,
  'file-pwrite': true,
  'file-fstat': true,
  'file-unlink': true,
  'file-readlink': true,
  'file-setfs': true,
  'file-size': true,
  'file-mode': true,
  'file-exists': true,
};

/** Whether a parsed command is one of the vFile: operations HostIo handles. */
export function isHostIoCommand<C extends { kind: string }>(cmd: C): cmd is C & HostIoCommand {
  return Object.hasOwn(KINDS, cmd.kind);
}

export class HostIo {
  private readonly maxPacketSize: number;
  private readonly files: FdTable<OpenFile>;
  /** vFile:setfs: the process whose view paths are looked up in; 0 is the stub's own. */
  private fsPid = 0;
  private closed = false;

  constructor(opts: HostIoOptions) {
    if (!(opts.maxPacketSize >= MIN_HOSTIO_PACKET_SIZE)) {
      throw new RangeError(`maxPacketSize must be at least ${MIN_HOSTIO_PACKET_SIZE}`);
    }
    this.maxPacketSize = Math.floor(opts.maxPacketSize);
    this.files = new FdTable(FIRST_FD, opts.maxOpenFiles ?? 256);
  }

  /** Files currently open for this connection. */
  get openFiles(): number {
    return this.files.size;
  }

  async handle(cmd: HostIoCommand): Promise<HostIoReply> {
    try {
      return await this.dispatch(cmd);
    } catch (err) {
      return fileError(fioErrnoOf(err));
    }
  }

  /** Closes every file this connection opened (on disconnect). Later opens fail with EBADF. */
  async close(): Promise<void> {
    this.closed = true;
    for (const f of this.files.drain()) closeQuietly(f.fd);
  }

  private async dispatch(cmd: HostIoCommand): Promise<HostIoReply> {
    switch (cmd.kind) {
      case 'file-open':
        return this.open(cmd.path, cmd.flags, cmd.mode);
      case 'file-close': {
        const f = this.file(cmd.fd);
        this.files.remove(cmd.fd);
        closeSync(f.fd);
        return fileResult(0);
      }
      case 'file-pread': {
        const f = this.file(cmd.fd);
        const length = readLength(f.last, cmd.offset, cmd.count, preadCap(this.maxPacketSize));
        // Not zeroed: only the bytes read are sent.
        const buf = Buffer.allocUnsafe(length);
        const n = f.regular
          ? readSync(f.fd, buf, 0, length, cmd.offset)
          : (await readAsync(f.fd, buf, 0, length, cmd.offset)).bytesRead;
        f.last = { offset: cmd.offset, length: n };
        // Escaping may not fit what was read; the client asks again from where this ends.
        return { wire: fileDataPacketWithin(buf.subarray(0, n), this.maxPacketSize) };
      }
      case 'file-pwrite': {
        const f = this.file(cmd.fd);
        const n = f.regular
          ? writeSync(f.fd, cmd.data, 0, cmd.data.length, cmd.offset)
          : (await writeAsync(f.fd, cmd.data, 0, cmd.data.length, cmd.offset)).bytesWritten;
        return fileResult(n);
      }
      case 'file-fstat': {
        const st = fstatSync(this.file(cmd.fd).fd, { bigint: true });
        const reply = fileStat(fioStatFromNode(st));
        // gdbserver fails rather than send part of the struct.
        return wireLength(reply) <= this.maxPacketSize ? reply : error(1);
      }
      case 'file-unlink':
        await unlink(await this.resolve(cmd.path, false));
        return fileResult(0);
      case 'file-readlink': {
        const target = await readlink(await this.resolve(cmd.path, false), { encoding: 'buffer' });
        const reply = fileData(target);
        // As gdbserver: a link target that does not fit one packet is "name too long".
        return wireLength(reply) <= this.maxPacketSize ? reply : fileError(FioErrno.ENAMETOOLONG);
      }
      case 'file-setfs':
        // As gdbserver, the pid is not checked here: a process that is gone makes the lookups
        // under its /proc entry fail with ENOENT.
        if (!Number.isSafeInteger(cmd.pid) || cmd.pid < 0) return fileError(FioErrno.EINVAL);
        this.fsPid = cmd.pid;
        return fileResult(0);
      case 'file-size': {
        const st = await stat(await this.resolve(cmd.path, true), { bigint: true });
        return fileResult(st.size);
      }
      case 'file-mode': {
        // LLDB wants the permission bits only (lldbgdbremote.md, "vFile:mode": 0x1ed is 0755).
        const st = await stat(await this.resolve(cmd.path, true));
        return fileResult(st.mode & 0o7777);
      }
      case 'file-exists':
        try {
          await stat(await this.resolve(cmd.path, true));
          return fileExists(true);
        } catch {
          return fileExists(false);
        }
      default:
        return unreachable(cmd);
    }
  }

  private async open(path: string, fioFlags: number, fioMode: number): Promise<HostIoReply> {
    const flags = fioOpenFlagsToLinux(fioFlags);
    const mode = fioModeToLinux(fioMode);
    if (!flags.ok || mode === undefined) return fileError(FioErrno.EINVAL);
    if (this.closed) throw new HostIoError('EBADF');
    if (this.files.full) throw new HostIoError('EMFILE');
    // O_CREAT|O_EXCL must not follow a final symlink: the kernel fails it with EEXIST.
    const exclusive =
      (flags.value & constants.O_CREAT) !== 0 && (flags.value & constants.O_EXCL) !== 0;
    const host = await this.resolve(path, !exclusive);
    const create = (flags.value & constants.O_CREAT) !== 0;
    // open(2) of a regular file never blocks; of a FIFO it may wait for the other end.
    let regular = create;
    try {
      const st = statSync(host, { throwIfNoEntry: false });
      // Missing and not to be created: ENOENT, as open(2) would say, without a trip through the
      // thread pool to hear it (gdb probes so at every connect, bench/RESULTS.md, session 14).
      if (st === undefined && !create) throw new HostIoError('ENOENT');
      regular = st === undefined || st.isFile();
    } catch (err) {
      if (err instanceof HostIoError) throw err;
      // Unreadable (O_CREAT makes a regular file): open(2) gives the real answer.
    }
    const fd = regular
      ? openSync(host, flags.value, mode)
      : await openAsync(host, flags.value, mode);
    // A FIFO that turned out to be regular after all costs nothing; the reverse cannot block.
    const file: OpenFile = { fd, regular: regular || fstatSync(fd).isFile() };
    // close() or other opens may have run while this one waited.
    const n = this.closed ? undefined : this.files.add(file);
    if (n === undefined) {
      closeQuietly(fd);
      throw new HostIoError(this.closed ? 'EBADF' : 'EMFILE');
    }
    return fileResult(n);
  }

  private file(fd: number): OpenFile {
    const f = this.files.get(fd);
    if (!f) throw new HostIoError('EBADF');
    return f;
  }

  /** The host path for a client path in the current setfs view. */
  private async resolve(path: string, followFinal: boolean): Promise<string> {
    // The stub's own view: the kernel looks the path up as given (relative to our working
    // directory), as gdbserver does.
    if (this.fsPid === 0) return path;
    // A process that shares our view: the kernel looks the path up from `/`, as in the process
    // (relative paths too, as after setns(2), which moves the working directory to the root).
    if (path !== '' && sharesOurView(this.fsPid)) return path.startsWith('/') ? path : `/${path}`;
    return resolveInRoot(procRoot(this.fsPid), path, followFinal);
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Already gone: nothing to give back.
  }
}

function unreachable(cmd: never): never {
  throw new Error(`unhandled Host I/O command ${JSON.stringify(cmd)}`);
}

/** vFile: operations go to the connection's host I/O, process or not. */
export async function hostIo(s: SessionCore, cmd: HostIoCommand): Promise<HandlerResult> {
  const r = await s.hostIo.handle(cmd);
  return typeof r === 'string' || Buffer.isBuffer(r) ? reply(r) : r;
}
