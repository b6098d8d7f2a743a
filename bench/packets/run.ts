// Raw protocol round trips: the same packet loops against gdbserver, lldb-server-16 and
// ntrace-gdbserver, driven by a small C client (client.c, built at run time) so that no debugger
// and no relay sits in the loop. It shows what each server costs per packet kind, cold (the
// first loops after connecting) and steady (after a warm-up), which the gdb benchmark cannot
// separate. "Node net floor" (floor.ts) answers OK to everything and does nothing else: what any
// server on Node's net module pays per round trip before doing any work.
// "Node net floor, onread + cork" (floor-onread.ts) is the same on Node's fastest socket path,
// "Node floor, addon socket" (floor-native.ts) on the addon's read(2)/write(2) path.
// --before DIR (another checkout, built) or NTRACE_BEFORE=<path of another build's
// dist/bin/ntrace-gdbserver.js> adds that build as the server `before`, for a before/after
// comparison in one run.
// Usage: node dist/bench/packets/run.js [--runs 3] [--only 'QPassSignals,64 bytes']
//   [--servers gdbserver,lldb-server,floor,floor-onread,floor-native,ntrace,ntrace-net,before]
//   [--warm N]
// --warm N: N loops before the steady ones instead of each scenario's own count (500 or 250):
// a Node server's per-packet functions reach V8's optimising tier only after a few thousand
// packets, so the default steady loops include that tier-up (bench/RESULTS.md, session 13).
// ntrace-net is this build with NTRACE_SOCKET=net: Node's net streams instead of the addon's socket.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { cliOption, median, pick } from '../common.js';

const run = promisify(execFile);
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

interface ServerKind {
  name: string;
  start(prog: string, args: string[]): Promise<{ child: ChildProcess; port: number }>;
}

/** Resolves with the port once `text` written by the child matches `re`. */
function portFrom(child: ChildProcess, streams: Readable[], re: RegExp): Promise<number> {
  return new Promise((resolvePort, reject) => {
    let text = '';
    for (const s of streams) {
      s.on('data', (d: Buffer) => {
        text += d.toString('latin1');
        const m = re.exec(text);
        if (m) resolvePort(Number(m[1]));
      });
    }
    child.once('exit', (code) => reject(new Error(`server exited (${code}): ${text}`)));
    child.once('error', reject);
  });
}

