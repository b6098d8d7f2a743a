// Processes and threads: launch, attach, detach, teardown, and the tables.
#include "tracer.h"

#include "exec_child.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>

namespace ntrace {

namespace {

constexpr long kBaseOptions = PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC |
                              PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACEVFORKDONE |
                              PTRACE_O_TRACEEXIT;

bool ListTasks(pid_t pid, std::set<pid_t> *out) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/task", pid);
  DIR *d = opendir(path);
  if (d == nullptr) return false;
  while (struct dirent *e = readdir(d)) {
    char *end;
    long tid = strtol(e->d_name, &end, 10);
    if (*end == 0 && tid > 0) out->insert(static_cast<pid_t>(tid));
  }
  closedir(d);
  return true;
}

} // namespace

// The child's new process group takes the terminal's foreground, as gdbserver gives it to its
// inferior (post_fork_inferior): a program that reads its terminal must not stop with SIGTTIN.
// SIGTTOU is ignored meanwhile, the group being in the background until then. A terminal that
// is not the controlling one refuses (ENOTTY), and the program simply runs in the background.
static void TakeTerminal() {
  for (int fd = 0; fd < 3; fd++) {
    if (!isatty(fd)) continue;
    signal(SIGTTOU, SIG_IGN);
    (void)tcsetpgrp(fd, getpid()); // best effort, see above
    signal(SIGTTOU, SIG_DFL);
    return;
  }
}

// Everything between fork and exec: async-signal-safe calls only. Shared with the composed
// launch (spawn.cc), whose child is forked from node's main thread.
[[noreturn]] void ExecChild(int go, int err, const char *path, const char *cwd, char *const argv[],
                            char *const envp[], uint32_t flags) {
  char c;
  ssize_t n;
  while ((n = read(go, &c, 1)) < 0 && errno == EINTR) {
  }
  if (n != 1) _exit(127); // the parent died or gave up: never run untraced
  // Dispositions first, then the mask: a signal pending since the fork must not reach a handler
  // of the parent's (node's) in this copy of it.
  for (int s = 1; s < NSIG; s++) {
    if (s != SIGKILL && s != SIGSTOP)
      signal(s, SIG_DFL); // node ignores SIGPIPE; the debuggee must not inherit that
  }
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  // The opener's stdio may be close-on-exec (it is when node's own parent opened it so); the
  // debuggee inherits it regardless.
  for (int fd = 0; fd < 3; fd++) {
    int fl = fcntl(fd, F_GETFD);
    if (fl >= 0 && (fl & FD_CLOEXEC)) fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC);
  }
  int e = 0;
  if ((flags & NTRACE_LAUNCH_NO_ASLR) && personality(ADDR_NO_RANDOMIZE) < 0) e = errno;
  if (e == 0 && (flags & NTRACE_LAUNCH_NEW_PGRP)) {
    if (setpgid(0, 0) < 0)
      e = errno;
    else
      TakeTerminal();
  }
  if (e == 0 && cwd != nullptr && chdir(cwd) < 0) e = errno;
  if (e == 0) {
    execve(path, argv, envp);
    e = errno;
  }
  while (write(err, &e, sizeof e) < 0 && errno == EINTR) {
  }
  _exit(127);
}

Thread *Tracer::AddThread(Proc *p, pid_t tid) {
  auto t = std::make_unique<Thread>();
  t->handle = next_handle_++;
  t->tid = tid;
  t->proc = p;
  Thread *raw = t.get();
  threads_[tid] = std::move(t);
  handles_[raw->handle] = raw;
  p->threads[tid] = raw;
  p->last = raw;
  return raw;
}

void Tracer::RemoveThread(Thread *t) {
  Proc *p = t->proc;
  if (p->stepping == t) {
    FinishStepOver(t);
  }
  p->threads.erase(t->tid);
  if (p->last == t) p->last = nullptr;
  handles_.erase(t->handle);
  threads_.erase(t->tid);
}

