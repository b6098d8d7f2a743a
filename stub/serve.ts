// The server loop: accept a client, run a session, then apply gdbserver's rules (server.cc,
// captured_main): a client that goes away without D or k leaves the processes to the next one
// (gdb's `disconnect`, then `target remote` again), unless --once; without --multi the server
// ends once no process is left. Whatever the server still holds when it ends, a launched program
// is killed and an attached one detached: a debuggee never outlives the server stopped.
import { Session, type SessionEnd, type TargetProvider } from './session.js';
import type { Target } from './target.js';
import type { Listener } from './transport.js';
import type { Link } from './connection.js';

export interface ServeOptions {
  listener: Listener;
  target?: Target;
  provider?: TargetProvider;
  multi: boolean;
  once: boolean;
  /** Human messages (stderr). */
  message?: (line: string) => void;
  /** Packet log (--debug). */
  log?: (line: string) => void;
  /** Reported by qGDBServerVersion. */
  version?: string;
  /** Where breakpoint commands' text goes when no `O` packet can carry it (the program's stdout). */
  console?: (text: Buffer) => void;
}

export interface Serving {
  done: Promise<void>;
  /** Ends the current session and the server, cleaning up the debuggee. */
  stop(): void;
}

/** Kills what we launched, detaches what we attached; never throws. */
export async function releaseTarget(
  target: Target,
  message?: (line: string) => void,
): Promise<void> {
  const base = target.base;
  // A process that already exited has nothing to kill or detach.
  if (base.threads().length === 0) {
    await base.close().catch(() => {});
    return;
  }
  try {
    if (base.attached) {
      await base.detach();
      message?.(`Detached from process ${base.pid}`);
    } else {
      await base.kill();
      message?.(`Killed process ${base.pid}`);
    }
  } catch (err) {
    message?.(`Cleaning up process ${base.pid} failed: ${(err as Error).message}`);
  }
  await base.close().catch(() => {});
}

/**
 * A client's session. The warm-up (stub/warm-up.ts) opens its own here too, so that its objects
 * have the shapes a client's will have.
 */
export function openSession(
  stream: Link,
  targets: Target[],
  opts: Omit<ServeOptions, 'listener' | 'target'>,
): Session {
  return new Session(stream, targets, {
    ...(opts.log ? { log: opts.log } : {}),
    ...(opts.provider ? { provider: opts.provider } : {}),
    multi: opts.multi,
    ...(opts.version ? { version: opts.version } : {}),
    ...(opts.console ? { console: opts.console } : {}),
  });
}

export function serve(opts: ServeOptions): Serving {
  let stopping = false;
  let current: Session | undefined;
  // Processes that outlive a session (--multi keeps them for the next client).
  let targets: Target[] = opts.target ? [opts.target] : [];
  let exitRequested = false;

  const loop = async (): Promise<void> => {
    for (;;) {
      const stream = await opts.listener.accept();
      if (!stream || stopping) {
        stream?.destroy();
        break;
      }
      if ('remoteAddress' in stream && typeof stream.remoteAddress === 'string') {
        opts.message?.(`Remote debugging from host ${stream.remoteAddress}`);
      }
      const session = openSession(stream, targets, opts);
      current = session;
      const end: SessionEnd = await session.ended;
      current = undefined;
      targets = end === 'gone' || end === 'detached' ? [] : session.targets;
      if (end === 'exit') exitRequested = true;
      if (opts.once || stopping || exitRequested) {
        for (const t of targets) await releaseTarget(t, opts.message);
        targets = [];
      }
      if (stopping || exitRequested || opts.once || (!opts.multi && targets.length === 0)) break;
      opts.message?.(
        'Remote side has terminated connection.  ntrace-gdbserver will reopen the connection.',
      );
    }
    opts.listener.close();
    for (const t of targets) await releaseTarget(t, opts.message);
  };

  const done = loop();
  return {
    done,
    stop() {
      stopping = true;
      if (current) current.shutdown();
      else opts.listener.close();
    },
  };
}