const servers: Record<string, ServerKind> = {
  gdbserver: {
    name: 'gdbserver',
    async start(prog, args) {
      const child = spawn('gdbserver', ['--once', '127.0.0.1:0', prog, ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const port = await portFrom(child, [child.stdout!, child.stderr!], /Listening on port (\d+)/);
      return { child, port };
    },
  },
  'lldb-server': {
    name: 'lldb-server-16',
    async start(prog, args) {
      // With port 0 lldb-server prints nothing; it writes the port, NUL-terminated, to --pipe.
      const child = spawn(
        'lldb-server-16',
        ['gdbserver', '--pipe', '3', '127.0.0.1:0', prog, ...args],
        {
          stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
        },
      );
      child.stdout!.resume();
      child.stderr!.resume();
      const port = await portFrom(child, [child.stdio[3] as Readable], /^(\d+)\0/);
      return { child, port };
    },
  },
  floor: {
    name: 'Node net floor',
    async start() {
      const child = spawn(process.execPath, [join(repo, 'dist/bench/packets/floor.js')], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const port = await portFrom(child, [child.stdout!, child.stderr!], /Listening on port (\d+)/);
      return { child, port };
    },
  },
  'floor-onread': {
    name: 'Node net floor, onread + cork',
    async start() {
      const child = spawn(process.execPath, [join(repo, 'dist/bench/packets/floor-onread.js')], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const port = await portFrom(child, [child.stdout!, child.stderr!], /Listening on port (\d+)/);
      return { child, port };
    },
  },
  'floor-native': {
    name: 'Node floor, addon socket',
    async start() {
      const child = spawn(process.execPath, [join(repo, 'dist/bench/packets/floor-native.js')], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const port = await portFrom(child, [child.stdout!, child.stderr!], /Listening on port (\d+)/);
      return { child, port };
    },
  },
  ntrace: {
    name: 'ntrace-gdbserver',
    async start(prog, args) {
      return startNtrace(join(repo, 'dist/bin/ntrace-gdbserver.js'), prog, args);
    },
  },
  'ntrace-net': {
    name: 'ntrace-gdbserver, net streams',
    async start(prog, args) {
      return startNtrace(join(repo, 'dist/bin/ntrace-gdbserver.js'), prog, args, {
        NTRACE_SOCKET: 'net',
      });
    },
  },
  before: {
    name: 'ntrace-gdbserver before',
    async start(prog, args) {
      const dir = cliOption('before', '');
      const bin = dir
        ? join(resolve(dir), 'dist/bin/ntrace-gdbserver.js')
        : process.env.NTRACE_BEFORE;
      if (!bin) throw new Error('the server `before` needs --before DIR or NTRACE_BEFORE');
      return startNtrace(bin, prog, args);
    },
  },
};

async function startNtrace(
  bin: string,
  prog: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [bin, '--once', '127.0.0.1:0', prog, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const port = await portFrom(child, [child.stdout!, child.stderr!], /Listening on port (\d+)/);
  return { child, port };
}

interface Scenario {
  name: string;
  /** Packets sent once before the loop (after qSupported and `?`). */
  setup(hit: string, other: string): string[];
  /** One unit of work: these packets in turn, each waiting for its reply. */
  loop(hit: string, other: string): string[];
  warm: number;
  n: number;
}

const scenarios: Scenario[] = [
  {
    name: 'QPassSignals (no engine work)',
    setup: () => [],
    loop: () => ['QPassSignals:e;10'],
    warm: 500,
    n: 20000,
  },
  {
    name: 'm, 64 bytes of text',
    setup: () => [],
    loop: (hit) => [`m${hit},40`],
    warm: 500,
    n: 20000,
  },
  {
    name: 'vCont;s (one instruction)',
    setup: () => [],
    loop: () => ['vCont;s:{thread}'],
    warm: 500,
    n: 20000,
  },
  {
    // What gdb sends per hit of a breakpoint it continues from, minus the packets that need
    // no engine work: take the breakpoint out, step, put it back, continue to the next hit.
    // (A bare `s` here makes gdbserver 13 in multiprocess mode step on without replying.)
    name: 'breakpoint hit (z0, vCont;s, Z0, vCont;c)',
    setup: (hit) => [`Z0,${hit},1`, 'vCont;c'],
    loop: (hit) => [`z0,${hit},1`, 'vCont;s:{thread}', `Z0,${hit},1`, 'vCont;c'],
    warm: 250,
    n: 5000,
  },
  {
    // All nine packets gdb 13 sends per hit of `break hit` + `commands silent continue end`
    // (bench/gdb's breakpoint hits), in its order; `ready` stands for ld.so's breakpoint, whose
    // z0/Z0 pair gdb sends at every stop, and QPassSignals empties the set for the step.
    name: "gdb's hit (qXfer:threads, z0, z0, Z0, QPassSignals, vCont;s, Z0, QPassSignals, vCont;c)",
    setup: (hit, other) => [`Z0,${hit},1`, `Z0,${other},1`, 'vCont;c'],
    loop: (hit, other) => [
      'qXfer:threads:read::0,1000',
      `z0,${hit},1`,
      `z0,${other},1`,
      `Z0,${other},1`,
      'QPassSignals:',
      'vCont;s:{thread}',
      `Z0,${hit},1`,
      'QPassSignals:e;10;14;17;1a;1b;1c;21;24;25;2c;4c;97;',
      'vCont;c',
    ],
    warm: 250,
    n: 3000,
  },
];

async function once(
  kind: ServerKind,
  sc: Scenario,
  client: string,
  prog: string,
  hit: string,
  other: string,
): Promise<{ cold: number; steady: number; cpu: number }> {
  const { child, port } = await kind.start(prog, ['calls', '2000000000']);
  const warm = Number(cliOption('warm', String(sc.warm)));
  try {
    // The client reads the server's CPU time at the start and the end of the steady loops.
    const env = { ...process.env, SERVER_PID: String(child.pid) };
    const { stdout } = await run(
      client,
      [
        String(port),
        String(warm),
        String(sc.n),
        'qSupported:multiprocess+;swbreak+;hwbreak+;vContSupported+',
        '?',
        ...sc.setup(hit, other),
        '--',
        ...sc.loop(hit, other),
      ],
      { env },
    );
    const [cold, steady, cpu] = stdout.trim().split(' ').map(Number);
    return { cold: cold!, steady: steady!, cpu: cpu! };
  } finally {
    child.kill('SIGKILL');
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
  }
}

async function main(): Promise<void> {
  const opt = cliOption;
  const runs = Number(opt('runs', '3'));
  const kinds = pick(servers, opt('servers', 'gdbserver,lldb-server,floor,ntrace'));
  const dir = mkdtempSync(join(tmpdir(), 'ntrace-packets-'));
  try {
    const prog = join(dir, 'target');
    const client = join(dir, 'client');
    // No PIE: the breakpoint address is the same whether or not a server disables ASLR.
    await run('gcc', ['-g', '-O0', '-no-pie', '-o', prog, join(repo, 'bench/gdb/target.c')]);
    await run('gcc', ['-O2', '-Wall', '-o', client, join(repo, 'bench/packets/client.c')]);
    const { stdout: syms } = await run('nm', [prog]);
    const line = syms.split('\n').find((l) => l.endsWith(' T hit'));
    if (!line) throw new Error('no hit symbol in the target');
    const hit = BigInt(`0x${line.split(' ')[0]}`).toString(16);
    const readyLine = syms.split('\n').find((l) => l.endsWith(' T ready'));
    if (!readyLine) throw new Error('no ready symbol in the target');
    const other = BigInt(`0x${readyLine.split(' ')[0]}`).toString(16);
    const head = ['packets (per unit)', ...kinds.map((k) => `${k.name} cold / steady / cpu`)];
    const rows = [`| ${head.join(' | ')} |`, `|${head.map(() => ' --- ').join('|')}|`];
    // --only TEXT: the scenarios whose name contains TEXT (comma-separated for several).
    const only = opt('only', '')
      .split(',')
      .filter((w) => w !== '');
    for (const sc of scenarios) {
      if (only.length > 0 && !only.some((w) => sc.name.includes(w))) continue;
      const cold: number[][] = kinds.map(() => []);
      const steady: number[][] = kinds.map(() => []);
      const cpu: number[][] = kinds.map(() => []);
      for (let r = 0; r < runs; r++) {
        // Interleaved run by run, so a change in machine load hits every server alike.
        for (const [k, kind] of kinds.entries()) {
          const v = await once(kind, sc, client, prog, hit, other);
          cold[k]!.push(v.cold);
          steady[k]!.push(v.steady);
          cpu[k]!.push(v.cpu);
        }
      }
      const cells = kinds.map(
        (_, k) =>
          `${median(cold[k]!).toFixed(0)} / ${median(steady[k]!).toFixed(0)} / ${median(cpu[k]!).toFixed(0)}`,
      );
      rows.push(`| ${sc.name} | ${cells.join(' | ')} |`);
      process.stderr.write(`${rows[rows.length - 1]}\n`);
    }
    console.log(
      [
        `Microseconds per unit, median of ${runs} runs: cold = mean over the first loops after`,
        "connecting, steady = mean over the loops after them, cpu = the server's CPU time (all",
        "threads, user + system) per steady loop, which the machine's load does not change.",
        '',
        ...rows,
      ].join('\n'),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
