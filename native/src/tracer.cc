// The driver: commands run in the caller's Write(), wait statuses are taken in place after a
// single step or on SIGCHLD (Poll), and records wait in one buffer for TakeOutput(). No thread
// of its own: the thread that creates the Tracer makes every ptrace call (README, "Threading").
#include "tracer.h"

#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace ntrace {

namespace {

// How long a single step may take before the wait for it goes back to the event loop (its
// status then comes with SIGCHLD), and how long one Write() or Poll() may wait in place in all
// (a range step over a long loop returns to the event loop this often). README, "Threading",
// has the measurements behind them.
constexpr int64_t kShortWaitNs = 50 * 1000;
constexpr int64_t kSettleBudgetNs = 2 * 1000 * 1000;

int64_t Now() {
  return MonoNs();
}

// Live tracers, for the exit() path only: process.exit() does not run env cleanup hooks, and
// the sessions must still end properly (breakpoints out, launched killed, attached detached).
// Only the thread that owns a tracer may end it (ptrace requests come from the tracer thread).
std::mutex g_live_mu;
std::map<Tracer *, pid_t> *g_live = nullptr;
std::once_flag g_atexit_once;

pid_t Gettid() {
  return static_cast<pid_t>(syscall(SYS_gettid));
}

void CloseAllAtExit() {
  std::vector<Tracer *> mine;
  {
    std::lock_guard<std::mutex> lock(g_live_mu);
    if (g_live == nullptr) return;
    pid_t self = Gettid();
    for (auto &kv : *g_live)
      if (kv.second == self) mine.push_back(kv.first);
  }
  for (Tracer *t : mine)
    t->Close();
}

// How many live tracers the process has, on any thread.
size_t LiveTracers() {
  std::lock_guard<std::mutex> lock(g_live_mu);
  return g_live == nullptr ? 0 : g_live->size();
}

// How many live tracers the calling thread owns.
size_t TracersOfThisThread() {
  std::lock_guard<std::mutex> lock(g_live_mu);
  size_t n = 0;
  pid_t self = Gettid();
  if (g_live != nullptr)
    for (auto &kv : *g_live)
      n += kv.second == self;
  return n;
}

void Register(Tracer *t, bool add) {
  std::call_once(g_atexit_once, [] { atexit(CloseAllAtExit); });
  std::lock_guard<std::mutex> lock(g_live_mu);
  if (g_live == nullptr) g_live = new std::map<Tracer *, pid_t>();
  if (add)
    (*g_live)[t] = Gettid();
  else
    g_live->erase(t);
}

void ProbeXstate(uint32_t *size, uint64_t *xcr0) {
  unsigned a, b, c, d;
  *size = 0;
  *xcr0 = 0;
  if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_OSXSAVE)) return;
  uint32_t lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  *xcr0 = (static_cast<uint64_t>(hi) << 32) | lo;
  __cpuid_count(0xd, 0, a, b, c, d);
  *size = b; // bytes needed for the features enabled in XCR0
}

// The Tgid and TracerPid of /proc/TID/status; false when it is gone.
bool TaskOwner(pid_t tid, pid_t *tgid, pid_t *tracer) {
  char path[64], buf[2048];
  snprintf(path, sizeof path, "/proc/%d/status", tid);
  if (!ReadProcText(path, buf, sizeof buf)) return false;
  const char *g = strstr(buf, "\nTgid:");
  const char *t = strstr(buf, "\nTracerPid:");
  if (g == nullptr || t == nullptr) return false;
  *tgid = static_cast<pid_t>(atoi(g + 6));
  *tracer = static_cast<pid_t>(atoi(t + 11));
  return true;
}

} // namespace

SysCounts &Counts() {
  static thread_local SysCounts counts;
  return counts;
}

int64_t MonoNs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

int64_t ProcCpuNs(pid_t pid) {
  // MAKE_PROCESS_CPUCLOCK(pid, CPUCLOCK_SCHED) of the kernel's posix-timers.h, what
  // clock_getcpuclockid() returns without the clock_getres() it checks the pid with.
  clockid_t id = static_cast<clockid_t>((~static_cast<unsigned>(pid)) << 3 | 2);
  struct timespec ts;
  if (clock_gettime(id, &ts) < 0) return -1;
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

bool ReadProcText(const char *path, char *buf, size_t size) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  ssize_t n;
  do
    n = read(fd, buf, size - 1);
  while (n < 0 && errno == EINTR);
  close(fd);
  if (n <= 0) return false;
  buf[n] = 0;
  return true;
}

