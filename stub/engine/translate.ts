// An engine STOP record as the session sees it (TargetStop), and the siginfo made up for our
// interrupt stops.
import { readlinkSync } from 'node:fs';
import type { StopEvent } from '../../native/types.js';
import type { StopCause, TargetStop, WatchKind } from '../target.js';

export const SIGINT = 2;
export const SIGTRAP = 5;
export const SIGKILL = 9;

/** The stop, with the registers the event carried (STOP_REGS). `pid` names /proc for exec. */
export function translate(ev: StopEvent, pid: number): TargetStop {
  const stop = translateEvent(ev, pid);
  if (ev.regs && stop.kind === 'stopped') stop.gpr = ev.regs;
  return stop;
}

function stopped(ev: StopEvent, signal: number, cause: StopCause): TargetStop {
  return {
    kind: 'stopped',
    thread: { pid: ev.thread.tgid, tid: ev.thread.tid },
    signal,
    cause,
  };
}

function translateEvent(ev: StopEvent, pid: number): TargetStop {
  switch (ev.reason) {
    case 'signal':
      return stopped(ev, ev.signo, { type: 'signal' });
    case 'breakpoint':
      return stopped(ev, SIGTRAP, { type: 'sw-break' });
    case 'hw-breakpoint':
      return stopped(ev, SIGTRAP, { type: 'hw-break' });
    case 'watch': {
      const k = Number(ev.data[1] ?? 2n);
      const kind: WatchKind = k === 3 ? 'read' : k === 4 ? 'access' : 'write';
      return stopped(ev, SIGTRAP, { type: 'watch', kind, addr: ev.data[0] ?? 0n });
    }
    case 'step':
      return stopped(ev, SIGTRAP, { type: 'step' });
    case 'requested':
      return stopped(ev, SIGINT, { type: 'interrupt' });
    case 'syscall-entry':
      return stopped(ev, SIGTRAP, { type: 'syscall-entry', nr: Number(ev.data[0] ?? 0n) });
    case 'syscall-exit':
      return stopped(ev, SIGTRAP, { type: 'syscall-return', nr: Number(ev.data[0] ?? 0n) });
    case 'fork':
    case 'vfork': {
      const child = Number(ev.data[1] ?? 0n);
      return stopped(ev, SIGTRAP, { type: ev.reason, child: { pid: child, tid: child } });
    }
    case 'vfork-done':
      return stopped(ev, SIGTRAP, { type: 'vfork-done' });
    case 'new-thread':
      return stopped(ev, SIGTRAP, { type: 'thread-created' });
    case 'exec': {
      let path = '';
      try {
        path = readlinkSync(`/proc/${pid}/exe`);
      } catch {
        // The process vanished; GDB gets an empty path and the exit right after.
      }
      return stopped(ev, SIGTRAP, { type: 'exec', path });
    }
    default:
      return stopped(ev, ev.signo || SIGTRAP, { type: 'signal' });
  }
}

/**
 * The siginfo of an interrupt stop. gdbserver interrupts by sending SIGINT to the process
 * group, so GDB finds a real siginfo there (`p $_siginfo`: si_signo 2, SI_USER from the
 * server); our engine stops the threads without a signal, so the same is made up here.
 */
export function interruptSiginfo(signal: number): Buffer {
  const si = Buffer.alloc(128);
  si.writeInt32LE(signal, 0); // si_signo
  si.writeInt32LE(0, 8); // si_code: SI_USER, as kill(2) gives
  si.writeInt32LE(process.pid, 16); // si_pid
  si.writeUInt32LE(process.getuid?.() ?? 0, 20); // si_uid
  return si;
}
