// Warming the engine's side of the packet path on the real program, before the first client.
// stub/warm-up.ts warms the stub's own code on an in-memory process; what gdb's packets also run
// on the engine's side (EngineTarget, the records and the channel to the tracer, the thread list
// read from /proc, the breakpoint set) only a real target reaches, so V8 used to compile it while
// gdb's first hundreds of breakpoint hits ran (bench/RESULTS.md, session 12). While the launched
// or attached program waits stopped for its client, a session over an in-memory link sends it,
// one round per turn of the event loop, the packets of a hit that do not run it: the thread list,
// the breakpoint at the pc inserted and removed, the pass set changed and put back, memory and
// register reads. It resumes nothing and writes nothing; before it ends it clears its breakpoint
// from the target, puts the pass set back to none (as a session finds it) and gives the target's
// stop and output listeners back (a stop meanwhile goes nowhere, as before any session).
import type { Target } from './target.js';
import { startWarmUp, type WarmUp } from './warm-up.js';

/** rip in the kernel's user_regs_struct (the target's `gpr` set). */
const RIP_OFFSET = 16 * 8;

/**
 * gdb's qSupported without fork-events, vfork-events and exec-events: those change what the
 * target reports (its options), which the client that comes must find as the launch left them.
 */
const SUPPORTED =
  'qSupported:multiprocess+;swbreak+;hwbreak+;qRelocInsn+;vContSupported+;QThreadEvents+;no-resumed+';

const HELLO = [SUPPORTED, 'vMustReplyEmpty', '?', 'qC', 'qAttached'];

/** gdb's list of signals passed around a step over a breakpoint (x86-64 Linux, gdb 13). */
const PASS = 'QPassSignals:e;10;14;17;1a;1b;1c;21;24;25;2c;4c;97;';

/** One round at `pc`: what gdb sends per breakpoint hit and step, but the resumes. */
export function targetRound(pc: bigint): string[] {
  const addr = pc.toString(16);
  return [
    'qXfer:threads:read::0,1000',
    `Z0,${addr},1`,
    PASS,
    `m${addr},40`,
    'g',
    'p10',
    `z0,${addr},1`,
    'QPassSignals:',
  ];
}

/** What a round leaves changed when it was cut short, undone (the breakpoint is flushed after). */
function undo(pc: bigint): string[] {
  return [`z0,${pc.toString(16)},1`, 'QPassSignals:'];
}

/**
 * Runs `rounds` rounds (fewer if stopped) over `target`, whose threads are all stopped and
 * which no session holds yet. 80 rounds (640 packets, as many as the in-memory warm-up sent):
 * run on until gdb connected (90-240 ms after "Listening", 400 rounds allowed), its CPU beside
 * gdb's start was 0.05-0.25 s more per session than before, for 107 -> 98-105 TurboFan
 * compiles in a 2000-hit session's timed part, within the noise (bench/RESULTS.md, session 13).
 */
export function warmUpTarget(target: Target, rounds = 80): WarmUp {
  const release = () => {
    target.base.onStop(() => {});
    target.breakpoints?.onOutput?.(() => {});
  };
  return startWarmUp(
    target,
    HELLO,
    async ({ ask, stopped, session }) => {
      const thread = target.base.threads()[0];
      if (thread === undefined || stopped()) return [];
      const pc = (await target.base.readRegisters(thread, 'gpr')).readBigUInt64LE(RIP_OFFSET);
      const round = targetRound(pc);
      for (let r = 0; r < rounds && !stopped(); r++) {
        for (const p of round) if (!stopped()) await ask(p);
        await new Promise((resolve) => setImmediate(resolve));
      }
      for (const p of undo(pc)) await ask(p);
      // z0 leaves the int3 in the target until the next resume (stub/breakpoints.ts): clear it.
      await session.ctx?.swBreakpoints?.flush();
      return [];
    },
    release,
  );
}
