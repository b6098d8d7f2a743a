// Errors of Host I/O operations as File-I/O errno values (GDB manual, "Errno Values"): Linux
// errno names the protocol lists map to its numbers, all others to EUNKNOWN (9999), as
// gdbserver's host_to_fileio_error does.
import { FioErrno, fioErrnoFromName } from '../../rsp/index.js';

/** An error the stub raises itself (unknown fd, symlink loop...), named like a system error. */
export class HostIoError extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

/** The protocol errno for anything a file operation threw. */
export function fioErrnoOf(err: unknown): number {
  const code = typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
  if (typeof code !== 'string') return FioErrno.EUNKNOWN;
  // Node refused an argument before any system call (a NUL byte in a path, an offset beyond
  // 2^53): the request itself was invalid.
  if (code.startsWith('ERR_')) return FioErrno.EINVAL;
  return fioErrnoFromName(code);
}