void Tracer::RemoveProc(Proc *p) {
  std::vector<Thread *> ts;
  for (auto &kv : p->threads)
    ts.push_back(kv.second);
  for (Thread *t : ts) {
    p->threads.erase(t->tid);
    handles_.erase(t->handle);
    threads_.erase(t->tid);
  }
  if (p->memfd >= 0) close(p->memfd);
  procs_.erase(p->pid);
}

Proc *Tracer::FindProc(pid_t pid) {
  auto it = procs_.find(pid);
  return it == procs_.end() ? nullptr : it->second.get();
}

Thread *Tracer::FindTid(pid_t tid) {
  auto it = threads_.find(tid);
  return it == threads_.end() ? nullptr : it->second.get();
}

Thread *Tracer::FindHandle(uint64_t handle) {
  auto it = handles_.find(handle);
  return it == handles_.end() ? nullptr : it->second;
}

int Tracer::OpenMem(Proc *p) {
  if (p->memfd >= 0) close(p->memfd);
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/mem", p->pid);
  p->memfd = open(path, O_RDWR | O_CLOEXEC);
  return p->memfd < 0 ? -errno : 0;
}

bool Tracer::IsZombie(pid_t tid) const {
  char path[64], buf[512];
  snprintf(path, sizeof path, "/proc/%d/stat", tid);
  if (!ReadProcText(path, buf, sizeof buf)) return true;
  const char *rp = strrchr(buf, ')');
  return rp == nullptr || rp[1] == 0 || rp[2] == 'Z' || rp[2] == 'X';
}

// The leader gone ahead of its threads (pthread_exit): a zombie that never stops again.
bool Tracer::IsZombieLeader(const Thread &t) const {
  return t.tid == t.proc->pid && t.proc->threads.size() > 1 && IsZombie(t.tid);
}

// Whether the process is exiting as a whole (exit_group, a fatal signal, another thread's
// exec): the kernel then queues SIGKILL on each other thread (zap_other_threads), seen in its
// SigPnd. Also true when no other thread lives on: each is gone or a zombie (a thread that
// exited, joined, before main returned is still listed until its status is reaped).
bool Tracer::GroupExiting(const Proc *p, pid_t except) const {
  bool living = false;
  for (const auto &kv : p->threads) {
    if (kv.first == except) continue;
    char path[64], buf[2048];
    snprintf(path, sizeof path, "/proc/%d/task/%d/status", p->pid, kv.first);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue; // gone
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) continue;
    buf[n] = 0;
    const char *st = strstr(buf, "\nState:\t");
    if (st != nullptr && (st[8] == 'Z' || st[8] == 'X')) continue;
    const char *sp = strstr(buf, "\nSigPnd:");
    if (sp == nullptr) continue;
    unsigned long long pending = strtoull(sp + 8, nullptr, 16);
    if (pending & (1ULL << (SIGKILL - 1))) return true;
    living = true;
  }
  return !living;
}

