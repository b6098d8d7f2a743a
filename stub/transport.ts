// The COMM argument as gdbserver reads it: `HOST:PORT`, `:PORT` (loopback), a Unix socket path,
// or `-` for stdin/stdout. Listening yields duplex streams, one per accepted client.
import { createServer, type Server, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { NativeSocketLink } from '../native/rsp-socket.js';
import type { Link } from './connection.js';

export type Comm =
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'unix'; path: string }
  | { kind: 'stdio' };

/** Parses COMM; undefined when it is not one of the accepted forms. */
export function parseComm(text: string): Comm | undefined {
  // `stdio` is gdbserver's own name for `-` (STDIO_CONNECTION_NAME).
  if (text === '-' || text === 'stdio') return { kind: 'stdio' };
  const m = /^(.*):(\d+)$/.exec(text);
  if (m) {
    const port = Number(m[2]);
    if (port > 65535) return undefined;
    let host = m[1] ?? '';
    if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
    return { kind: 'tcp', host: host === '' ? '127.0.0.1' : host, port };
  }
  if (text.includes('/')) return { kind: 'unix', path: text };
  return undefined;
}

export interface Listener {
  /** The bound TCP port (the real one when 0 was asked), undefined otherwise. */
  port?: number;
  /** Next client; resolves undefined once the listener is closed. */
  accept(): Promise<Link | undefined>;
  close(): void;
}

// gai_strerror's text for the getaddrinfo failures Node reports by code.
const RESOLVE_ERRORS: Record<string, string> = {
  ENOTFOUND: 'Name or service not known',
  EAI_AGAIN: 'Temporary failure in name resolution',
  EAI_FAIL: 'Non-recoverable failure in name resolution',
  ENODATA: 'No address associated with hostname',
};

/**
 * Human text for a listen failure of COMM `name`, worded like gdbserver's (remote_prepare): the
 * testsuite's gdbserver_start tells a name that does not resolve by ": cannot resolve name: ".
 */
export function listenErrorText(err: NodeJS.ErrnoException, name: string): string {
  if (err.code === 'EADDRINUSE') return "Can't bind address: Address already in use.";
  if (err.code === 'EACCES') return "Can't bind address: Permission denied.";
  if (err.code === 'EADDRNOTAVAIL') return "Can't bind address: Cannot assign requested address.";
  const resolve = err.code === undefined ? undefined : RESOLVE_ERRORS[err.code];
  if (resolve !== undefined) return `${name}: cannot resolve name: ${resolve}`;
  return `Can't listen: ${err.message}`;
}

/**
 * Which path moves a TCP or Unix client's bytes: the addon's read(2)/write(2) on the socket
 * (native/rsp-socket.ts), or Node's net streams. NTRACE_SOCKET=net|native overrides the default.
 */
export type SocketPath = 'native' | 'net';

export function defaultSocketPath(): SocketPath {
  const v = process.env.NTRACE_SOCKET;
  return v === 'net' || v === 'native' ? v : 'native';
}

/** The accepted socket on the chosen path; Node's own when the addon cannot take it. */
function link(sock: Socket, path: SocketPath): Link {
  if (path === 'net') return sock;
  try {
    return new NativeSocketLink(sock);
  } catch {
    return sock;
  }
}

export async function listen(
  comm: Comm,
  path: SocketPath = defaultSocketPath(),
): Promise<Listener> {
  if (comm.kind === 'stdio') return stdioListener();
  const server = createServer({ noDelay: true, pauseOnConnect: true });
  const queue: Socket[] = [];
  let waiter: ((s: Socket | undefined) => void) | undefined;
  let closed = false;
  server.on('connection', (sock) => {
    if (waiter) {
      const w = waiter;
      waiter = undefined;
      w(sock);
    } else queue.push(sock);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (comm.kind === 'tcp') server.listen(comm.port, comm.host, () => resolve());
    else server.listen(comm.path, () => resolve());
  });
  server.on('error', () => {});
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : undefined,
    accept: () => {
      const s = queue.shift();
      if (s || closed) return Promise.resolve(s && link(s, path));
      return new Promise((resolve) => {
        waiter = (next) => resolve(next && link(next, path));
      });
    },
    close: () => {
      closed = true;
      closeServer(server);
      for (const s of queue.splice(0)) s.destroy();
      waiter?.(undefined);
      waiter = undefined;
    },
  };
}

function closeServer(server: Server): void {
  server.close();
}

/** stdin/stdout as one duplex, handed out once (`target remote | ntrace-gdbserver - prog`). */
function stdioListener(): Listener {
  let given = false;
  return {
    accept: async () => {
      if (given) return undefined;
      given = true;
      return Duplex.from({ readable: process.stdin, writable: process.stdout });
    },
    close: () => {},
  };
}
