// Starts lldb-server-16 on port 0 and learns the port through `--pipe` (lldb-server prints
// nothing when the port is 0; it writes the chosen port, NUL-terminated, to that descriptor).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
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
  return {
    proc,
    port,
    exited,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
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
