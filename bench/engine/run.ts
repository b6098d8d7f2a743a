// Engine benchmark: single steps per second and breakpoint hits per second through the ntrace
// engine (a RESUME and its STOP record per step or hit), beside a bare C ptrace loop doing the
// same work in the same run. Usage: node dist/bench/engine/run.js [steps] [hits] [--runs 5]
// [--before DIR]: the median of the runs, each run measuring every column in turn. --before
// names another checkout's built tree (its dist/native/index.js and addon): its engine is
// measured in the same runs, so before and after share the machine's load.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { openEngine, type StopEvent } from '../../native/index.js';
import { cliOption, median } from '../common.js';

const run = promisify(execFile);
const src = resolve(dirname(fileURLToPath(import.meta.url)), '../../../bench/engine');

const positional = process.argv
  .slice(2)
  .filter((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--'));
const steps = Number(positional[0] ?? 20000);
const hits = Number(positional[1] ?? 10000);
const runs = Number(cliOption('runs', '5'));
const beforeDir = cliOption('before', '');

async function build(dir: string) {
  const target = join(dir, 'target');
  const loop = join(dir, 'ptrace-loop');
  await run('gcc', ['-O0', '-no-pie', '-o', target, join(src, 'target.c')]);
  await run('gcc', ['-O2', '-o', loop, join(src, 'ptrace-loop.c')]);
  // The engine without JavaScript: its sources (those of binding.gyp that do not use N-API)
  // linked into a small C++ client.
  const client = join(dir, 'abi-client');
  const root = resolve(src, '../..');
  const gyp = JSON.parse(readFileSync(join(root, 'binding.gyp'), 'utf8')) as {
    targets: { sources: string[]; include_dirs: string[] }[];
  };
  const target0 = gyp.targets[0]!;
  const napi = new Set(['addon.cc', 'channel.cc', 'spawn.cc']);
  const sources = target0.sources.filter((f) => !napi.has(f.split('/').pop()!));
  const includes = target0.include_dirs
    .filter((d) => !d.startsWith('<'))
    .flatMap((d) => ['-I', join(root, d)]);
  const objects: string[] = [];
  for (const c of sources.filter((f) => f.endsWith('.c'))) {
    const o = join(dir, `${c.replace(/\//g, '_')}.o`);
    await run('gcc', [
      '-O2',
      '-std=gnu11',
      '-D_GNU_SOURCE',
      ...includes,
      '-c',
      '-o',
      o,
      join(root, c),
    ]);
    objects.push(o);
  }
  await run('g++', [
    ...['-O2', '-std=c++17', '-D_GNU_SOURCE', '-pthread', ...includes],
    ...['-I', join(root, 'native/src'), '-o', client, join(src, 'abi-client.cc')],
    ...sources.filter((f) => f.endsWith('.cc')).map((f) => join(root, f)),
    ...objects,
  ]);
  const { stdout } = await run('nm', [target]);
  const line = stdout.split('\n').find((l) => l.endsWith(' T tick'));
  if (!line) throw new Error('no tick symbol');
  return { target, loop, client, tick: BigInt(`0x${line.split(' ')[0]}`) };
}

/** Runs ptrace-loop or abi-client: both print "steps/s hits/s cpu_us/step cpu_us/hit". */
async function baseline(loop: string, target: string, tick: bigint) {
  const { stdout } = await run(loop, [
    target,
    `0x${tick.toString(16)}`,
    String(steps),
    String(hits),
  ]);
  const [s, h, sc, hc] = stdout.trim().split(' ').map(Number);
  return { steps: s!, hits: h!, stepCpu: sc!, hitCpu: hc! };
}

interface ThreadSample {
  ns: number; // run time, from schedstat
  sleeps: number; // voluntary context switches
}

/** Run time and sleeps of each thread of this process, keyed "name/tid". */
function threadTimes(): Map<string, ThreadSample> {
  const out = new Map<string, ThreadSample>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const dir = `/proc/self/task/${tid}`;
      const name = readFileSync(`${dir}/comm`, 'utf8').trim();
      const ns = Number(readFileSync(`${dir}/schedstat`, 'utf8').split(' ')[0]);
      const m = /voluntary_ctxt_switches:\s*(\d+)/.exec(readFileSync(`${dir}/status`, 'utf8'));
      out.set(`${name}/${tid}`, { ns, sleeps: Number(m?.[1] ?? 0) });
    } catch {
      // a thread that ended meanwhile
    }
  }
  return out;
}

