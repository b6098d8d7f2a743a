// Engine benchmark: single steps per second and breakpoint hits per second through the ntrace
// engine (a RESUME and its STOP record per step or hit), beside a bare C ptrace loop doing the
// same work in the same run. Usage: node dist/bench/engine/run.js [steps] [hits]
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { openEngine, type StopEvent } from '../../native/index.js';

const run = promisify(execFile);
const src = resolve(dirname(fileURLToPath(import.meta.url)), '../../../bench/engine');

const steps = Number(process.argv[2] ?? 20000);
const hits = Number(process.argv[3] ?? 10000);

async function build(dir: string) {
  const target = join(dir, 'target');
  const loop = join(dir, 'ptrace-loop');
  await run('gcc', ['-O0', '-no-pie', '-o', target, join(src, 'target.c')]);
  await run('gcc', ['-O2', '-o', loop, join(src, 'ptrace-loop.c')]);
  const { stdout } = await run('nm', [target]);
  const line = stdout.split('\n').find((l) => l.endsWith(' T tick'));
  if (!line) throw new Error('no tick symbol');
  return { target, loop, tick: BigInt(`0x${line.split(' ')[0]}`) };
}

async function baseline(loop: string, target: string, tick: bigint) {
  const { stdout } = await run(loop, [
    target,
    `0x${tick.toString(16)}`,
    String(steps),
    String(hits),
  ]);
  const [s, h] = stdout.trim().split(' ').map(Number);
  return { steps: s!, hits: h! };
}

async function engine(target: string, tick: bigint) {
  const e = await openEngine();
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
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) {
    const next = nextStop();
    await e.resume({ handle: ref.handle, stopId: stop.stopId, mode: 'step' });
    stop = await next;
  }
  const t1 = performance.now();
  await e.setBreakpoint({ pid, kind: 'sw', addr: tick, len: 1 });
  for (let i = 0; i < hits; i++) {
    const next = nextStop();
    await e.resume({ handle: ref.handle, stopId: stop.stopId, mode: 'cont' });
    stop = await next;
    if (stop.reason !== 'breakpoint') throw new Error(`unexpected stop ${stop.reason}`);
  }
  const t2 = performance.now();
  const backend = e.info.backend;
  await e.close();
  return { backend, steps: (steps * 1000) / (t1 - t0), hits: (hits * 1000) / (t2 - t1) };
}

const dir = mkdtempSync(join(tmpdir(), 'ntrace-bench-'));
try {
  const { target, loop, tick } = await build(dir);
  const c = await baseline(loop, target, tick);
  const n = await engine(target, tick);
  const pct = (a: number, b: number) => `${((100 * a) / b).toFixed(0)}%`;
  const fmt = (x: number) => x.toFixed(0).padStart(8);
  console.log(`engine backend: ${n.backend}; ${steps} steps, ${hits} breakpoint hits`);
  console.log('                     C ptrace loop    engine   ratio');
  console.log(`single steps/s       ${fmt(c.steps)}  ${fmt(n.steps)}   ${pct(n.steps, c.steps)}`);
  console.log(`breakpoint hits/s    ${fmt(c.hits)}  ${fmt(n.hits)}   ${pct(n.hits, c.hits)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
