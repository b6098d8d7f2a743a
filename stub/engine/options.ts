// What the engine is told to report for one process (NTRACE_SET_OPTIONS): event classes, the
// signals that stop, syscalls caught. The stub changes these between resumes (gdb sends
// QPassSignals around every step over a breakpoint), so the derived table is kept here and
// rebuilt only when its input changes, not for every resume.
import type { ProcessOptions } from '../../native/types.js';

const NSIG = 64;

export class OptionState {
  /** Non-stop mode (QNonStop:1): no all-stop, every stop reported by itself. */
  nonStop = false;
  /** QThreadEvents:1: thread creation and exit are reported. */
  threadEvents = false;
  /** A wrapper or shell is being run to its exec of the program (launch with execs). */
  wantExec = false;
  /** GDB negotiated exec-events. */
  reportExec = false;
  /** GDB negotiated fork-events. */
  reportFork = false;
  /** GDB negotiated vfork-events. */
  reportVfork = false;
  /** Changed while everything was stopped; sent with the next resume. */
  dirty = false;
  private pass: ReadonlySet<number> = new Set();
  /** `pass` as bits (signal s at bit s-1 of lo, s-33 of hi), and whether it holds others. */
  private passLo = 0;
  private passHi = 0;
  private passOther = false;
  /** The pass set the engine was last sent (undefined: unknown), as `pass` and its bits. */
  private sentPass: ReadonlySet<number> | undefined;
  private sentLo = 0;
  private sentHi = 0;
  private stopSignals: number[] = allSignals();
  private catching: { on: boolean; numbers: readonly number[] } = { on: false, numbers: [] };
  /** The rest of what the engine was last sent (undefined: unknown), beside sentPass. */
  private sentRest: SentRest | undefined;

  /** Signals delivered without a stop (QPassSignals). */
  get passSignals(): ReadonlySet<number> {
    return this.pass;
  }

  /** Replaces the pass set; true when it differs from the last one. */
  setPassSignals(signals: readonly number[]): boolean {
    // Compared as a bit mask of signals 1..64 (bits 0..31 of lo, 33..64 in hi): gdb sends the
    // same set around every step over a breakpoint, and an unchanged set builds nothing.
    let lo = 0;
    let hi = 0;
    let other = false;
    for (const s of signals) {
      if (s >= 1 && s <= 32) lo |= 1 << (s - 1);
      else if (s >= 33 && s <= NSIG) hi |= 1 << (s - 33);
      else other = true;
    }
    if (!other && !this.passOther && lo === this.passLo && hi === this.passHi) return false;
    const next = new Set(signals);
    if (other && next.size === this.pass.size && subsetOf(next, this.pass)) return false;
    this.pass = next;
    this.passLo = lo;
    this.passHi = hi;
    this.passOther = other;
    this.stopSignals = [];
    for (let s = 1; s <= NSIG; s++) if (!next.has(s)) this.stopSignals.push(s);
    return true;
  }

  /**
   * Whether the engine holds the pass set now in force: gdb 13 empties the set before each
   * step over a breakpoint and gives it back before the continue, so the set the continue
   * needs is usually the one the engine already has (resumeAllStop defers the step's).
   */
  get passSent(): boolean {
    const sent = this.sentPass;
    if (sent === undefined) return false;
    if (sent === this.pass) return true;
    return (
      !this.passOther &&
      sent.size === this.pass.size &&
      this.sentLo === this.passLo &&
      this.sentHi === this.passHi
    );
  }

  /** The engine is being sent this state (noteSent), or may not hold it (forgetSent). */
  noteSent(): void {
    this.sentPass = this.pass;
    this.sentLo = this.passLo;
    this.sentHi = this.passHi;
    this.sentRest = this.rest();
  }

  forgetSent(): void {
    this.sentPass = undefined;
    this.sentRest = undefined;
  }

  /**
   * Whether the engine holds this whole state already: then a change that changed nothing
   * (QNonStop:0 in all-stop, which gdb sends at every connect) needs no SET_OPTIONS.
   */
  get allSent(): boolean {
    const sent = this.sentRest;
    if (sent === undefined || !this.passSent) return false;
    const now = this.rest();
    return (
      sent.nonStop === now.nonStop &&
      sent.threadEvents === now.threadEvents &&
      sent.exec === now.exec &&
      sent.fork === now.fork &&
      sent.vfork === now.vfork &&
      sent.catching === now.catching
    );
  }

  /** What toEngine derives from besides the pass set (catching: replaced on every change). */
  private rest(): SentRest {
    return {
      nonStop: this.nonStop,
      threadEvents: this.threadEvents,
      exec: this.wantExec || this.reportExec,
      fork: this.reportFork,
      vfork: this.reportVfork,
      catching: this.catching,
    };
  }

  catchSyscalls(on: boolean, numbers: readonly number[]): void {
    this.catching = { on, numbers: [...numbers] };
  }

  /** The engine's options for this state; `allStop` when the engine stops all threads itself. */
  toEngine(allStop: boolean): ProcessOptions {
    const catching = this.catching;
    const opts: ProcessOptions = {
      allStop: allStop && !this.nonStop,
      events: {
        threadReports: true,
        // Thread events: a new thread stops before its first instruction for `create`.
        clone: this.threadEvents,
        exec: this.wantExec || this.reportExec,
        fork: this.reportFork,
        vfork: this.reportVfork,
        vforkDone: this.reportVfork,
        syscallEntry: catching.on,
        syscallExit: catching.on,
      },
      stopSignals: this.stopSignals,
    };
    if (catching.on && catching.numbers.length > 0) opts.syscalls = [...catching.numbers];
    return opts;
  }

  /** A fork child adopted as a process of its own starts with its parent's settings. */
  copy(): OptionState {
    const o = new OptionState();
    o.nonStop = this.nonStop;
    o.threadEvents = this.threadEvents;
    o.reportExec = this.reportExec;
    o.reportFork = this.reportFork;
    o.reportVfork = this.reportVfork;
    o.pass = this.pass;
    o.passLo = this.passLo;
    o.passHi = this.passHi;
    o.passOther = this.passOther;
    o.stopSignals = this.stopSignals;
    o.catching = this.catching;
    return o;
  }
}

interface SentRest {
  nonStop: boolean;
  threadEvents: boolean;
  exec: boolean;
  fork: boolean;
  vfork: boolean;
  catching: object;
}

function allSignals(): number[] {
  const out: number[] = [];
  for (let s = 1; s <= NSIG; s++) out.push(s);
  return out;
}

function subsetOf(a: ReadonlySet<number>, b: ReadonlySet<number>): boolean {
  for (const s of a) if (!b.has(s)) return false;
  return true;
}