int Tracer::Launch(const char *path, const char *cwd, char *const argv[], char *const envp[],
                   uint32_t flags, Thread **out) {
  int go[2], err[2];
  if (pipe2(go, O_CLOEXEC) < 0) return -errno;
  if (pipe2(err, O_CLOEXEC) < 0) {
    int e = errno;
    close(go[0]);
    close(go[1]);
    return -e;
  }
  // Every signal blocked across fork: until it resets them, the child must not run a handler
  // of the opener's (node's SIGCHLD handler would write into the parent's event loop).
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pid_t pid = fork();
  if (pid != 0) pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (pid < 0) {
    int e = errno;
    close(go[0]);
    close(go[1]);
    close(err[0]);
    close(err[1]);
    return -e;
  }
  if (pid == 0) {
    close(go[1]);
    close(err[0]);
    ExecChild(go[0], err[1], path, cwd, argv, envp, flags);
  }
  close(go[0]);
  close(err[1]);
  int rc = 0;
  if (Ptrace(PTRACE_SEIZE, pid, 0, kBaseOptions | PTRACE_O_EXITKILL) < 0) {
    rc = -errno;
    kill(pid, SIGKILL);
  }
  char one = 1;
  while (write(go[1], &one, 1) < 0 && errno == EINTR) {
  }
  close(go[1]); // releases the child
  // Wait for its exec (the PTRACE_EVENT_EXEC stop) or its death; let stray signals through.
  int status = 0;
  for (;;) {
    pid_t r = waitpid(pid, &status, __WALL);
    if (r < 0) {
      if (errno == EINTR) continue;
      rc = rc ? rc : -errno;
      break;
    }
    if (WIFEXITED(status) || WIFSIGNALED(status)) {
      int e = 0;
      ssize_t n;
      while ((n = read(err[0], &e, sizeof e)) < 0 && errno == EINTR) {
      }
      if (rc == 0) rc = n == static_cast<ssize_t>(sizeof e) && e != 0 ? -e : -ECHILD;
      close(err[0]);
      return rc;
    }
    if (rc != 0) continue; // seize failed: we killed it, wait for the exit
    if (WIFSTOPPED(status) && (status >> 16) == PTRACE_EVENT_EXEC) break;
    int sig = WIFSTOPPED(status) && (status >> 16) == 0 ? WSTOPSIG(status) : 0;
    Ptrace(PTRACE_CONT, pid, 0, sig);
  }
  close(err[0]);
  if (rc != 0) return rc;
  auto proc = std::make_unique<Proc>();
  Proc *p = proc.get();
  p->pid = pid;
  p->launched = true;
  p->kill_on_close = true;
  procs_[pid] = std::move(proc);
  Thread *t = AddThread(p, pid);
  t->kstopped = true;
  int e = OpenMem(p);
  if (e != 0) {
    kill(pid, SIGKILL);
    RemoveProc(p);
    Bury(pid);
    return e;
  }
  *out = t;
  return 0;
}

int Tracer::Attach(pid_t pid, uint32_t flags, std::vector<Thread *> *out) {
  long opts = kBaseOptions | ((flags & NTRACE_ATTACH_KILL_ON_CLOSE) ? PTRACE_O_EXITKILL : 0);
  std::set<pid_t> seized;
  // Seize every thread, rescanning until a pass finds nothing new (threads keep cloning).
  for (int pass = 0; pass < 1000; pass++) {
    std::set<pid_t> tids;
    if (!ListTasks(pid, &tids)) {
      if (seized.empty()) return -ESRCH;
      break;
    }
    bool fresh = false;
    for (pid_t tid : tids) {
      if (seized.count(tid)) continue;
      if (Ptrace(PTRACE_SEIZE, tid, 0, opts) < 0) {
        int e = errno;
        if (e == ESRCH && tid != pid) continue; // exited meanwhile
        // Undo: PTRACE_DETACH needs a stopped tracee, and SEIZE did not stop them.
        for (pid_t s : seized) {
          if (Ptrace(PTRACE_INTERRUPT, s, 0, 0) == 0) {
            int st;
            while (waitpid(s, &st, __WALL) < 0 && errno == EINTR) {
            }
            Ptrace(PTRACE_DETACH, s, 0, 0);
          }
        }
        return -e;
      }
      seized.insert(tid);
      fresh = true;
    }
    if (!fresh) break;
  }
  auto proc = std::make_unique<Proc>();
  Proc *p = proc.get();
  p->pid = pid;
  p->kill_on_close = (flags & NTRACE_ATTACH_KILL_ON_CLOSE) != 0;
  p->stop_at_exec = (flags & NTRACE_ATTACH_STOP_AT_EXEC) != 0;
  procs_[pid] = std::move(proc);
  for (pid_t tid : seized)
    out->push_back(AddThread(p, tid));
  p->last = FindTid(pid);
  OpenMem(p); // failure shows later as memory errors; the attach itself stands
  if (flags & NTRACE_ATTACH_STOP) {
    for (Thread *t : *out)
      RequestStop(t, true);
  }
  return 0;
}

