// Wait statuses: classifying each ptrace-stop, deciding between a STOP record and a silent
// resume, stepping over breakpoints, and all-stop collection.
#include "tracer.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace ntrace {

namespace {

// A continue that stopped within this long makes the thread's next continue wait in place
// (KResume): a few times the in-place wait's own give-up (kShortWaitNs, tracer.cc), since a
// stop learned through SIGCHLD carries the event loop's wake-up too. Counted in the thread's
// own CPU time (HandleStopped) where the wall clock says longer: under load a stop is taken
// late, and the tracee waits for a CPU, with the continue as short as ever.
constexpr int64_t kQuickContNs = 200 * 1000;

long DrOffset(int i) {
  return static_cast<long>(offsetof(struct user, u_debugreg) + i * 8);
}

bool IsGroupStopSig(int sig) {
  return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

// Whether SIGTRAP is pending on the thread itself (its own queue: a step's trap).
bool TrapQueued(pid_t pid, pid_t tid) {
  char path[64], buf[2048];
  snprintf(path, sizeof path, "/proc/%d/task/%d/status", pid, tid);
  if (!ReadProcText(path, buf, sizeof buf)) return false;
  const char *sp = strstr(buf, "\nSigPnd:");
  return sp != nullptr && (strtoull(sp + 8, nullptr, 16) & (1ULL << (SIGTRAP - 1))) != 0;
}

// Whether the thread's own queue holds a single step's trap (TRAP_TRACE, or TRAP_BRKPT from
// user_single_step_report on leaving a syscall), not an int3's (SI_KERNEL) or a sent SIGTRAP.
bool StepTrapQueued(pid_t tid) {
  siginfo_t si[8];
  struct __ptrace_peeksiginfo_args a = {0, 0, 8}; // flags 0: the thread's private queue
  long n = Ptrace(PTRACE_PEEKSIGINFO, tid, &a, si);
  for (long i = 0; i < n; i++) {
    if (si[i].si_signo == SIGTRAP && (si[i].si_code == TRAP_TRACE || si[i].si_code == TRAP_BRKPT))
      return true;
  }
  return false;
}

bool SyscallWanted(const Proc *p, long nr) {
  if (nr < 0 || nr >= 512) return true;
  return (p->syscalls[nr / 64] >> (nr % 64)) & 1;
}

} // namespace

bool Tracer::LoadRegs(Thread *t) {
  if (t->regs_valid) return true;
  if (Ptrace(PTRACE_GETREGS, t->tid, 0, &t->regs) < 0) return false;
  t->regs_valid = true;
  return true;
}

// Writes the cached registers the kernel does not have yet (regs_dirty), before the thread
// runs or is let go. False only for a thread being killed.
bool Tracer::FlushRegs(Thread *t) {
  if (!t->regs_dirty) return true;
  t->regs_dirty = false;
  return Ptrace(PTRACE_SETREGS, t->tid, 0, &t->regs) == 0;
}

void Tracer::Dispatch(pid_t tid, int status) {
  Thread *t = FindTid(tid);
  if (debug_)
    fprintf(stderr, "[ntrace %d] status tid=%d 0x%x known=%d\n", tid_.load(), tid, status,
            t != nullptr);
  if (t == nullptr) {
    // A new thread's first stop can come before its parent's clone event: keep it for then.
    if (WIFSTOPPED(status)) orphans_[tid] = status;
    return;
  }
  pid_t pid = t->proc->pid;
  if (WIFEXITED(status) || WIFSIGNALED(status))
    HandleExit(t, status);
  else if (WIFSTOPPED(status))
    HandleStopped(t, status);
  Proc *p = FindProc(pid);
  if (p != nullptr) TryStepOver(p);
}

void Tracer::HandleExit(Thread *t, int status) {
  Proc *p = t->proc;
  if (t->tid != p->pid) {
    if (p->events & NTRACE_EVENT_THREAD_REPORT) EmitThreadEvent(NTRACE_EV_THREAD_EXIT, *t, status);
    RemoveThread(t);
    CheckCollected(p);
    return;
  }
  // The leader's status comes after every other thread's: the process is gone.
  if (p->collecting) {
    p->collecting = false;
    for (auto &rec : p->held)
      EmitVec(std::move(rec));
    p->held.clear();
  }
  ntrace_ev_proc_exit ev;
  memset(&ev, 0, sizeof ev);
  ev.hdr.len = sizeof ev;
  ev.hdr.type = NTRACE_EV_PROC_EXIT;
  ev.thread.handle = t->handle;
  ev.thread.tgid = p->pid;
  ev.thread.tid = t->tid;
  ev.wstatus = status;
  RemoveProc(p);
  Emit(&ev, sizeof ev);
}

void Tracer::HandleStopped(Thread *t, int status) {
  int sig = WSTOPSIG(status);
  int ev = status >> 16;
  t->kstopped = true;
  // Any ptrace-stop takes a pending PTRACE_INTERRUPT with it (kernel/signal.c, ptrace_stop:
  // "any trap clears pending STOP trap"): none is owed now. Left set, the next stop request or
  // step-over pause would wait for an interrupt stop that never comes. One sent after this
  // stop still comes, as an unrequested interrupt stop.
  t->interrupt_outstanding = false;
  t->regs_valid = t->made_up; // an emulated step's stop: the thread never ran (HandleSignal)
  t->regs_dirty = false;
  t->signal_stop = false;
  t->group_stop = false;
  if (t->cont_ns != 0) {
    // The wall clock first (no system call); then the CPU the lone thread ran, unless an
    // in-place wait found it asleep (cont_slept): a blocking read before the breakpoint costs
    // no CPU, but its continues would each spin kShortWaitNs in vain.
    bool quick = MonoNs() - t->cont_ns < kQuickContNs;
    if (!quick && t->cont_cpu >= 0 && !t->cont_slept) {
      int64_t cpu = ProcCpuNs(t->proc->pid);
      quick = cpu >= 0 && cpu - t->cont_cpu < kQuickContNs;
    }
    t->cont_quick = quick;
    t->cont_ns = 0;
    t->cont_cpu = -1;
  }
  t->cont_wait = false;
  if (t->is_new) {
    t->is_new = false;
    if (ev == PTRACE_EVENT_STOP) {
      HandleNewThreadStop(t);
      return;
    }
  }
  bool from_step_over = t->step_over != 0;
  uint64_t stepped_over = t->step_over;
  if (from_step_over) {
    if (ev == PTRACE_EVENT_EXEC) {
      t->step_over = 0; // the breakpoint went away with the old image
      t->proc->stepping = nullptr;
    } else {
      FinishStepOver(t);
    }
  }
  if (sig == (SIGTRAP | 0x80)) {
    HandleSyscall(t);
    return;
  }
  Proc *p = t->proc;
  switch (ev) {
  case 0:
    t->signal_stop = true;
    HandleSignal(t, sig, from_step_over, stepped_over);
    return;
  case PTRACE_EVENT_STOP:
    if (IsGroupStopSig(sig)) {
      t->group_stop = true;
      if (t->stop_requested) {
        Report(t, t->attach_stop ? NTRACE_STOP_ATTACH : NTRACE_STOP_REQUESTED, 0);
      } else {
        // Job control stop: stay stopped like an untraced process would, until SIGCONT.
        t->kstopped = false;
        if (Ptrace(PTRACE_LISTEN, t->tid, 0, 0) < 0) t->kstopped = true;
      }
      return;
    }
    // Our PTRACE_INTERRUPT (or a SIGCONT waking a listener). Unrequested ones are stale
    // interrupts or debug-register refreshes: the thread's resume request still stands.
    t->interrupt_outstanding = false;
    // A step (or a step-over) whose instruction ran, its trap queued behind this stop: once
    // this stop is reported, or the step-over ended here, the client must not see that trap
    // after the next resume (gdb.threads/interrupt-while-step-over.exp). A client's step
    // resumed as if nothing happened still ends with it.
    {
      bool stepping = t->mode == Mode::Step || t->mode == Mode::RangeStep;
      if ((t->stop_requested ? from_step_over || stepping : from_step_over && !stepping) &&
          TrapQueued(p->pid, t->tid))
        t->step_trap_queued = true;
    }
    // The client's single step ended (its instruction ran, the trap is queued): that is the
    // stop, as gdbserver, which takes the trap before its SIGSTOP, reports it. Reported as
    // REQUESTED, the step was lost: gdb, seeing the pc moved, put a breakpoint there to catch
    // the thread at once, and the resume stepped over it as over one the thread had stopped
    // at (gdb.threads/signal-while-stepping-over-bp-other-thread.exp: a loop ran in between).
    if (t->stop_requested && !t->attach_stop && t->step_trap_queued && t->mode == Mode::Step &&
        StepTrapQueued(t->tid)) {
      Report(t, NTRACE_STOP_STEP, SIGTRAP);
      return;
    }
    if (t->stop_requested)
      Report(t, t->attach_stop ? NTRACE_STOP_ATTACH : NTRACE_STOP_REQUESTED, 0);
    else
      KResume(t, 0);
    return;
  case PTRACE_EVENT_CLONE:
  case PTRACE_EVENT_FORK:
  case PTRACE_EVENT_VFORK:
    HandleNewChild(t, ev);
    return;
  case PTRACE_EVENT_EXEC:
    HandleExec(t);
    return;
  case PTRACE_EVENT_VFORK_DONE:
    RestoreAll(p);
    if (p->events & NTRACE_EVENT_VFORK_DONE)
      Report(t, NTRACE_STOP_VFORK_DONE, SIGTRAP);
    else
      Continue(t, 0);
    return;
  case PTRACE_EVENT_EXIT: {
    unsigned long msg = 0;
    Ptrace(PTRACE_GETEVENTMSG, t->tid, 0, &msg);
    if (p->events & NTRACE_EVENT_EXIT) {
      uint64_t d[1] = {msg};
      Report(t, NTRACE_STOP_EXIT, 0, d, 1);
    } else {
      // The leader leaving alone (pthread_exit) while other threads live: it turns zombie and
      // reports nothing more until the process ends. If only it was running (the others held,
      // gdb's scheduler-locking), nothing would ever be reported: report it gone now, as
      // gdbserver's check_zombie_leaders (then "no resumed thread left").
      bool lone = t->tid == p->pid && p->threads.size() > 1 && !t->stop_requested &&
                  !GroupExiting(p, t->tid);
      Continue(t, 0);
      if (lone) ZombieLeader(t);
    }
    return;
  }
  default:
    Continue(t, 0);
    return;
  }
}

void Tracer::HandleSignal(Thread *t, int sig, bool from_step_over, uint64_t stepped_over) {
  Proc *p = t->proc;
  siginfo_t si;
  memset(&si, 0, sizeof si);
  // An emulated step's made-up stop (DispatchEmulSteps): its siginfo is the one EmulateStep
  // wrote, its registers still loaded, and no #DB set DR6.
  bool made_up = t->made_up;
  t->made_up = false;
  if (made_up) {
    si.si_signo = SIGTRAP;
    si.si_code = TRAP_TRACE;
    si.si_addr = reinterpret_cast<void *>(t->regs.rip);
  } else if (Ptrace(PTRACE_GETSIGINFO, t->tid, 0, &si) < 0) {
    return; // killed meanwhile; its exit status follows
  }
  if (t->inject_next == sig) {
    t->inject_next = 0;
    Continue(t, sig);
    return;
  }
  bool int3_stepped = false;
  if (sig == SIGTRAP && t->step_trap_queued) {
    t->step_trap_queued = false;
    if (si.si_code == TRAP_TRACE || si.si_code == TRAP_BRKPT) {
      Continue(t, 0); // the step ended at the interrupt stop, reported then
      return;
    }
  }
  if (sig == SIGTRAP && !p->agent.pads.empty() && AgentTrap(t, si)) return;
  if (sig == SIGTRAP) {
    if (si.si_code == SI_KERNEL && LoadRegs(t)) {
      uint64_t a = t->regs.rip - 1;
      if (from_step_over && a == stepped_over) {
        // The step-over ran the program's own int3 under our breakpoint (a permanent
        // breakpoint, gdb.base/bp-permanent.exp): the pc stays past it and the step-over is
        // done, as gdbserver's linux_wait_1 ("step-over executed software breakpoint").
        // Taken as our breakpoint's hit, a false condition would step over it forever.
        int3_stepped = true;
      } else if (!p->bps_lifted && p->bps.count(a) != 0) {
        // Ours: rewind the pc onto the breakpoint (the stub's decr_pc_after_break, done here).
        // Only in the cache for now: the resume writes the registers once (the emulation's
        // write, or FlushRegs), so a false hit costs no write of its own.
        t->regs.rip = a;
        t->regs_dirty = true;
        std::shared_ptr<const BpExprs> x = p->bps[a].exprs;
        if (x && !BpWantsStop(t, *x, a)) {
          // Not a hit for the client (conditions false, or commands ran): step over, run on.
          t->skip_bp = a;
          Continue(t, 0);
          return;
        }
        uint64_t d[1] = {a};
        Report(t, NTRACE_STOP_BREAKPOINT, SIGTRAP, d, 1);
        return;
      }
      for (uint64_t g : t->gone_bps) {
        if (g != a) continue;
        // The int3 of a breakpoint the client removed after this thread hit it, before its
        // trap was seen. Not a stop any more (gdbserver drops such an event too): put the pc
        // back on the original instruction and carry on.
        t->regs.rip = a;
        Ptrace(PTRACE_SETREGS, t->tid, 0, &t->regs);
        Continue(t, 0);
        return;
      }
    }
    bool trace = si.si_code == TRAP_TRACE || si.si_code == TRAP_HWBKPT || si.si_code == TRAP_BRKPT;
    bool suppressed = false;
    // DR6 is looked at only for a trap from a #DB (TRAP_TRACE, TRAP_HWBKPT), and then never
    // cleared: the kernel starts ptrace's virtual DR6 afresh at every user-mode #DB
    // (exc_debug_user: DR_STEP only, then a bit per breakpoint that fired). TRAP_BRKPT from
    // leaving a syscall or event stop (user_single_step_report) comes without one, with
    // whatever the last #DB left, and so does a made-up step.
    bool db = si.si_code == TRAP_TRACE || si.si_code == TRAP_HWBKPT;
    if (db && !made_up && HwSlotsUsed(p)) {
      errno = 0;
      long dr6 = Ptrace(PTRACE_PEEKUSER, t->tid, DrOffset(6), 0);
      if (errno == 0 && (dr6 & 0xf) != 0) {
        for (int i = 0; i < 4; i++) {
          HwSlot &s = p->hw[i];
          if (!(dr6 & (1L << i)) || !s.used) continue;
          std::shared_ptr<const BpExprs> x = s.exprs;
          if (s.kind == NTRACE_BP_HW) {
            if (x && !BpWantsStop(t, *x, s.addr)) {
              Continue(t, 0); // the kernel set RF: the instruction runs without a new trap
              return;
            }
            uint64_t d[1] = {s.addr};
            Report(t, NTRACE_STOP_HW_BREAKPOINT, SIGTRAP, d, 1);
            return;
          }
          if (s.kind == NTRACE_BP_READ) {
            uint64_t now = 0;
            ReadMem(p, s.addr, reinterpret_cast<uint8_t *>(&now), s.len);
            bool changed = now != s.value;
            s.value = now;
            if (changed) {
              suppressed = true; // x86 cannot watch reads alone: a write is not a read hit
              continue;
            }
          }
          if (x && !BpWantsStop(t, *x, s.addr)) {
            Continue(t, 0);
            return;
          }
          uint64_t d[2] = {s.addr, s.kind};
          Report(t, NTRACE_STOP_WATCH, SIGTRAP, d, 2);
          return;
        }
      }
    }
    // TRAP_BRKPT with no DR6 bit is the step trap of leaving a syscall or event stop
    // (user_single_step_report): a finished step like TRAP_TRACE. A single step that
    // delivered a signal ends at the handler's first instruction with si_code SIGTRAP
    // (signal_delivered's ptrace_notify): a finished step too, as gdbserver reports it.
    bool single_stepped = t->mode == Mode::Step || t->mode == Mode::RangeStep || from_step_over;
    bool step_trap =
        int3_stepped || si.si_code == TRAP_TRACE ||
        (si.si_code == TRAP_BRKPT && t->mode != Mode::Cont && t->mode != Mode::Syscall) ||
        (si.si_code == SIGTRAP && single_stepped);
    if (step_trap || (from_step_over && trace)) {
      if (t->mode == Mode::Step) {
        Report(t, NTRACE_STOP_STEP, SIGTRAP);
        return;
      }
      if (t->mode == Mode::RangeStep) {
        if (LoadRegs(t) && t->regs.rip >= t->range_start && t->regs.rip < t->range_end) {
          if (BpInserted(p, t->regs.rip)) {
            uint64_t d[1] = {t->regs.rip};
            Report(t, NTRACE_STOP_BREAKPOINT, SIGTRAP, d, 1);
          } else {
            t->skip_bp = 0;
            Continue(t, 0);
          }
          return;
        }
        Report(t, NTRACE_STOP_STEP, SIGTRAP);
        return;
      }
      if (from_step_over) {
        t->skip_bp = 0;
        Continue(t, 0);
        return;
      }
    }
    if (suppressed) {
      Continue(t, 0);
      return;
    }
  }
  // A stepping thread reports every signal, as gdbserver does ("do not ignore signals when
  // stepping"): delivered under the step, the handler would run to its first instruction and
  // the step end there, where the client wants to step over the handler or stop in it.
  bool stepping = t->mode == Mode::Step || t->mode == Mode::RangeStep;
  if (sig >= 1 && sig <= 64 && (stepping || ((p->stop_signals >> (sig - 1)) & 1))) {
    Report(t, NTRACE_STOP_SIGNAL, sig, nullptr, 0, &si);
    return;
  }
  // Not in the stop table: delivered with no event. Out of an agent pad first, so that no
  // handler returns into one (a region unmapped at detach, a pad used again).
  if (!p->agent.pads.empty() && LoadRegs(t) && AgentCode(p, t->regs.rip)) AgentStabilize(t);
  Continue(t, sig);
}

void Tracer::HandleSyscall(Thread *t) {
  Proc *p = t->proc;
  if (!p->agent.pads.empty() && LoadRegs(t) && AgentCode(p, t->regs.rip)) {
    Continue(t, 0); // the agent's own calls (a pad set before system call stops were asked for)
    return;
  }
  struct __ptrace_syscall_info info;
  memset(&info, 0, sizeof info);
  if (Ptrace(PTRACE_GET_SYSCALL_INFO, t->tid, sizeof info, &info) < 0) {
    Continue(t, 0);
    return;
  }
  if (info.op == PTRACE_SYSCALL_INFO_ENTRY) {
    t->syscall_nr = static_cast<long>(info.entry.nr);
    if (t->mode == Mode::Syscall ||
        ((p->events & NTRACE_EVENT_SYSCALL_ENTRY) && SyscallWanted(p, t->syscall_nr))) {
      uint64_t d[7] = {info.entry.nr};
      for (int i = 0; i < 6; i++)
        d[1 + i] = info.entry.args[i];
      Report(t, NTRACE_STOP_SYSCALL_ENTRY, SIGTRAP, d, 7);
      return;
    }
  } else if (info.op == PTRACE_SYSCALL_INFO_EXIT) {
    // The entry may not have been seen (attached or resumed mid-syscall): orig_rax knows.
    if (LoadRegs(t)) t->syscall_nr = static_cast<long>(t->regs.orig_rax);
    if (t->mode == Mode::Syscall ||
        ((p->events & NTRACE_EVENT_SYSCALL_EXIT) && SyscallWanted(p, t->syscall_nr))) {
      uint64_t d[2] = {static_cast<uint64_t>(t->syscall_nr), static_cast<uint64_t>(info.exit.rval)};
      Report(t, NTRACE_STOP_SYSCALL_EXIT, SIGTRAP, d, 2);
      return;
    }
  }
  Continue(t, 0);
}

void Tracer::HandleNewChild(Thread *t, int event) {
  Proc *p = t->proc;
  unsigned long msg = 0;
  if (Ptrace(PTRACE_GETEVENTMSG, t->tid, 0, &msg) < 0) {
    Continue(t, 0);
    return;
  }
  pid_t ntid = static_cast<pid_t>(msg);
  Thread *nt = FindTid(ntid);
  if (event == PTRACE_EVENT_CLONE) {
    if (nt == nullptr) {
      nt = AddThread(p, ntid);
      nt->is_new = true;
    }
    nt->parent = t->handle;
    nt->dr_dirty = HwSlotsUsed(p);
    if (p->events & NTRACE_EVENT_THREAD_REPORT)
      EmitThreadEvent(NTRACE_EV_THREAD_NEW, *nt, static_cast<int64_t>(t->handle));
    if (p->events & NTRACE_EVENT_CLONE) {
      uint64_t d[2] = {nt->handle, static_cast<uint64_t>(ntid)};
      Report(t, NTRACE_STOP_CLONE, SIGTRAP, d, 2);
    } else {
      Continue(t, 0);
    }
  } else if (nt == nullptr) {
    auto child = std::make_unique<Proc>();
    Proc *cp = child.get();
    cp->pid = ntid;
    cp->kill_on_close = p->kill_on_close || p->launched;
    cp->opt_flags = p->opt_flags;
    cp->events = p->events;
    cp->stop_signals = p->stop_signals;
    memcpy(cp->syscalls, p->syscalls, sizeof cp->syscalls);
    cp->bps = p->bps;     // the child's memory holds our int3s too
    cp->agent = p->agent; // and the agent's region and jumps
    cp->vfork_child = event == PTRACE_EVENT_VFORK;
    cp->vfork_parent = p->pid;
    uint64_t want = event == PTRACE_EVENT_FORK ? NTRACE_EVENT_FORK : NTRACE_EVENT_VFORK;
    cp->detach_on_start = (p->events & want) == 0;
    procs_[ntid] = std::move(child);
    nt = AddThread(cp, ntid);
    nt->is_new = true;
    nt->parent = t->handle;
    OpenMem(cp);
    if (!cp->detach_on_start) {
      uint64_t d[2] = {nt->handle, static_cast<uint64_t>(ntid)};
      Report(t, event == PTRACE_EVENT_FORK ? NTRACE_STOP_FORK : NTRACE_STOP_VFORK, SIGTRAP, d, 2);
    } else {
      Continue(t, 0);
    }
  } else {
    Continue(t, 0);
  }
  auto o = orphans_.find(ntid);
  if (o != orphans_.end()) {
    int st = o->second;
    orphans_.erase(o);
    Dispatch(ntid, st);
  }
}

void Tracer::HandleNewThreadStop(Thread *t) {
  Proc *p = t->proc;
  if (p->detach_on_start) {
    // An unfollowed fork child: take our int3s out of it (for vfork: out of the shared
    // memory, until VFORK_DONE) and let it go.
    Proc *parent = FindProc(p->vfork_parent);
    if (p->vfork_child) {
      if (parent != nullptr) LiftAll(parent);
    } else {
      for (auto &kv : p->bps)
        LiftBp(p, kv.first, kv.second);
      AgentFree(p, t); // its copy of the agent's region (a vfork child shares the parent's)
    }
    Ptrace(PTRACE_DETACH, t->tid, 0, 0);
    RemoveProc(p);
    return;
  }
  bool any_reported = false;
  for (auto &kv : p->threads)
    any_reported = any_reported || kv.second->reported;
  bool followed_child = t->tid == p->pid;
  // A STOP of the whole process raced with the clone: the new thread is part of it.
  Thread *parent = FindHandle(t->parent);
  bool parent_held =
      parent != nullptr && parent->stop_whole && (parent->stop_requested || parent->reported);
  if (t->stop_requested || p->collecting || followed_child || parent_held ||
      (p->events & NTRACE_EVENT_CLONE) || ((p->opt_flags & NTRACE_OPT_ALL_STOP) && any_reported)) {
    Report(t, NTRACE_STOP_NEW_THREAD, 0);
    return;
  }
  KResume(t, 0);
}

void Tracer::HandleExec(Thread *t) {
  Proc *p = t->proc;
  unsigned long msg = 0;
  Ptrace(PTRACE_GETEVENTMSG, t->tid, 0, &msg);
  pid_t former = static_cast<pid_t>(msg);
  Thread *et = t;
  if (former != t->tid) {
    Thread *f = FindTid(former);
    if (f != nullptr && f->proc == p) et = f;
  }
  // Every other thread is gone: the kernel killed them in de_thread().
  std::vector<Thread *> others;
  for (auto &kv : p->threads)
    if (kv.second != et) others.push_back(kv.second);
  for (Thread *u : others) {
    if (u->tid != p->pid && (p->events & NTRACE_EVENT_THREAD_REPORT))
      EmitThreadEvent(NTRACE_EV_THREAD_EXIT, *u, 0);
    if (u->tid != p->pid) Bury(u->tid); // its zombie is still ours to reap
    p->threads.erase(u->tid);
    handles_.erase(u->handle);
    orphans_.erase(u->tid);
    threads_.erase(u->tid);
  }
  if (et->tid != p->pid) {
    // The execing thread now has the leader's tid.
    auto node = threads_.extract(et->tid);
    p->threads.erase(et->tid);
    et->tid = p->pid;
    node.key() = p->pid;
    threads_.insert(std::move(node));
    p->threads[p->pid] = et;
  }
  p->last = et;
  et->kstopped = true;
  et->regs_valid = false;
  et->signal_stop = false;
  et->group_stop = false;
  et->step_over = 0;
  et->skip_bp = 0;
  et->deferred = false;
  et->is_new = false;
  p->stepping = nullptr;
  p->bps.clear();     // the old image took our int3s with it
  p->agent = Agent(); // and the agent's region
  p->bps_lifted = false;
  for (auto &s : p->hw)
    s = HwSlot(); // and the kernel flushed the debug registers
  et->dr_known = false;
  OpenMem(p); // the old fd stays bound to the old mm
  if (p->stop_at_exec) {
    p->stop_at_exec = false;
    Report(et, NTRACE_STOP_LAUNCH, SIGTRAP);
  } else if (p->events & NTRACE_EVENT_EXEC) {
    uint64_t d[1] = {static_cast<uint64_t>(former)};
    Report(et, NTRACE_STOP_EXEC, SIGTRAP, d, 1);
  } else {
    Continue(et, 0);
  }
  CheckCollected(p);
}

void Tracer::Report(Thread *t, uint32_t reason, int signo, const uint64_t *data, size_t ndata,
                    const siginfo_t *si) {
  Proc *p = t->proc;
  // Stopped inside an agent pad (an interrupt, a signal): moved out before anyone sees it.
  if (!p->agent.pads.empty() && LoadRegs(t) && AgentCode(p, t->regs.rip)) AgentStabilize(t);
  t->stop_requested = false;
  t->attach_stop = false;
  uint64_t skip = t->skip_bp; // a step-over this stop cut short: the resume does it
  t->skip_bp = 0;
  t->reported = true;
  t->stop_id = next_stop_++;
  t->report_sig = reason == NTRACE_STOP_SIGNAL ? signo : 0;
  // A pc rewound onto a breakpoint stays in the cache (regs_dirty) until the thread runs or is
  // let go: the client reads registers from it, and gdb's step from the breakpoint writes
  // them anyway (the emulated step's one SETREGS). The GPRs were usually read already at this
  // stop (pc rewind, range check); either way the record carries them (NTRACE_STOPF_REGS) so
  // the client needs no GET_REGS to report it.
  bool regs = LoadRegs(t);
  t->stop_pc = regs ? t->regs.rip : 0;
  t->stop_at_bp = reason == NTRACE_STOP_BREAKPOINT || (skip != 0 && skip == t->stop_pc);
  static_assert(sizeof(user_regs_struct) == NTRACE_STOP_REGS_SIZE, "GPR block size");
  size_t len = sizeof(ntrace_ev_stop) + (regs ? NTRACE_STOP_REGS_SIZE : 0);
  std::vector<uint8_t> rec(len, 0);
  ntrace_ev_stop ev;
  memset(&ev, 0, sizeof ev);
  ev.hdr.len = static_cast<uint32_t>(len);
  ev.hdr.type = NTRACE_EV_STOP;
  ev.hdr.flags = regs ? NTRACE_STOPF_REGS : 0;
  ev.thread.handle = t->handle;
  ev.thread.tgid = p->pid;
  ev.thread.tid = t->tid;
  ev.stop_id = t->stop_id;
  ev.reason = reason;
  ev.signo = signo;
  ev.pc = t->regs_valid ? t->regs.rip : 0;
  ev.sp = t->regs_valid ? t->regs.rsp : 0;
  for (size_t i = 0; i < ndata && i < 7; i++)
    ev.data[i] = data[i];
  if (si != nullptr) memcpy(ev.siginfo, si, NTRACE_SIGINFO_SIZE);
  memcpy(rec.data(), &ev, sizeof ev);
  if (regs) memcpy(rec.data() + sizeof ev, &t->regs, NTRACE_STOP_REGS_SIZE);
  if (debug_)
    fprintf(stderr, "[ntrace %d] report tid=%d reason=%u sig=%d pc=%lx\n", tid_.load(), t->tid,
            reason, signo, static_cast<unsigned long>(ev.pc));
  if (p->collecting) {
    p->held.push_back(std::move(rec));
    CheckCollected(p);
    return;
  }
  // A new thread's first stop is no event of the run: the threads that run go on (a step
  // included), as gdbserver's handle_extended_wait reports no clone; the module's gate agrees.
  if ((p->opt_flags & NTRACE_OPT_ALL_STOP) && reason != NTRACE_STOP_REQUESTED &&
      reason != NTRACE_STOP_ATTACH && reason != NTRACE_STOP_NEW_THREAD) {
    p->held.push_back(std::move(rec));
    StartCollect(p);
    return;
  }
  EmitVec(std::move(rec));
}

void Tracer::StartCollect(Proc *p) {
  p->collecting = true;
  std::vector<Thread *> ts;
  for (auto &kv : p->threads)
    ts.push_back(kv.second);
  for (Thread *u : ts) {
    if (u->reported || u->exiting) continue;
    RequestStop(u, false);
  }
  CheckCollected(p);
}

void Tracer::CheckCollected(Proc *p) {
  if (!p->collecting) return;
  for (auto &kv : p->threads) {
    Thread *u = kv.second;
    if (!u->reported && !u->exiting) return;
  }
  p->collecting = false;
  std::vector<std::vector<uint8_t>> held;
  held.swap(p->held);
  for (auto &rec : held)
    EmitVec(std::move(rec));
}

void Tracer::RequestStop(Thread *t, bool attach) {
  if (t->reported || t->exiting) return;
  t->stop_requested = true;
  if (attach) t->attach_stop = true;
  if (t->is_new) return;    // its initial stop is on the way and honours the request
  if (t->emul_step) return; // so is its emulated step's (DispatchEmulSteps), reported as such
  if (t->kstopped) {
    if (t->step_over_wait) AbandonStepOverWait(t);
    // Held inside the engine (waiting behind a step-over): it stops right here.
    if (t->deferred) {
      t->deferred = false;
      t->hidden_sig = t->deferred_sig;
      t->deferred_sig = 0;
    }
    Report(t, attach ? NTRACE_STOP_ATTACH : NTRACE_STOP_REQUESTED, 0);
    return;
  }
  if (t->interrupt_outstanding) return;
  if (IsZombieLeader(*t)) {
    t->stop_requested = false;
    ZombieLeader(t);
    return;
  }
  if (Ptrace(PTRACE_INTERRUPT, t->tid, 0, 0) < 0) {
    t->exiting = true;
    t->stop_requested = false;
    return;
  }
  t->interrupt_outstanding = true;
}

// The leader exited (pthread_exit) while other threads run: it never stops again, and its
// wait status comes only when the whole process is gone. Its exit is reported now, so a client
// waiting for every thread to stop stops waiting for it, as gdbserver's check_zombie_leaders
// deletes such a leader (gdb.threads/leader-exit.exp).
void Tracer::ZombieLeader(Thread *t) {
  t->exiting = true;
  if (t->proc->events & NTRACE_EVENT_THREAD_REPORT) EmitThreadEvent(NTRACE_EV_THREAD_EXIT, *t, 0);
}

void Tracer::Continue(Thread *t, int sig) {
  if (t->stop_requested) {
    // A stop was asked for: this internal stop is it. The signal stays pending with us.
    if (sig != 0) t->hidden_sig = sig;
    Report(t, t->attach_stop ? NTRACE_STOP_ATTACH : NTRACE_STOP_REQUESTED, 0);
    return;
  }
  KResume(t, sig);
}

void Tracer::KResume(Thread *t, int sig) {
  Proc *p = t->proc;
  if (p->stepping != nullptr && p->stepping != t) {
    // Another thread has a breakpoint lifted: this one must not run past it.
    if (debug_) fprintf(stderr, "[ntrace %d] defer tid=%d\n", tid_.load(), t->tid);
    t->deferred = true;
    t->deferred_sig = sig;
    return;
  }
  if (t->dr_dirty) ApplyDebugRegs(t);
  long req;
  bool over =
      t->skip_bp != 0 && LoadRegs(t) && t->regs.rip == t->skip_bp && BpInserted(p, t->skip_bp);
  // Continuing with no signal to deliver first: run the instruction here, leaving the int3 in
  // place, when it is one the emulator knows (a step: EmulateStep, below).
  if (over && t->mode != Mode::Step && t->mode != Mode::RangeStep && AgentResume(t)) over = false;
  if (over && sig == 0 && t->mode == Mode::Cont && !t->group_stop && EmulateAtBp(t)) over = false;
  // A step likewise, its stop made up after the reply (EmulateStep): the thread never runs.
  if (over && sig == 0 && t->mode == Mode::Step && !t->group_stop && EmulateStep(t)) {
    t->skip_bp = 0;
    t->gone_bps.clear(); // its trap was this stop's: no removed breakpoint's can follow
    return;
  }
  if (!over) t->skip_bp = 0; // done (or moot): a later stop at this pc is no step-over's
  if (over) {
    if (PauseOthers(t)) {
      // A running thread could pass the breakpoint while it is lifted and never report its
      // hit: stop them all first, as gdbserver does (linux-low.cc, start_step_over:
      // stop_all_lwps). TryStepOver goes on when the last one has stopped.
      p->stepping = t;
      t->step_over_wait = true;
      t->step_over_sig = sig;
      return;
    }
    LiftBp(p, t->skip_bp, p->bps[t->skip_bp]);
    t->step_over = t->skip_bp;
    p->stepping = t;
    req = PTRACE_SINGLESTEP;
  } else if (t->mode == Mode::Step || t->mode == Mode::RangeStep) {
    req = PTRACE_SINGLESTEP;
  } else if (t->mode == Mode::Syscall ||
             (p->events & (NTRACE_EVENT_SYSCALL_ENTRY | NTRACE_EVENT_SYSCALL_EXIT))) {
    req = PTRACE_SYSCALL;
  } else if (t->group_stop && sig == 0) {
    req = PTRACE_LISTEN;
  } else {
    req = PTRACE_CONT;
  }
  if (debug_)
    fprintf(stderr, "[ntrace %d] resume tid=%d req=%ld sig=%d step_over=%lx\n", tid_.load(), t->tid,
            req, sig, static_cast<unsigned long>(t->step_over));
  if (!t->gone_bps.empty()) {
    // A thread stopped by PTRACE_INTERRUPT right after running an int3 (the kernel takes the
    // interrupt before the queued SIGTRAP) sits one past it and still has that trap to come:
    // keep that address. Any other trap can no longer come once it runs.
    uint64_t keep = LoadRegs(t) ? t->regs.rip - 1 : 0;
    bool pending = false;
    for (uint64_t g : t->gone_bps)
      pending = pending || g == keep;
    t->gone_bps.clear();
    if (pending) t->gone_bps.push_back(keep);
  }
  FlushRegs(t); // a pc rewound onto a breakpoint, unless the emulation wrote it already
  t->kstopped = false;
  t->regs_valid = false;
  t->signal_stop = false;
  t->group_stop = false;
  // A plain continue of a lone thread whose continues end within microseconds (a breakpoint
  // in a tight loop, gdb's `commands ... continue`) is waited for in place like a step:
  // bounded by kShortWaitNs, it saves the SIGCHLD, the event loop's wake-up and the check
  // phase of its stop, as gdbserver, which waits for a continue's stop in place in all-stop
  // (server.cc, mywait). Only when the last continue did end that soon (by the wall clock or
  // the thread's own CPU time, HandleStopped), or at every 8th (a look whether it does again):
  // a continue that runs longer costs that much spinning once.
  t->cont_wait = false;
  t->cont_ns = 0;
  t->cont_cpu = -1;
  if (req == PTRACE_CONT && t->mode == Mode::Cont) {
    t->cont_ns = MonoNs();
    if (p->threads.size() == 1) {
      // Its process's CPU clock is then its own (about 0.7 µs; ProcCpuNs).
      t->cont_cpu = ProcCpuNs(p->pid);
      t->cont_wait = t->cont_quick || (++t->cont_probe & 7) == 0;
    }
  }
  if (req == PTRACE_SINGLESTEP || t->cont_wait) {
    NoteShortResume(t->tid); // waited for in place
    QuietStops();            // so its stop sends no SIGCHLD
  }
  if (Ptrace(static_cast<enum __ptrace_request>(req), t->tid, 0, req == PTRACE_LISTEN ? 0 : sig) <
      0) {
    if (errno == ESRCH) return; // dying (SIGKILL): its exit status follows
    if (req == PTRACE_LISTEN && Ptrace(PTRACE_CONT, t->tid, 0, 0) == 0) return;
    t->kstopped = true;
  }
}

void Tracer::FinishStepOver(Thread *t) {
  Proc *p = t->proc;
  uint64_t a = t->step_over;
  t->step_over = 0;
  if (p->stepping == t) p->stepping = nullptr;
  auto bp = a != 0 && !p->bps_lifted ? p->bps.find(a) : p->bps.end();
  if (bp != p->bps.end()) PlantBp(p, a, bp->second);
  ReleaseDeferred(p);
}

// Whether u may be executing the program's code: not in a ptrace-stop we consumed, not on its
// way out, not in a job-control stop (listening).
static bool RunsCode(const Thread &u) {
  return !u.kstopped && !u.exiting && !u.group_stop;
}

// Sends PTRACE_INTERRUPT to every thread of t's process that runs; true if any still has to
// stop. A thread in a job-control stop (listening) runs nothing and is left alone.
bool Tracer::PauseOthers(Thread *t) {
  bool running = false;
  for (auto &kv : t->proc->threads) {
    Thread *u = kv.second;
    if (u == t || !RunsCode(*u)) continue;
    if (u->is_new || u->interrupt_outstanding) {
      running = true; // a stop is on its way
      continue;
    }
    if (IsZombieLeader(*u)) {
      ZombieLeader(u);
      continue;
    }
    if (Ptrace(PTRACE_INTERRUPT, u->tid, 0, 0) < 0) {
      u->exiting = true; // dying: it never stops again (as RequestStop)
      continue;
    }
    u->interrupt_outstanding = true;
    running = true;
  }
  return running;
}

// After a status of p: starts the step-over that waited for the others to stop, once they
// all have.
void Tracer::TryStepOver(Proc *p) {
  Thread *t = p->stepping;
  if (t == nullptr || !t->step_over_wait) return;
  for (auto &kv : p->threads) {
    Thread *u = kv.second;
    if (u != t && RunsCode(*u)) return;
  }
  t->step_over_wait = false;
  p->stepping = nullptr;
  int sig = t->step_over_sig;
  t->step_over_sig = 0;
  Continue(t, sig); // lifts the breakpoint and steps now, or reports a stop asked for meanwhile
  if (p->stepping == nullptr) ReleaseDeferred(p);
}

// t waited to step over a breakpoint and is now to stop where it is (a stop request).
void Tracer::AbandonStepOverWait(Thread *t) {
  Proc *p = t->proc;
  t->step_over_wait = false;
  if (t->step_over_sig != 0) t->hidden_sig = t->step_over_sig;
  t->step_over_sig = 0;
  if (p->stepping == t) p->stepping = nullptr;
  ReleaseDeferred(p);
}

void Tracer::ReleaseDeferred(Proc *p) {
  std::vector<Thread *> waiting;
  for (auto &kv : p->threads)
    if (kv.second->deferred) waiting.push_back(kv.second);
  for (Thread *u : waiting) {
    if (!u->deferred) continue;
    u->deferred = false;
    int s = u->deferred_sig;
    u->deferred_sig = 0;
    Continue(u, s);
  }
}

} // namespace ntrace