/** Per operation, by thread role (the JS thread, the tracer, the rest): µs run and sleeps. */
function perThread(a: Map<string, ThreadSample>, b: Map<string, ThreadSample>, ops: number) {
  const main = `${readFileSync('/proc/self/comm', 'utf8').trim()}/${process.pid}`;
  const r = { js: 0, tracer: 0, other: 0, jsSleeps: 0, tracerSleeps: 0 };
  for (const [k, v] of b) {
    const before = a.get(k) ?? { ns: 0, sleeps: 0 };
    const d = (v.ns - before.ns) / 1000 / ops;
    const sl = (v.sleeps - before.sleeps) / ops;
    if (k === main) {
      r.js += d;
      r.jsSleeps += sl;
    } else if (k.startsWith('ntrace-tracer/')) {
      r.tracer += d;
      r.tracerSleeps += sl;
    } else r.other += d;
  }
  return r;
}

type OpenEngine = typeof openEngine;

async function engine(open: OpenEngine, target: string, tick: bigint) {
  const e = await open();
  let waiter: ((ev: StopEvent) => void) | undefined;
  const early: StopEvent[] = [];
  e.on('event', (ev) => {
    if (ev.type !== 'stop') return;
    if (waiter) {
      const w = waiter;
      waiter = undefined;
      w(ev);
    } else early.push(ev);
  });
  const nextStop = () =>
    new Promise<StopEvent>((res) => {
      const ev = early.shift();
      if (ev) res(ev);
      else waiter = res;
    });
  const ref = await e.launch({ path: target, argv: [target], env: [] });
  const pid = ref.tgid;
  let stop = await nextStop();
  // Run into tick() once, like the baseline.
  await e.setBreakpoint({ pid, kind: 'sw', addr: tick, len: 1 });
  await e.resume({ handle: ref.handle, stopId: stop.stopId, mode: 'cont' });
  stop = await nextStop();
  await e.clearBreakpoint({ pid, kind: 'sw', addr: tick, len: 1 });
  const cpu = () => {
    const u = process.cpuUsage();
    return u.user + u.system;
  };
  const t0threads = threadTimes();
  const t0 = performance.now();
  const c0 = cpu();
  for (let i = 0; i < steps; i++) {
    const next = nextStop();
    await e.resume({ handle: ref.handle, stopId: stop.stopId, mode: 'step' });
    stop = await next;
  }
  const t1 = performance.now();
  const c1 = cpu();
  const t1threads = threadTimes();
  await e.setBreakpoint({ pid, kind: 'sw', addr: tick, len: 1 });
  for (let i = 0; i < hits; i++) {
    const next = nextStop();
    await e.resume({ handle: ref.handle, stopId: stop.stopId, mode: 'cont' });
    stop = await next;
    if (stop.reason !== 'breakpoint') throw new Error(`unexpected stop ${stop.reason}`);
  }
  const t2 = performance.now();
  const c2 = cpu();
  const t2threads = threadTimes();
  const backend = e.info.backend;
  await e.close();
  return {
    backend,
    steps: (steps * 1000) / (t1 - t0),
    hits: (hits * 1000) / (t2 - t1),
    // node's CPU time (every thread: JavaScript, libuv and the tracer) per step and per hit.
    stepCpu: (c1 - c0) / steps,
    hitCpu: (c2 - c1) / hits,
    stepThreads: perThread(t0threads, t1threads, steps),
    hitThreads: perThread(t1threads, t2threads, hits),
  };
}

type EngineRun = Awaited<ReturnType<typeof engine>>;

