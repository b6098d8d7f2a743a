// gdb-driven benchmark: the same gdb 13 batch scripts against gdbserver and ntrace-gdbserver in
// one run, median of N runs each, printed as a Markdown table with ratios.
//
//   node dist/bench/gdb/run.js [--runs 5] [--servers gdbserver,ntrace] [--out bench/RESULTS.md]
//                              [--only 'conditional'] [--skip 'conditional']
//
// NTRACE_BEFORE=<path of another build's dist/bin/ntrace-gdbserver.js> adds that build as the
// server `before` (--servers gdbserver,before,ntrace), for a before/after comparison in one run;
// each server after the first then gets its own ratio column.
//
// Rates are computed against a baseline session of the same shape with no work, so that
// connection set-up and symbol loading do not count: rate = work / (t_work - t_baseline).
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createConnection, createServer, type Server } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { cliOption, median, pick } from '../common.js';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../../..');

interface ServerKind {
  name: string;
  /** Command line that serves `prog args` on an ephemeral port and prints the port. */
  argv(prog: string, args: string[]): string[];
}

const servers: Record<string, ServerKind> = {
  gdbserver: {
    name: 'gdbserver',
    argv: (prog, args) => ['gdbserver', '--once', '127.0.0.1:0', prog, ...args],
  },
  ntrace: {
    name: 'ntrace-gdbserver',
    argv: (prog, args) => [
      process.execPath,
      join(repo, 'dist/bin/ntrace-gdbserver.js'),
      '--once',
      '127.0.0.1:0',
      prog,
      ...args,
    ],
  },
  before: {
    name: 'ntrace-gdbserver before',
    argv: (prog, args) => {
      const bin = process.env.NTRACE_BEFORE;
      if (!bin) throw new Error('the server `before` needs NTRACE_BEFORE');
      return [process.execPath, bin, '--once', '127.0.0.1:0', prog, ...args];
    },
  },
};

interface Scenario {
  name: string;
  unit: string;
  /** Amount of work (hits, steps, bytes) in the measured session. */
  work: number;
  args: string[];
  /** gdb commands after `target remote`. */
  script: string[];
  /** A session of the same shape doing no work; omitted: the raw time is reported (latency). */
  baseline?: { args: string[]; script: string[] };
  /** Count remote packets and divide by work (packets per hit). */
  countPackets?: boolean;
}

const HITS = 2000;
// False hits are cheap where the server or engine evaluates them: enough that they outweigh
// the noise of a session's start (2,000 took under the spread of the baseline session).
const COND_HITS = 20000;
const STEPS = 20000;
const WATCH_HITS = 2000;

const scenarios: Scenario[] = [
  {
    name: 'breakpoint hits',
    unit: 'hits/s',
    work: HITS,
    args: ['calls', String(HITS)],
    script: ['break hit', 'commands', 'silent', 'continue', 'end', 'continue'],
    baseline: { args: ['calls', '0'], script: ['break hit', 'continue'] },
    countPackets: true,
  },
  {
    // The condition is false in all but the last call: evaluated in the engine
    // (ConditionalBreakpoints+), in gdbserver, or by gdb after a stop where the server cannot.
    name: `conditional breakpoint i == ${COND_HITS - 1}`,
    unit: 'hits/s',
    work: COND_HITS,
    args: ['calls', String(COND_HITS)],
    script: [
      'set breakpoint condition-evaluation target',
      `break hit if i == ${COND_HITS - 1}`,
      'continue',
      'continue',
    ],
    baseline: { args: ['calls', '0'], script: ['break hit', 'continue'] },
    countPackets: true,
  },
  {
    name: 'single steps',
    unit: 'steps/s',
    work: STEPS,
    args: ['steps'],
    script: ['break ready', 'continue', 'finish', `stepi ${STEPS}`, 'kill'],
    baseline: { args: ['steps'], script: ['break ready', 'continue', 'finish', 'kill'] },
    countPackets: true,
  },
  {
    name: 'memory read',
    unit: 'MiB/s',
    work: 64,
    args: ['memory'],
    script: [
      'break ready',
      'continue',
      'dump binary memory /dev/null buffer buffer+buffer_size',
      'kill',
    ],
    baseline: { args: ['memory'], script: ['break ready', 'continue', 'kill'] },
  },
  {
    name: 'hw watchpoint hits',
    unit: 'hits/s',
    work: WATCH_HITS,
    args: ['watch', String(WATCH_HITS)],
    script: [
      'break main',
      'continue',
      'watch watched',
      'commands',
      'silent',
      'continue',
      'end',
      'continue',
    ],
    baseline: {
      args: ['watch', '0'],
      script: ['break main', 'continue', 'watch watched', 'continue'],
    },
    countPackets: true,
  },
  {
    name: 'session latency',
    unit: 'ms',
    work: 1,
    args: ['idle'],
    script: ['break main', 'continue', 'kill'],
  },
];