Tracer::Tracer() {
  const char *dbg = getenv("NTRACE_DEBUG");
  debug_ = dbg != nullptr && dbg[0] == '1';
  ProbeXstate(&xstate_size_, &xcr0_);
  tid_.store(Gettid());
  Register(this, true);
}

Tracer::~Tracer() {
  Close();
  Register(this, false);
}

void Tracer::Close() {
  if (peer_gone_) return;
  // Statuses not taken yet first (a thread may have hit a breakpoint since the last SIGCHLD
  // was handled): the usual handling puts its pc back before it is detached.
  DrainWaits();
  Teardown();
  peer_gone_ = true;
  out_.clear();
  after_reply_.clear();
  short_.clear();
  LoudStops();
}

void Tracer::Write(const uint8_t *buf, size_t len) {
  if (peer_gone_) return;
  HandleMessage(buf, len);
  DispatchLate();
  if (!short_.empty()) Settle(false);
  DispatchLate();
  LoudStops();
}

void Tracer::Poll() {
  if (debug_) fprintf(stderr, "[ntrace %d] poll\n", tid_.load());
  if (!peer_gone_) Settle(true);
  DispatchLate();
  LoudStops();
}

// A single step's stop is taken in place (WaitShort), so the SIGCHLD the kernel sends for it
// would only run libuv's handler and wake the event loop for a Poll that finds nothing: about
// 5 us of a step's CPU (native/README.md). Before a step starts, SIGCHLD's action gets
// SA_NOCLDSTOP, which makes the kernel send no SIGCHLD for any ptrace-stop or job-control stop
// of the process's children (exits still signal); LoudStops puts the action back when the
// Write or Poll ends. SIG_IGN is left alone (it reaps children; never the case under libuv).
void Tracer::QuietStops() {
  if (quiet_) return;
  if (!loud_known_) {
    Counts().sigaction++;
    if (sigaction(SIGCHLD, nullptr, &loud_) < 0) return;
    loud_.sa_flags &= ~SA_NOCLDSTOP; // another engine of the process may be in its window
    loud_known_ = true;
  }
  if (!(loud_.sa_flags & SA_SIGINFO) && loud_.sa_handler == SIG_IGN) return;
  struct sigaction quiet = loud_, old;
  quiet.sa_flags |= SA_NOCLDSTOP;
  Counts().sigaction++;
  if (sigaction(SIGCHLD, &quiet, &old) < 0) return;
  quiet_ = true;
  if (old.sa_handler != loud_.sa_handler) {
    // The handler changed since it was read (libuv's last SIGCHLD watcher went and came):
    // keep the new one.
    loud_ = old;
    loud_.sa_flags &= ~SA_NOCLDSTOP;
    quiet = loud_;
    quiet.sa_flags |= SA_NOCLDSTOP;
    Counts().sigaction++;
    if (sigaction(SIGCHLD, &quiet, nullptr) < 0) LoudStops();
  }
}

// Puts SIGCHLD's action back (always without SA_NOCLDSTOP, whatever was read, so two engines
// of one process whose windows overlap cannot leave it set), then looks once, consuming
// nothing, for a stopped child of any thread of the process: a stop in the window sent no
// signal, so one is raised for it. Its owner (this engine's Poll, another engine's, node's)
// takes it as usual; a stop that was already there costs one spurious SIGCHLD, as before.
// The look is skipped when no stop that matters can have been silenced: this is the process's
// only engine and every thread it knows is in a stop it took (AllKnownStopped). A job-control
// stop of one of node's own children is waited for by nobody (libuv waits without WUNTRACED).
void Tracer::LoudStops() {
  if (!quiet_) return;
  quiet_ = false;
  Counts().sigaction++;
  if (sigaction(SIGCHLD, &loud_, nullptr) < 0) {
    fprintf(stderr, "[ntrace] cannot restore SIGCHLD's action: %s\n", strerror(errno));
    return;
  }
  if (AllKnownStopped() && LiveTracers() == 1) return;
  siginfo_t si;
  si.si_pid = 0;
  int r;
  do
    r = waitid(P_ALL, 0, &si, WSTOPPED | WNOHANG | WNOWAIT | __WALL);
  while (r < 0 && errno == EINTR);
  if (r == 0 && si.si_pid != 0) kill(getpid(), SIGCHLD);
}