/** The median of each numeric field over the runs (per-thread splits included). */
function med<T extends { steps: number }>(xs: T[]): T {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(xs[0]!)) {
    const v = (xs[0] as Record<string, unknown>)[k];
    if (typeof v === 'number') out[k] = median(xs.map((x) => (x as Record<string, number>)[k]!));
    else if (typeof v === 'object' && v !== null)
      out[k] = med(xs.map((x) => (x as Record<string, never>)[k]));
    else out[k] = v;
  }
  return out as T;
}

const dir = mkdtempSync(join(tmpdir(), 'ntrace-bench-'));
try {
  const { target, loop, client, tick } = await build(dir);
  const before: OpenEngine | undefined = beforeDir
    ? ((await import(resolve(beforeDir, 'dist/native/index.js'))) as { openEngine: OpenEngine })
        .openEngine
    : undefined;
  const cs: Awaited<ReturnType<typeof baseline>>[] = [];
  const as: Awaited<ReturnType<typeof baseline>>[] = [];
  const ns: EngineRun[] = [];
  const bs: EngineRun[] = [];
  const loads: string[] = [];
  for (let r = 0; r < runs; r++) {
    cs.push(await baseline(loop, target, tick));
    as.push(await baseline(client, target, tick));
    // Before and after alternate which goes first.
    if (before && r % 2 === 0) bs.push(await engine(before, target, tick));
    ns.push(await engine(openEngine, target, tick));
    if (before && r % 2 === 1) bs.push(await engine(before, target, tick));
    loads.push(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]!);
  }
  const c = med(cs);
  const a = med(as);
  const n = med(ns);
  const b = bs.length > 0 ? med(bs) : undefined;
  const pct = (a: number, b: number) => `${((100 * a) / b).toFixed(0)}%`;
  const fmt = (x: number) => x.toFixed(0).padStart(8);
  console.log(`engine backend: ${n.backend}; ${steps} steps, ${hits} breakpoint hits`);
  console.log(`median of ${runs} runs; load average (1 min) after each run: ${loads.join(' ')}`);
  console.log('                     C ptrace loop    engine   ratio   engine from C++   ratio');
  console.log(
    `single steps/s       ${fmt(c.steps)}  ${fmt(n.steps)}   ${pct(n.steps, c.steps)}` +
      `          ${fmt(a.steps)}   ${pct(a.steps, c.steps)}`,
  );
  console.log(
    `breakpoint hits/s    ${fmt(c.hits)}  ${fmt(n.hits)}   ${pct(n.hits, c.hits)}` +
      `          ${fmt(a.hits)}   ${pct(a.hits, c.hits)}`,
  );
  if (b) {
    console.log(
      `before (${beforeDir}): steps/s ${fmt(b.steps)} ${pct(b.steps, c.steps)}, hits/s ` +
        `${fmt(b.hits)} ${pct(b.hits, c.hits)}; CPU us per step ${b.stepCpu.toFixed(1)}, per hit ` +
        `${b.hitCpu.toFixed(1)}`,
    );
  }
  // CPU time spent on the tracing side per operation (the debuggee's own time excluded): less
  // sensitive to other load on the machine than the rates.
  const us = (x: number) => x.toFixed(1).padStart(8);
  console.log(`CPU us per step      ${us(c.stepCpu)}  ${us(n.stepCpu)}          ${us(a.stepCpu)}`);
  console.log(`CPU us per hit       ${us(c.hitCpu)}  ${us(n.hitCpu)}          ${us(a.hitCpu)}`);
  const split = (r: ReturnType<typeof perThread>) =>
    `JS thread ${r.js.toFixed(1)}, tracer ${r.tracer.toFixed(1)}, other ${r.other.toFixed(1)}` +
    ` (sleeps: JS ${r.jsSleeps.toFixed(2)}, tracer ${r.tracerSleeps.toFixed(2)})`;
  console.log(`engine us per step by thread: ${split(n.stepThreads)}`);
  console.log(`engine us per hit by thread:  ${split(n.hitThreads)}`);
  if (b) {
    console.log(`before us per step by thread: ${split(b.stepThreads)}`);
    console.log(`before us per hit by thread:  ${split(b.hitThreads)}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