// Blocks until t is in a ptrace-stop (or gone). Used by detach and teardown only.
void Tracer::WaitStopped(Thread *t) {
  if (t->kstopped || t->exiting) return;
  if (IsZombieLeader(*t)) {
    t->exiting = true;
    return;
  }
  if (!t->interrupt_outstanding) {
    if (Ptrace(PTRACE_INTERRUPT, t->tid, 0, 0) < 0) {
      t->exiting = true;
      return;
    }
    t->interrupt_outstanding = true;
  }
  for (;;) {
    int status;
    pid_t r = waitpid(t->tid, &status, __WALL);
    if (r < 0) {
      if (errno == EINTR) continue;
      t->exiting = true;
      return;
    }
    if (!WIFSTOPPED(status)) {
      t->exiting = true;
      return;
    }
    t->kstopped = true;
    t->signal_stop = (status >> 16) == 0 && WSTOPSIG(status) != (SIGTRAP | 0x80);
    if ((status >> 16) == PTRACE_EVENT_STOP && WSTOPSIG(status) == SIGTRAP)
      t->interrupt_outstanding = false;
    if (t->signal_stop && WSTOPSIG(status) != SIGTRAP)
      t->hidden_sig = WSTOPSIG(status); // handed back on detach, never lost
    return;
  }
}

int Tracer::DetachProc(Proc *p, bool emit) {
  pid_t pid = p->pid;
  std::vector<Thread *> ts;
  for (auto &kv : p->threads)
    ts.push_back(kv.second);
  // With agent jumps, every thread stops first: taking a jump out is three writes, and a
  // thread running the int3 between them would be let go one byte into the instruction. A
  // thread that trapped on one of our int3s is put back on its instruction.
  bool agent = !p->agent.pads.empty();
  if (agent) {
    for (Thread *t : ts)
      WaitStopped(t);
    for (Thread *t : ts) {
      // One inside a pad is moved out first, so the region can go (below).
      if (!t->exiting && t->kstopped && LoadRegs(t) && AgentCode(p, t->regs.rip)) AgentStabilize(t);
      siginfo_t si;
      if (t->exiting || !t->kstopped || !t->signal_stop ||
          Ptrace(PTRACE_GETSIGINFO, t->tid, 0, &si) < 0 || si.si_signo != SIGTRAP ||
          si.si_code != SI_KERNEL || !LoadRegs(t) || p->bps.count(t->regs.rip - 1) == 0)
        continue;
      t->regs.rip -= 1;
      t->regs_dirty = true;
    }
  }
  // Breakpoints out first so that no thread can trap on one after it is let go.
  for (auto &kv : p->bps) {
    if (!p->bps_lifted) LiftBp(p, kv.first, kv.second);
  }
  p->bps.clear();
  AgentDisarm(p); // a thread inside a pad runs on instead of trapping untraced
  // The region goes when no thread is inside it; a vfork child's is its parent's.
  if (agent && !p->vfork_child) AgentFree(p, nullptr);
  p->stepping = nullptr;
  for (auto &s : p->hw)
    s = HwSlot();
  for (Thread *t : ts)
    WaitStopped(t);
  for (Thread *t : ts) {
    if (t->exiting || !t->kstopped) continue;
    ApplyDebugRegs(t); // all slots free now: clears DR7 and the addresses
    FlushRegs(t);      // a pc rewound onto a breakpoint, not written yet
    int sig = t->hidden_sig ? t->hidden_sig : (t->reported ? t->report_sig : 0);
    if (!t->signal_stop) sig = 0;
    // ESRCH: it left its stop since, SIGKILLed by a thread already let go that exited the
    // group. It is still ours and stops once more at its PTRACE_EVENT_EXIT: wait for that stop
    // and let it go there, or it stays stopped with us and the process never ends for its
    // parent (gdbserver's detach_one_lwp reaps it; gdb.threads/process-dies-while-detaching.exp).
    while (Ptrace(PTRACE_DETACH, t->tid, 0, sig) < 0 && errno == ESRCH) {
      int status;
      pid_t r;
      do
        r = waitpid(t->tid, &status, __WALL);
      while (r < 0 && errno == EINTR);
      if (r < 0 || !WIFSTOPPED(status)) break;
      sig = 0;
    }
  }
  // Threads born while the others were being stopped (WaitStopped took their creator's clone
  // event): traced from birth, held at their first stop. They go too, or they stay stopped.
  for (int pass = 0; pass < 4; pass++) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", pid);
    DIR *d = opendir(path);
    if (d == nullptr) break;
    std::vector<pid_t> fresh;
    while (dirent *e = readdir(d)) {
      pid_t tid = static_cast<pid_t>(atoi(e->d_name));
      if (tid > 0 && p->threads.count(tid) == 0) fresh.push_back(tid);
    }
    closedir(d);
    bool more = false;
    for (pid_t tid : fresh) {
      if (orphans_.erase(tid) == 0) {
        int status;
        pid_t r;
        do
          r = waitpid(tid, &status, __WALL);
        while (r < 0 && errno == EINTR);
        if (r < 0 || !WIFSTOPPED(status)) continue; // not ours (ECHILD), or gone
      }
      if (Ptrace(PTRACE_DETACH, tid, 0, 0) == 0) more = true;
    }
    if (!more) break;
  }
  bool child = p->launched;
  RemoveProc(p);
  if (child) Bury(pid); // still our child: reap it when it exits, so it never stays a zombie
  if (emit) EmitDetached(pid, NTRACE_DETACHED_REQUEST);
  return 0;
}