// Waits in place for the single steps started (WaitShort), and takes every other status that
// is there (DrainWaits), until neither finds more or the budget is spent. After a SIGCHLD
// (`signalled`) the statuses are looked for at least once, whatever the tables say.
void Tracer::Settle(bool signalled) {
  int64_t budget_end = Now() + kSettleBudgetNs;
  for (int pass = 0; pass < 256 && !peer_gone_; pass++) {
    bool done = WaitShort(budget_end);
    if (!done || (signalled && pass == 0) || !AllKnownStopped()) DrainWaits();
    if (!done || short_.empty() || Now() >= budget_end) break;
  }
  short_.clear(); // still running: their statuses come with SIGCHLD
}

// A thread whose next stop is due within microseconds: single-stepping (a step, a range step,
// the step over a breakpoint), just created (its first stop), or continued when its continues
// end that soon (KResume). Entries of short_ that no
// longer are (their status was taken elsewhere) are dropped.
bool Tracer::ShortPending(pid_t tid) {
  Thread *t = FindTid(tid);
  return t != nullptr && !t->kstopped &&
         (t->is_new || t->step_over != 0 || t->mode == Mode::Step || t->mode == Mode::RangeStep ||
          t->cont_wait);
}

// Polls (WNOHANG) the threads whose stop is due (ShortPending) and dispatches their statuses,
// which may single-step them again (range steps, step-overs). A step usually ends within
// microseconds; sched_yield() between polls lets the tracee run when it was queued on this
// CPU. Gives up after kShortWaitNs without a status (a step into a blocking system call), or
// at budget_end. Returns true when no short resume is left.
bool Tracer::WaitShort(int64_t budget_end) {
  int64_t give_up = 0;
  bool looked_late = false;
  std::vector<pid_t> now;
  for (;;) {
    now.clear();
    now.swap(short_);
    for (pid_t tid : now)
      if (ShortPending(tid) && std::find(short_.begin(), short_.end(), tid) == short_.end())
        short_.push_back(tid);
    if (short_.empty()) return true;
    int64_t t = Now();
    if (give_up == 0) give_up = t + kShortWaitNs;
    // Past the deadline the statuses are still looked at once: the sched_yield() before may
    // have handed the CPU to another process for milliseconds under load, long after the
    // tracee stopped, and that stop is better taken here than through SIGCHLD.
    // Once only: a range step whose steps keep ending would keep it going past the budget.
    bool late = t >= give_up || t >= budget_end;
    if (late && looked_late) {
      NoteSleepers();
      return false;
    }
    looked_late = late;
    now.clear();
    now.swap(short_);
    bool progress = false;
    for (size_t i = 0; i < now.size(); i++) {
      pid_t tid = now[i];
      int status;
      pid_t r = waitpid(tid, &status, WNOHANG | __WALL);
      if (r < 0 && errno == EINTR) r = 0;
      if (r == 0) {
        short_.push_back(tid); // still running (Dispatch may add others meanwhile)
        continue;
      }
      if (r != tid) continue; // gone (ECHILD)
      progress = true;
      if (Thread *th = FindTid(tid)) th->cont_slept = false; // its continue ran to a stop
      batch_.clear();
      TakeStatus(tid, status);
      for (auto &e : batch_)
        Dispatch(e.first, e.second);
      batch_.clear();
      if (peer_gone_) return true;
    }
    if (late) {
      if (progress) continue; // looked at once more above, then given up
      NoteSleepers();
      return false;
    }
    if (progress) {
      give_up = Now() + kShortWaitNs;
    } else if (!short_.empty()) {
      sched_yield();
    }
  }
}

// The in-place wait gives up: a continued thread that sleeps (a blocking system call, not a
// wait for a CPU) leaves the in-place mode whatever CPU time its continue takes (cont_slept).
// One read of /proc/TID/stat per give-up of such a thread.
void Tracer::NoteSleepers() {
  for (pid_t tid : short_) {
    Thread *th = FindTid(tid);
    if (th == nullptr || !th->cont_wait || th->kstopped) continue;
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/task/%d/stat", th->proc->pid, tid);
    if (!ReadProcText(path, buf, sizeof buf)) continue;
    const char *rp = strrchr(buf, ')');
    if (rp != nullptr && rp[1] != 0 && (rp[2] == 'S' || rp[2] == 'D')) th->cont_slept = true;
  }
}

// True when every thread we know is in a ptrace-stop we took, and nothing else is owed a wait:
// no status of ours can be pending then (a thread cloned since would have stopped its creator
// first), but for an outside SIGKILL, whose SIGCHLD brings a Poll. Saves the peek after a step
// of a single-threaded program. Only looked at for a few threads (it is a walk of them all).
bool Tracer::AllKnownStopped() const {
  if (threads_.size() > 8 || !graveyard_.empty()) return false;
  for (auto &kv : threads_)
    if (!kv.second->kstopped) return false;
  return true;
}