interface Sample {
  seconds: number;
  packets: number;
  times: PacketTimes;
}

function startServer(
  kind: ServerKind,
  prog: string,
  args: string[],
): Promise<{ child: ChildProcess; port: number }> {
  const [cmd, ...rest] = kind.argv(prog, args);
  const child = spawn(cmd!, rest, { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolvePort, reject) => {
    let text = '';
    const onData = (chunk: Buffer): void => {
      text += chunk.toString();
      const m = /Listening on port (\d+)/.exec(text);
      if (m) {
        child.stdout!.off('data', onData);
        child.stderr!.off('data', onData);
        child.stdout!.resume();
        child.stderr!.resume();
        resolvePort({ child, port: Number(m[1]) });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`${kind.name} exited (${code}) before listening: ${text}`)),
    );
    child.once('error', reject);
  });
}

/**
 * A TCP relay between gdb and the server that counts the packets gdb sends (each starts with a
 * raw '$': inside packets '$' is always escaped). Cheaper than gdb's own remote logging, which
 * slows gdb itself down by an order of magnitude.
 */
function countingRelay(
  port: number,
): Promise<{ relay: Server; port: number; count: () => number; times: PacketTimes }> {
  let packets = 0;
  const times: PacketTimes = new Map();
  // The packet gdb is waiting on: its kind and when the relay passed it on.
  let pending: { kind: string; t: bigint } | undefined;
  const relay = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port });
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    client.on('data', (chunk: Buffer) => {
      for (const b of chunk) if (b === 0x24) packets++;
      const start = chunk.indexOf(0x24);
      if (start >= 0) {
        const m = KIND_RE.exec(chunk.toString('latin1', start, start + 24));
        if (m) pending = { kind: m[1]!, t: process.hrtime.bigint() };
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (pending && chunk.includes(0x24)) {
        const us = Number(process.hrtime.bigint() - pending.t) / 1000;
        const list = times.get(pending.kind) ?? [];
        list.push(us);
        times.set(pending.kind, list);
        pending = undefined;
      }
      client.write(chunk);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  return new Promise((ok) => {
    relay.listen(0, '127.0.0.1', () => {
      const addr = relay.address();
      ok({
        relay,
        port: typeof addr === 'object' && addr ? addr.port : 0,
        count: () => packets,
        times,
      });
    });
  });
}

/** Server response times (request passed on -> first reply byte), in us, per packet kind. */
type PacketTimes = Map<string, number[]>;

/** `vCont;s`, `qXfer`, `QPassSignals`, `m`, `Z`: enough of a packet to say what it asks. */
const KIND_RE = /^\$([vqQ][A-Za-z]+(?:;[a-zA-Z])?|[a-zA-Z?!])/;

/**
 * One gdb session. Timed sessions connect gdb straight to the server: the relay is a third
 * process on the path of every packet and would add its own wake-ups to each round trip.
 * Counted sessions go through it, for the packet counts and the per-packet times.
 */
async function session(
  kind: ServerKind,
  prog: string,
  args: string[],
  script: string[],
  dir: string,
  counted: boolean,
): Promise<Sample> {
  const { child, port } = await startServer(kind, prog, args);
  const relay = counted ? await countingRelay(port) : undefined;
  const cmdFile = join(dir, 'script.gdb');
  writeFileSync(cmdFile, ['set pagination off', 'set confirm off', ...script, ''].join('\n'));
  const start = process.hrtime.bigint();
  try {
    await run(
      'gdb',
      [
        '-batch',
        '-nx',
        '-ex',
        `target remote 127.0.0.1:${relay?.port ?? port}`,
        '-x',
        cmdFile,
        prog,
      ],
      {
        maxBuffer: 64 << 20,
      },
    );
  } finally {
    child.kill('SIGKILL');
    relay?.relay.close();
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { seconds, packets: relay?.count() ?? 0, times: relay?.times ?? new Map() };
}

interface Figure {
  value: number;
  packetsPerUnit?: number;
  /** Response times of the packets in the sessions with work. */
  times: PacketTimes;
}

/**
 * Runs every scenario `runs` times per server, interleaving the servers run by run so that a
 * change in machine load hits both alike.
 */
async function measureAll(
  kinds: ServerKind[],
  sc: Scenario,
  prog: string,
  runs: number,
  dir: string,
): Promise<Figure[]> {
  const values: number[][] = kinds.map(() => []);
  const perUnit: number[][] = kinds.map(() => []);
  const times: PacketTimes[] = kinds.map(() => new Map());
  for (let i = 0; i < runs; i++) {
    for (const [k, kind] of kinds.entries()) {
      const w = await session(kind, prog, sc.args, sc.script, dir, false);
      if (!sc.baseline) {
        values[k]!.push(w.seconds * 1000);
        continue;
      }
      const b = await session(kind, prog, sc.baseline.args, sc.baseline.script, dir, false);
      values[k]!.push(sc.work / Math.max(w.seconds - b.seconds, 1e-6));
    }
  }
  // One counted pair per server: the packets are the same from run to run.
  if (sc.countPackets && sc.baseline) {
    for (const [k, kind] of kinds.entries()) {
      const w = await session(kind, prog, sc.args, sc.script, dir, true);
      const b = await session(kind, prog, sc.baseline.args, sc.baseline.script, dir, true);
      times[k] = w.times;
      perUnit[k]!.push((w.packets - b.packets) / sc.work);
    }
  }
  return kinds.map((_, k) => {
    const fig: Figure = { value: median(values[k]!), times: times[k]! };
    if (sc.countPackets) fig.packetsPerUnit = median(perUnit[k]!);
    return fig;
  });
}

/** The packet kinds sent at least once per unit of work, with each server's median time. */
function packetTimeRows(sc: Scenario, figs: Figure[], work: number): string[] {
  const kindNames = [...figs[0]!.times.keys()].filter((kn) =>
    figs.every((f) => (f.times.get(kn)?.length ?? 0) >= work),
  );
  return kindNames.map((kn) => {
    // Median and mean: the rates are means, and a slow tail (a stop learned late, a
    // garbage collection) moves the mean where the median does not show it.
    const cells = figs.map((f) => {
      const list = f.times.get(kn)!;
      const mean = list.reduce((a, b) => a + b, 0) / list.length;
      return `${median(list).toFixed(0)} / ${mean.toFixed(0)}`;
    });
    return `| ${sc.name} | ${kn} | ${cells.join(' | ')} |`;
  });
}

function fmt(n: number): string {
  return n >= 100 ? n.toFixed(0) : n.toFixed(2);
}

async function main(): Promise<void> {
  const opt = cliOption;
  const runs = Number(opt('runs', '5'));
  const out = opt('out', '');
  const kinds = pick(servers, opt('servers', 'gdbserver,ntrace'));
  // --only SUBSTRING: the scenarios whose name contains it; --skip SUBSTRING: all but those.
  const only = opt('only', '');
  const skip = opt('skip', '');
  const dir = mkdtempSync(join(tmpdir(), 'ntrace-bench-'));
  try {
    const prog = join(dir, 'target');
    await run('gcc', ['-g', '-O0', '-o', prog, join(repo, 'bench/gdb/target.c')]);
    const rows: string[] = [];
    const head = ['scenario', ...kinds.map((k) => k.name)];
    for (const k of kinds.slice(1)) head.push(`ratio (${k.name} / ${kinds[0]!.name})`);
    rows.push(`| ${head.join(' | ')} |`, `|${head.map(() => ' --- ').join('|')}|`);
    const packetRows: string[] = [];
    const timeRows: string[] = [];
    const chosen = scenarios.filter(
      (x) => x.name.includes(only) && !(skip && x.name.includes(skip)),
    );
    for (const sc of chosen) {
      const figs = await measureAll(kinds, sc, prog, runs, dir);
      const cells = [`${sc.name} (${sc.unit})`, ...figs.map((f) => fmt(f.value))];
      // For latency lower is better: the ratio is still ours / theirs, read accordingly.
      for (const f of figs.slice(1)) cells.push(fmt(f.value / figs[0]!.value));
      rows.push(`| ${cells.join(' | ')} |`);
      if (sc.countPackets) {
        packetRows.push(
          `| ${sc.name} | ${figs.map((f) => (f.packetsPerUnit ?? 0).toFixed(2)).join(' | ')} |`,
        );
      }
      if (sc.countPackets) timeRows.push(...packetTimeRows(sc, figs, sc.work));
      process.stderr.write(`${rows[rows.length - 1]}\n`);
    }
    const table = [
      ...rows,
      '',
      `Packets gdb sends per unit of work (${kinds.map((k) => k.name).join(' / ')}):`,
      '',
      `| scenario | ${kinds.map((k) => k.name).join(' | ')} |`,
      `| --- |${kinds.map(() => ' --- ').join('|')}|`,
      ...packetRows,
      '',
      'Server response time per packet, median / mean us, from one session per server through the',
      'counting relay (request passed on -> first reply byte; for a resume this includes the',
      'program running to its next stop; the rates above are from sessions without the relay):',
      '',
      `| scenario | packet | ${kinds.map((k) => k.name).join(' | ')} |`,
      `| --- | --- |${kinds.map(() => ' --- ').join('|')}|`,
      ...timeRows,
    ].join('\n');
    console.log(table);
    if (out) writeFileSync(out, `${table}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
