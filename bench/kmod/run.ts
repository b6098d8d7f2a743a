// Kernel-provider benchmark: single steps per second and breakpoint hits per second through
// /dev/ntrace and through the userspace engine, in the same machine and the same run (meant
// for the QEMU guest of kmod/test/run-qemu.sh, BENCH=1). Both are driven from JavaScript with
// the same calls, so the ratio compares the providers, not the client.
// A third loop measures a conditional breakpoint whose condition (an agent expression, `counter
// == n`, as gdb's `break tick if counter == n` sends it) is false for every call but the last:
// the provider evaluates it at each hit and reports only the true one (NTRACE_CAP_COND_BYTECODE).
// Usage: node dist/bench/kmod/run.js TARGET [steps] [hits] [backends, default kernel,user] [conds]
// TARGET is a build of bench/engine/target.c (a loop calling tick()); a provider without LAUNCH
// (the module) attaches to it instead.
import { execFileSync, spawn } from 'node:child_process';
import { type Backend, openEngine, type StopEvent, type ThreadRef } from '../../native/index.js';

const target = process.argv[2];
const steps = Number(process.argv[3] ?? 5000);
const hits = Number(process.argv[4] ?? 2000);
const backends = (process.argv[5] ?? 'kernel,user').split(',') as Backend[];
const conds = Number(process.argv[6] ?? 2000);
if (!target) throw new Error('usage: run.js TARGET [steps] [hits] [backends]');

function symbol(path: string, name: string): bigint {
  const line = execFileSync('nm', [path], { encoding: 'utf8' })
    .split('\n')
    .find((l) => l.endsWith(` ${name}`) && / [TBD] /.test(l));
  if (!line) throw new Error(`no ${name} symbol in ${path}`);
  return BigInt(`0x${line.split(' ')[0]}`);
}

/** Agent expression `*(u64 *)addr == value`: const64 addr, ref64, const64 value, equal, end. */
function u64Is(addr: bigint, value: bigint): Buffer {
  const b = Buffer.alloc(21);
  b[0] = 0x25;
  b.writeBigUInt64BE(addr, 1);
  b[9] = 0x1a;
  b[10] = 0x25;
  b.writeBigUInt64BE(value, 11);
  b[19] = 0x13;
  b[20] = 0x27;
  return b;
}

async function measure(backend: Backend, tick: bigint, counter: bigint) {
  const e = await openEngine({ backend });
  let child: ReturnType<typeof spawn> | undefined;
  try {
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
    // The module offers no LAUNCH: start the target and attach to it there.
    let thread: ThreadRef | undefined;
    if (e.info.caps.launch) {
      thread = await e.launch({ path: target as string, argv: [target as string], env: [] });
    } else {
      child = spawn(target as string, [], { stdio: 'ignore' });
      // The tracer may reap it: its exit event must not keep node alive.
      child.unref();
      if (child.pid === undefined) throw new Error(`cannot start ${target}`);
      [thread] = await e.attach(child.pid, { stop: true, killOnClose: true });
    }
    if (!thread) throw new Error('no thread');
    const pid = thread.tgid;
    let stop = await nextStop();
    // Run into tick() once, so both loops start at the same place.
    await e.setBreakpoint({ pid, kind: 'sw', addr: tick, len: 1 });
    await e.resume({ handle: thread.handle, stopId: stop.stopId, mode: 'cont' });
    stop = await nextStop();
    await e.clearBreakpoint({ pid, kind: 'sw', addr: tick, len: 1 });
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) {
      const next = nextStop();
      await e.resume({ handle: thread.handle, stopId: stop.stopId, mode: 'step' });
      stop = await next;
      if (stop.reason !== 'step') throw new Error(`unexpected stop ${stop.reason}`);
    }
    const t1 = performance.now();
    await e.setBreakpoint({ pid, kind: 'sw', addr: tick, len: 1 });
    for (let i = 0; i < hits; i++) {
      const next = nextStop();
      await e.resume({ handle: thread.handle, stopId: stop.stopId, mode: 'cont' });
      stop = await next;
      if (stop.reason !== 'breakpoint') throw new Error(`unexpected stop ${stop.reason}`);
    }
    const t2 = performance.now();
    // The conditional breakpoint: `counter == now + conds` at tick's entry, false conds times.
    let condRate = Number.NaN;
    if (e.info.caps.condBytecode && conds > 0) {
      const raw = await e.readMemory(pid, counter, 8);
      const now = Buffer.from(raw).readBigUInt64LE(0);
      const spec = { pid, kind: 'sw' as const, addr: tick, len: 1 };
      await e.setBreakpoint({
        ...spec,
        replace: true,
        exprs: { conditions: [u64Is(counter, now + BigInt(conds))] },
      });
      const t3 = performance.now();
      const next = nextStop();
      await e.resume({ handle: thread.handle, stopId: stop.stopId, mode: 'cont' });
      stop = await next;
      const t4 = performance.now();
      if (stop.reason !== 'breakpoint') throw new Error(`unexpected stop ${stop.reason}`);
      const at = Buffer.from(await e.readMemory(pid, counter, 8)).readBigUInt64LE(0);
      if (at !== now + BigInt(conds))
        throw new Error(`stopped at counter ${at}, not ${now}+${conds}`);
      condRate = (conds * 1000) / (t4 - t3);
    }
    return {
      backend: e.info.backend,
      steps: (steps * 1000) / (t1 - t0),
      hits: (hits * 1000) / (t2 - t1),
      conds: condRate,
    };
  } finally {
    await e.close();
    child?.kill('SIGKILL');
  }
}

const tick = symbol(target, 'tick');
const counter = symbol(target, 'counter');
const results = [];
for (const b of backends) results.push(await measure(b, tick, counter));
const fmt = (x: number) => x.toFixed(0).padStart(9);
console.log(
  `bench-kmod: ${steps} steps, ${hits} breakpoint hits, ${conds} conditional hits per backend`,
);
console.log('bench-kmod: backend      steps/s     hits/s  cond-iter/s');
for (const r of results)
  console.log(
    `bench-kmod: ${r.backend.padEnd(8)} ${fmt(r.steps)}  ${fmt(r.hits)}  ${fmt(r.conds)}`,
  );
const [k, u] = [
  results.find((r) => r.backend === 'kernel'),
  results.find((r) => r.backend === 'user'),
];
if (k && u) {
  console.log(
    `bench-kmod: kernel/user ratio: steps ${(k.steps / u.steps).toFixed(2)}x, hits ${(k.hits / u.hits).toFixed(2)}x, conditional ${(k.conds / u.conds).toFixed(2)}x`,
  );
}
process.exit(0); // a traced child's handle must not keep node alive
