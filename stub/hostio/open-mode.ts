// The mode argument of vFile:open (GDB manual, "mode_t Values"). rsp/common/fileio.ts converts
// modes from Linux only; this is the other direction. The permission bits have the same values
// on Linux; the type bits are accepted, as gdbserver's fileio_to_host_mode accepts them, and
// dropped, since open(2) uses only the permissions. Anything else (set-id, sticky) is not in the
// protocol and makes the request invalid.
import { FioMode } from '../../rsp/index.js';

const ACCEPTED = FioMode.S_IFREG | FioMode.S_IFDIR | FioMode.S_IFCHR | FioMode.PERMISSIONS;

/** The open(2) mode for a protocol mode, or undefined if it has bits the protocol lacks. */
export function fioModeToLinux(mode: number): number | undefined {
  if (!Number.isSafeInteger(mode) || mode < 0 || (mode & ~ACCEPTED) !== 0) return undefined;
  return mode & FioMode.PERMISSIONS;
}