// Takes every wait status of ours that is pending now, then dispatches them: threads that
// were stepping first (in all-stop the client expects its step to be the one reported, as
// gdbserver's select_event_lwp prefers it), the others in random order, so that a thread with
// frequent events cannot always be the one reported and starve the rest.
void Tracer::DrainWaits() {
  batch_.clear();
  if (!Collect(false)) Collect(true);
  if (batch_.empty()) return;
  OrderBatch();
  std::vector<std::pair<pid_t, int>> b;
  b.swap(batch_);
  for (auto &e : b) {
    Dispatch(e.first, e.second);
    if (peer_gone_) return;
  }
}

// Moves pending statuses into batch_. Never waits on "any child": node's own children (its
// child_process, another engine's tracees) are not ours to reap. Without `scan`, asks the
// kernel which child has a status (waitid P_ALL with WNOWAIT, which consumes nothing) and
// takes it when ours: one call when nothing is pending, however many threads we trace.
// Returns false when a status that is not ours hides the rest; then `scan` polls each of our
// tids in turn.
bool Tracer::Collect(bool scan) {
  if (scan) {
    std::vector<pid_t> tids;
    tids.reserve(threads_.size() + graveyard_.size());
    for (auto &kv : threads_)
      tids.push_back(kv.first);
    for (pid_t g : graveyard_)
      tids.push_back(g);
    for (pid_t tid : tids) {
      int status;
      pid_t r;
      do
        r = waitpid(tid, &status, WNOHANG | __WALL);
      while (r < 0 && errno == EINTR);
      if (r == tid)
        TakeStatus(tid, status);
      else if (r < 0 && graveyard_.count(tid))
        graveyard_.erase(tid); // reaped or no longer ours
    }
    return true;
  }
  if (procs_.empty() && graveyard_.empty()) return true;
  for (int i = 0; i < 65536; i++) {
    siginfo_t si;
    memset(&si, 0, sizeof si);
    // Ptrace-stops of our tracees are reported without WSTOPPED; leaving it out also keeps
    // job-control stops of node's own children from hiding ours.
    int r = waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT | __WALL | __WNOTHREAD);
    if (r < 0 && errno == EINTR) continue;
    if (debug_) fprintf(stderr, "[ntrace %d] peek r=%d pid=%d\n", tid_.load(), r, si.si_pid);
    if (r < 0 || si.si_pid == 0) return true; // ECHILD, or nothing pending
    pid_t pid = si.si_pid;
    if (!Ours(pid, si.si_code == CLD_TRAPPED)) return false;
    int status;
    pid_t w;
    do
      w = waitpid(pid, &status, WNOHANG | __WALL);
    while (w < 0 && errno == EINTR);
    if (w != pid) return false;
    TakeStatus(pid, status);
  }
  return true;
}

// A tid we trace, or one whose exit we owe a wait: known, buried, or a thread of one of our
// processes that we have not heard of yet (its creator's clone event is still to come, or the
// process was killed before it came). A ptrace-stop (`trapped`) seen by this thread's wait is
// of a tracee of this thread: ours when no other tracer lives on it. Otherwise /proc says.
bool Tracer::Ours(pid_t tid, bool trapped) {
  if (threads_.count(tid) != 0 || graveyard_.count(tid) != 0) return true;
  if (trapped && TracersOfThisThread() == 1) return true;
  pid_t tgid = 0, tracer = 0;
  return TaskOwner(tid, &tgid, &tracer) && tracer == tid_.load() && procs_.count(tgid) != 0;
}

void Tracer::TakeStatus(pid_t tid, int status) {
  if (graveyard_.count(tid) != 0 && threads_.count(tid) == 0) {
    if (WIFSTOPPED(status))
      Ptrace(PTRACE_CONT, tid, 0, 0); // a dying thread's exit stop: let it finish
    else
      graveyard_.erase(tid);
    return;
  }
  batch_.emplace_back(tid, status);
}

void Tracer::OrderBatch() {
  size_t first = 0;
  for (size_t i = 0; i < batch_.size(); i++) {
    Thread *t = FindTid(batch_[i].first);
    if (t != nullptr && (t->mode == Mode::Step || t->mode == Mode::RangeStep))
      std::swap(batch_[i], batch_[first++]);
  }
  for (size_t i = batch_.size(); i > first + 1; i--) {
    rng_ ^= rng_ << 13; // xorshift64
    rng_ ^= rng_ >> 7;
    rng_ ^= rng_ << 17;
    size_t j = first + static_cast<size_t>(rng_ % (i - first));
    std::swap(batch_[i - 1], batch_[j]);
  }
}

