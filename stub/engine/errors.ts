// Engine failures as the stub sees them: a TargetError carrying the errno GDB gets as E<nn>.
import { constants as osConstants } from 'node:os';
import { EngineError } from '../../native/types.js';
import { TargetError, type TargetStop } from '../target.js';

const ERRNO_OF: Readonly<Record<string, number>> = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  EINTR: 4,
  EIO: 5,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  EINVAL: 22,
  ENOSPC: 28,
  ENOSYS: 38,
  EOPNOTSUPP: 95,
  ESTALE: 116,
};

/** Engine (or Node fs) failures become TargetErrors; EIO when nothing better is known. */
export function wrap(err: unknown): TargetError {
  if (err instanceof TargetError) return err;
  if (err instanceof EngineError) {
    return new TargetError(err.message, err.errno || ERRNO_OF[err.code] || 5, false, err.code);
  }
  const e = err as { code?: string; errno?: number; message?: string };
  const errno = typeof e.errno === 'number' ? Math.abs(e.errno) : ERRNO_OF[e.code ?? ''];
  return new TargetError(e.message ?? String(err), errno ?? 5, false, e.code);
}

/** `p`, its failure wrapped. */
export function call<T>(p: Promise<T>): Promise<T> {
  return p.then(undefined, (err: unknown) => {
    throw wrap(err);
  });
}

/**
 * The wrapper or shell ended before exec'ing the program (the program is missing, say); the
 * message is gdbserver's (fork_inferior's startup_inferior), for the user.
 */
export class StartupExit extends TargetError {
  constructor(end: TargetStop | undefined) {
    let text = 'During startup program exited.';
    if (end?.kind === 'exited')
      text =
        end.code === 0
          ? 'During startup program exited normally.'
          : `During startup program exited with code ${end.code}.`;
    else if (end?.kind === 'signalled') {
      const name = Object.entries(osConstants.signals).find(([, n]) => n === end.signal)?.[0];
      text = `During startup program terminated with signal ${name ?? end.signal}.`;
    }
    super(text, 3, false, 'ESRCH');
    this.name = 'StartupExit';
  }
}
