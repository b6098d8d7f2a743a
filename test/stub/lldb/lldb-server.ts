// Starts lldb-server-16 on port 0 and learns the port through `--pipe` (lldb-server prints
// nothing when the port is 0; it writes the chosen port, NUL-terminated, to that descriptor).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import type { Readable } from 'node:stream';
import { RspClient } from '../../helpers/rsp-client.js';

export const LLDB_SERVER = 'lldb-server-16';

export const haveLldbServer = (() => {
  try {
    execFileSync(LLDB_SERVER, ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

export interface LldbServer {
  proc: ChildProcess;
  port: number;
  exited: Promise<void>;
  stop(): Promise<void>;
}

/** `lldb-server-16 gdbserver --pipe 3 127.0.0.1:0 <target args>`, resolved once it listens. */
export async function startLldbServer(target: string[]): Promise<LldbServer> {
  const proc = spawn(LLDB_SERVER, ['gdbserver', '--pipe', '3', '127.0.0.1:0', ...target], {
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  proc.stdout?.resume();
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<void>((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) resolve();
    else proc.once('exit', () => resolve());
  });
  const pipe = proc.stdio[3] as Readable;
  const port = await new Promise<number>((resolve, reject) => {
    let text = '';
    pipe.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      const m = /^(\d+)\0/.exec(text);
      if (m) resolve(Number(m[1]));
    });
    void exited.then(() => reject(new Error(`lldb-server exited before listening: ${stderr}`)));
  });
  const children = childTracker(proc);
  return {
    proc,
    port,
    exited,
    async stop() {
      children.killAll();
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * lldb-server does not trace with PTRACE_O_EXITKILL: when it dies, or exits by itself once the
 * client hangs up, its debuggee runs on, untraced and re-parented to init (the leaked lldb-spin
 * processes). Its children are noted when this is called (a program given on the command line
 * is started before lldb-server listens) and again by killAll, which kills them all.
 */
export function childTracker(proc: ChildProcess): { killAll(): void } {
  const seen = new Map<number, string>();
  const note = () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    for (const child of childrenOf(proc.pid!)) seen.set(child, startTimeOf(child) ?? '');
  };
  note();
  return {
    killAll() {
      note();
      for (const [child, started] of seen) {
        // Only the process noted, not another that got its pid since.
        if (startTimeOf(child) === started) killQuietly(child);
      }
    },
  };
}

/** Connects, switches to no-ack mode and returns the client. */
export async function connectRsp(port: number): Promise<RspClient> {
  const sock = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    sock.once('connect', () => resolve());
    sock.once('error', reject);
  });
  const client = new RspClient(sock);
  client.raw('+');
  const ok = await client.request('QStartNoAckMode');
  if (ok !== 'OK') throw new Error(`QStartNoAckMode: ${ok}`);
  client.noAck = true;
  return client;
}

/** The processes whose parent is `pid` (what lldb-server launched), from /proc. */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The ppid is the second field after the parenthesised command name.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks); undefined once it is gone. */
function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