void Tracer::Teardown() {
  std::vector<pid_t> killed;
  std::vector<Proc *> ps;
  for (auto &kv : procs_)
    ps.push_back(kv.second.get());
  for (Proc *p : ps) {
    if (p->kill_on_close || p->launched) {
      kill(p->pid, SIGKILL);
      killed.push_back(p->pid);
    }
  }
  for (Proc *p : ps) {
    if (!(p->kill_on_close || p->launched)) DetachProc(p, false);
  }
  // Reap what we killed, so nothing is left stopped or a zombie of ours.
  for (pid_t pid : killed)
    ReapKilled(pid);
  while (!procs_.empty())
    RemoveProc(procs_.begin()->second.get());
}

// Waits until the killed process pid is reaped: thread by thread (never a wait on any child,
// which would take node's own children), continuing exit stops, for every tid /proc lists, so
// a thread cloned just before the kill, that we never heard of, is reaped too (the leader's
// status waits for it). Bounded at about 10 s.
void Tracer::ReapKilled(pid_t pid) {
  for (int round = 0; round < 100000; round++) {
    std::set<pid_t> tids;
    ListTasks(pid, &tids);
    bool progress = false;
    int status;
    for (pid_t tid : tids) {
      if (tid == pid || waitpid(tid, &status, WNOHANG | __WALL) != tid) continue;
      progress = true;
      if (WIFSTOPPED(status)) Ptrace(PTRACE_CONT, tid, 0, 0);
    }
    pid_t r = waitpid(pid, &status, WNOHANG | __WALL);
    if (r == pid) {
      if (!WIFSTOPPED(status)) return;
      Ptrace(PTRACE_CONT, pid, 0, 0);
      progress = true;
    } else if (r < 0 && errno != EINTR) {
      return; // not ours any more
    }
    if (!progress) {
      struct timespec ts = {0, 100 * 1000};
      nanosleep(&ts, nullptr);
    }
  }
}

} // namespace ntrace