void Tracer::TakeOutput(std::vector<uint8_t> *out) {
  // Losses with no report after them yet: announced now that the backlog is taken.
  if (lost_count_ != 0 && !peer_gone_) EmitLost();
  if (out->empty())
    out->swap(out_);
  else
    out->insert(out->end(), out_.begin(), out_.end());
  out_.clear();
  report_bytes_ = 0;
}

// Reports that may be dropped when the client does not keep up: the per-thread notices and
// breakpoint command output. STOP records and replies are never dropped (each thread has one
// stop slot and each command one reply, so they are bounded by threads and by commands);
// process exits and detaches are bounded by processes and kept too.
static bool Droppable(uint16_t type) {
  return type == NTRACE_EV_THREAD_NEW || type == NTRACE_EV_THREAD_EXIT || type == NTRACE_EV_OUTPUT;
}

void Tracer::Emit(const void *rec, size_t len) {
  if (peer_gone_) return;
  const uint8_t *p = static_cast<const uint8_t *>(rec);
  if (in_command_) {
    after_reply_.emplace_back(p, p + len);
    return;
  }
  ntrace_hdr h;
  memcpy(&h, p, sizeof h);
  bool report = Droppable(h.type);
  if (report && report_bytes_ + len > kReportQueueBytes) {
    uint64_t seq = ++ev_seq_; // a dropped report still takes its number: the gap shows it
    if (lost_count_++ == 0) lost_first_ = seq;
    return;
  }
  // Say what was lost before numbering anything else, so a LOST record's range (first_seq,
  // count) is contiguous: a stop numbered among the drops would otherwise fall inside it.
  if (h.type != NTRACE_REPLY && lost_count_ != 0) EmitLost();
  if (h.type != NTRACE_REPLY) h.seq = ++ev_seq_; // numbered in sending order
  size_t at = out_.size();
  out_.insert(out_.end(), p, p + len);
  memcpy(out_.data() + at, &h, sizeof h);
  if (report) report_bytes_ += len;
}

void Tracer::EmitLost() {
  ntrace_ev_lost ev;
  memset(&ev, 0, sizeof ev);
  ev.hdr.len = sizeof ev;
  ev.hdr.type = NTRACE_EV_LOST;
  ev.hdr.seq = ++ev_seq_;
  ev.count = lost_count_;
  ev.first_seq = lost_first_;
  lost_count_ = 0;
  const uint8_t *p = reinterpret_cast<const uint8_t *>(&ev);
  out_.insert(out_.end(), p, p + sizeof ev);
}

void Tracer::EmitVec(std::vector<uint8_t> rec) {
  Emit(rec.data(), rec.size());
}

void Tracer::Reply(uint64_t seq, uint32_t cmd, int err, const void *a, size_t alen, const void *b,
                   size_t blen) {
  size_t len = NTRACE_RECORD_ALIGN(sizeof(ntrace_reply) + alen + blen);
  std::vector<uint8_t> out(len, 0);
  ntrace_reply r;
  memset(&r, 0, sizeof r);
  r.hdr.len = static_cast<uint32_t>(len);
  r.hdr.type = NTRACE_REPLY;
  r.hdr.seq = seq;
  r.error = err;
  r.cmd_type = cmd;
  memcpy(out.data(), &r, sizeof r);
  if (alen) memcpy(out.data() + sizeof r, a, alen);
  if (blen) memcpy(out.data() + sizeof r + alen, b, blen);
  bool saved = in_command_;
  in_command_ = false;
  Emit(out.data(), out.size());
  in_command_ = saved;
}

void Tracer::EmitThreadEvent(uint16_t type, const Thread &t, int64_t data) {
  ntrace_ev_thread ev;
  memset(&ev, 0, sizeof ev);
  ev.hdr.len = sizeof ev;
  ev.hdr.type = type;
  ev.thread.handle = t.handle;
  ev.thread.tgid = t.proc->pid;
  ev.thread.tid = t.tid;
  ev.data = data;
  Emit(&ev, sizeof ev);
}

void Tracer::EmitDetached(pid_t pid, uint32_t reason) {
  ntrace_ev_detached ev;
  memset(&ev, 0, sizeof ev);
  ev.hdr.len = sizeof ev;
  ev.hdr.type = NTRACE_EV_DETACHED;
  ev.pid = pid;
  ev.reason = reason;
  Emit(&ev, sizeof ev);
}

} // namespace ntrace
