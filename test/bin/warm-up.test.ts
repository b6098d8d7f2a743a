// The CLI's warm-up before "Listening" (bin/ntrace-gdbserver.ts, stub/warm-up.ts): it runs (the
// --debug log counts its packets, and logs none of them), and the client that comes after it
// finds the program as a server without it shows it: the same stop, registers, code and
// threads, and the program runs to its exit.
import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import test from 'ava';
import { compileFixture } from '../helpers/compile.js';
import { ntraceBin, Output } from '../helpers/e2e-harness.js';
import { RspClient } from '../helpers/rsp-client.js';

interface Started {
  proc: ChildProcess;
  stderr: Output;
  port: number;
}

async function start(
  t: { teardown(fn: () => unknown): void },
  args: string[],
  env: Record<string, string> = {},
): Promise<Started> {
  const proc = spawn(process.execPath, [ntraceBin, '--once', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  t.teardown(() => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  });
  const stderr = new Output(proc.stderr);
  const m = await stderr.waitFor(/Listening on port (\d+)/);
  return { proc, stderr, port: Number(m[1]) };
}

async function client(port: number): Promise<RspClient> {
  const sock = connect(port, '127.0.0.1');
  await new Promise<void>((resolve) => sock.once('connect', () => resolve()));
  const c = new RspClient(sock);
  c.raw('+');
  await c.request('QStartNoAckMode');
  c.noAck = true;
  c.raw('+');
  return c;
}

/** What a client sees of the program before it runs, its pid and tid made neutral. */
async function firstLook(c: RspClient, pid: number): Promise<string[]> {
  const hexPid = pid.toString(16);
  const pc = (await c.request('p10')).match(/../g)!.reverse().join('');
  const seen = [
    await c.request('?'),
    await c.request('g'),
    await c.request(`m${pc},40`),
    await c.request('qXfer:threads:read::0,1000'),
    await c.request('qXfer:libraries-svr4:read::0,1000'),
  ];
  // The core a thread last ran on is the scheduler's choice.
  return seen.map((s) =>
    s
      .replaceAll(hexPid, 'PID')
      .replaceAll(String(pid), 'PID')
      .replace(/core="\d+"/g, 'core=""'),
  );
}

test('--debug: the warm-up runs before "Listening", its packets counted and not logged', async (t) => {
  const prog = await compileFixture('exit-code.c');
  const s = await start(t, ['--debug', '127.0.0.1:0', prog]);
  const before = s.stderr.text.slice(0, s.stderr.text.indexOf('Listening on port'));
  const m = before.match(/warm-up: (\d+) packets, (\d+) error replies/);
  t.truthy(m, before);
  t.true(Number(m![1]) > 30);
  t.is(m![2], '0');
  t.notRegex(before, /getpkt|putpkt/);
  // The client's own packets are logged as ever.
  const c = await client(s.port);
  t.is(await c.request('vCont;c'), 'W07');
  await s.stderr.waitFor(/getpkt \("vCont;c"\)/);
  c.close();
});

test('the first client finds the program as a server without the warm-up shows it', async (t) => {
  const prog = await compileFixture('exit-code.c');
  const looks: string[][] = [];
  for (const rounds of ['0', '40']) {
    const s = await start(t, ['127.0.0.1:0', prog], { NTRACE_WARM_UP: rounds });
    const pid = Number(s.stderr.text.match(/pid = (\d+)/)![1]);
    const c = await client(s.port);
    looks.push(await firstLook(c, pid));
    // No breakpoint of the warm-up is left to stop the run, and no signal set to pass.
    t.is(await c.request('vCont;c'), 'W07');
    c.close();
  }
  t.deepEqual(looks[1], looks[0]);
});
