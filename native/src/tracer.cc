// The tracer thread: its loop, its wake-up and the records it sends.
//
// Wake-up without a lost-wakeup window: the thread blocks in waitid(WNOWAIT) (or poll when it
// traces nothing) with a real-time signal unblocked whose handler has no SA_RESTART. The
// channel writes a command and then tgkill()s the thread. Between "socket checked empty" and
// "blocked in the wait" the handler siglongjmp()s back to the loop top when `armed` is set, so
// a signal that lands in that window is never slept through; WNOWAIT means jumping out of the
// wait cannot lose a status (a WNOHANG waitpid consumes them after).
#include "tracer.h"

#include <cpuid.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>

namespace ntrace {

namespace {

// How long the thread sleeps in poll() while every tracee is stopped before it looks for a
// status an outside SIGKILL may have caused (see Block()).
constexpr int kStoppedPollMs = 50;

// Per tracer thread. Touched by the thread before it arms, so the handler's TLS access never
// allocates.
thread_local sigjmp_buf *t_jump = nullptr;
thread_local volatile sig_atomic_t t_armed = 0;

void OnWake(int) {
  if (t_armed && t_jump != nullptr) {
    t_armed = 0;
    siglongjmp(*t_jump, 1);
  }
}

std::once_flag g_handler_once;

// Live tracers, for the exit() path only: process.exit() does not run env cleanup hooks, and
// the sessions must still end properly (breakpoints out, launched killed, attached detached).
std::mutex g_live_mu;
std::set<Tracer *> *g_live = nullptr;
std::once_flag g_atexit_once;

void JoinAllAtExit() {
  std::set<Tracer *> live;
  {
    std::lock_guard<std::mutex> lock(g_live_mu);
    if (g_live != nullptr) live = *g_live;
  }
  for (Tracer *t : live)
    t->Join();
}

void Register(Tracer *t, bool add) {
  std::call_once(g_atexit_once, [] { atexit(JoinAllAtExit); });
  std::lock_guard<std::mutex> lock(g_live_mu);
  if (g_live == nullptr) g_live = new std::set<Tracer *>();
  if (add)
    g_live->insert(t);
  else
    g_live->erase(t);
}

void InstallHandler() {
  std::call_once(g_handler_once, [] {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = OnWake;
    sigemptyset(&sa.sa_mask);
    // No SA_RESTART: the wait must return EINTR. SA_NODEFER: the handler leaves the mask alone,
    // so siglongjmp needs no sigprocmask to restore it.
    sa.sa_flags = SA_NODEFER;
    sigaction(Tracer::WakeSignal(), &sa, nullptr);
  });
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

} // namespace

int Tracer::WakeSignal() {
  return SIGRTMIN + 6;
}

Tracer::Tracer(int fd) : fd_(fd) {
  InstallHandler();
  const char *dbg = getenv("NTRACE_DEBUG");
  debug_ = dbg != nullptr && dbg[0] == '1';
  ProbeXstate(&xstate_size_, &xcr0_);
  rx_.resize(kRxSlots * kMaxRecord);
  thread_ = std::thread([this] { Run(); });
  Register(this, true);
}

Tracer::~Tracer() {
  Join();
  Register(this, false);
}

void Tracer::Wake() {
  pid_t tid = tid_.load();
  if (tid > 0) syscall(SYS_tgkill, getpid(), tid, WakeSignal());
}

void Tracer::Join() {
  std::lock_guard<std::mutex> lock(join_mu_);
  if (!thread_.joinable()) return;
  quit_.store(true);
  // The thread may not have published its tid yet; it checks quit_ before every wait.
  while (tid_.load() == 0 && thread_.joinable())
    std::this_thread::yield();
  Wake();
  thread_.join();
}

void Tracer::Run() {
  sigset_t all;
  sigfillset(&all);
  sigdelset(&all, WakeSignal());
  pthread_sigmask(SIG_SETMASK, &all, nullptr);
  t_armed = 0;
  t_jump = nullptr;
  pthread_setname_np(pthread_self(), "ntrace-tracer"); // for top, perf and the benchmark
  tid_.store(static_cast<pid_t>(syscall(SYS_gettid)));
  Loop();
  Teardown();
  close(fd_);
  fd_ = -1;
  tid_.store(-1);
}

void Tracer::Loop() {
  sigjmp_buf jump;
  t_jump = &jump;
  for (;;) {
    // No mask to save: the handler runs with SA_NODEFER, so jumping out of it leaves the mask
    // as it was and costs no sigprocmask.
    if (sigsetjmp(jump, 0) != 0) {
      // Woken out of the wait: fall through and look at the socket and the children again.
    }
    t_armed = 0;
    waiting_.store(0);
    if (quit_.load() || peer_gone_) return;
    bool read = !skip_read_;
    skip_read_ = false;
    if (read && !DrainCommands()) return;
    DrainWaits();
    Flush();
    if (quit_.load() || peer_gone_) return;
    Block();
  }
}

bool Tracer::AllStopped() const {
  for (auto &kv : procs_)
    if (kv.second->pidfd < 0 || kv.second->killed) return false;
  for (auto &kv : threads_) {
    const Thread &t = *kv.second;
    if (!t.kstopped || t.exiting || t.is_new) return false;
  }
  return true;
}

// Hand-off. Two ways to block, chosen by what can happen next:
//
// - Every tracee is in a ptrace-stop we consumed (or there is none): nothing but a SIGKILL from
//   outside can make a wait status now. The thread blocks in poll() on the socket and the
//   pidfds, so a command written by the channel wakes it by readability alone, with no signal.
//   A pidfd reports the death of a single-threaded process that was past its exit stop, but
//   not the PTRACE_EVENT_EXIT stop a SIGKILL first causes (PTRACE_O_TRACEEXIT is always on),
//   nor the death of a process whose traced threads are unreaped zombies; so the poll also
//   ends after kStoppedPollMs and the loop looks (WNOHANG) for statuses. A status is never
//   lost, at worst seen that much later. After our own KILL the thread waits in waitid.
// - Some tracee runs: the thread must block in waitid(WNOWAIT), which a written command cannot
//   interrupt. It raises waiting_ first, then checks the socket once more, then waits. The
//   channel writes, then reads waiting_ and sends the wake signal only when it is set. Both
//   sides store first and load second (seq_cst, a Dekker handshake), so at least one sees the
//   other: either the final check finds the command, or the channel sees the flag and signals.
//   A signal that lands between the check and the wait finds t_armed set and jumps back to the
//   loop top, so it is never slept through; WNOWAIT means no status is consumed by the jump.
//
// With records the socket refused (a reader that does not read), kWaitSpace asks the channel
// to signal after it reads too, and poll() also waits for POLLOUT.
void Tracer::Block() {
  bool wait = HasTracees() && (must_wait_ || !AllStopped());
  bool backlog = !outq_.empty();
  bool accept = AcceptingCommands();
  short want = static_cast<short>((accept ? POLLIN : 0) | (backlog ? POLLOUT : 0));
  if (wait) {
    must_wait_ = false;
    waiting_.store(kWaitCmd | (backlog ? kWaitSpace : 0), std::memory_order_seq_cst);
    t_armed = 1;
    // Armed from here: a wake signal jumps back to the top instead of being slept through.
    struct pollfd pfd = {fd_, want, 0};
    if (quit_.load() || (want != 0 && poll(&pfd, 1, 0) > 0)) {
      t_armed = 0;
      return;
    }
    siginfo_t si;
    si.si_pid = 0;
    int r = waitid(P_ALL, 0, &si, WEXITED | WSTOPPED | WNOWAIT | __WALL | __WNOTHREAD);
    t_armed = 0;
    // Not set when the wake signal jumped out of the wait (to the loop top, which reads).
    skip_read_ = r == 0 && si.si_pid > 0;
    if (debug_) fprintf(stderr, "[ntrace %d] waitid r=%d pid=%d\n", tid_.load(), r, si.si_pid);
    if (r < 0 && errno == ECHILD) {
      // Nothing left to wait for (the tracees died and were reaped elsewhere): the socket.
      t_armed = 1;
      poll(&pfd, 1, -1);
      t_armed = 0;
    }
    return;
  }
  std::vector<struct pollfd> &pfds = pollfds_;
  pfds.clear();
  pfds.push_back({fd_, want, 0});
  for (auto &kv : procs_)
    pfds.push_back({kv.second->pidfd, POLLIN, 0});
  t_armed = 1;
  if (quit_.load()) {
    t_armed = 0;
    return;
  }
  int r = poll(pfds.data(), pfds.size(), procs_.empty() ? -1 : kStoppedPollMs);
  t_armed = 0;
  if (debug_)
    fprintf(stderr, "[ntrace %d] poll r=%d n=%zu rev0=%x rev1=%x\n", tid_.load(), r, pfds.size(),
            pfds[0].revents, pfds.size() > 1 ? pfds[1].revents : -2);
  if (r <= 0) return;
  for (size_t i = 1; i < pfds.size(); i++)
    if (pfds[i].revents != 0) must_wait_ = true;
}

void Tracer::WakeIfWaiting(bool after_read) {
  // Pairs with the store in Block(): the write (or read) on the socket happens before this
  // load, the thread's store happens before its final socket check.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  int w = waiting_.load(std::memory_order_seq_cst);
  if (w & (after_read ? kWaitSpace : kWaitCmd)) Wake();
}

// Reads and runs the queued commands, up to kRxSlots per recvmmsg: one call usually takes all
// of them and tells that there are no more, where recvmsg needs a second call for EAGAIN.
bool Tracer::DrainCommands() {
  for (int round = 0; round < 8 && AcceptingCommands(); round++) {
    struct mmsghdr msgs[kRxSlots];
    struct iovec iovs[kRxSlots];
    for (unsigned i = 0; i < kRxSlots; i++) {
      iovs[i].iov_base = rx_.data() + i * kMaxRecord;
      iovs[i].iov_len = kMaxRecord;
      memset(&msgs[i], 0, sizeof msgs[i]);
      msgs[i].msg_hdr.msg_iov = &iovs[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int r = recvmmsg(fd_, msgs, kRxSlots, MSG_DONTWAIT, nullptr);
    if (r < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
      peer_gone_ = true;
      return false;
    }
    if (r == 0) {
      peer_gone_ = true;
      return false;
    }
    for (int i = 0; i < r; i++) {
      if (msgs[i].msg_len == 0) {
        peer_gone_ = true; // EOF: the channel closed its end
        return false;
      }
      if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
        Reply(0, 0, -EMSGSIZE);
        continue;
      }
      HandleMessage(rx_.data() + i * kMaxRecord, msgs[i].msg_len);
      if (peer_gone_) return false;
    }
    if (r < static_cast<int>(kRxSlots)) return true;
  }
  return true;
}

int Tracer::DrainWaits() {
  // Bounded so a storm of silently resumed stops cannot starve the command socket.
  int n = 0;
  while (n < 512) {
    int status;
    pid_t tid = waitpid(-1, &status, WNOHANG | __WALL | __WNOTHREAD);
    if (tid < 0 && errno == EINTR) continue;
    if (tid <= 0) break;
    n++;
    Dispatch(tid, status);
    if (peer_gone_) break;
  }
  return n;
}

// Reports that may be dropped when the client does not keep up: the per-thread notices. STOP
// records and replies are never dropped (each thread has one stop slot and each command one
// reply, so they are bounded by threads and by commands read); process exits and detaches are
// bounded by processes and kept too.
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
  Out o;
  o.data.assign(p, p + len);
  memcpy(o.data.data(), &h, sizeof h);
  o.report = report;
  if (report) report_bytes_ += len;
  out_bytes_ += len;
  outq_.push_back(std::move(o));
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
  Out o;
  o.data.assign(reinterpret_cast<uint8_t *>(&ev), reinterpret_cast<uint8_t *>(&ev) + sizeof ev);
  out_bytes_ += sizeof ev;
  outq_.push_back(std::move(o));
}

// Sends queued records, several per syscall (one SEQPACKET message each), without ever
// blocking: what a full socket refuses stays queued, and Block() waits for room as well.
void Tracer::Flush() {
  for (int pass = 0; pass < 2; pass++) {
    while (!outq_.empty() && !peer_gone_) {
      struct mmsghdr msgs[64];
      struct iovec iovs[64];
      unsigned n = 0;
      for (; n < 64 && n < outq_.size(); n++) {
        iovs[n].iov_base = outq_[n].data.data();
        iovs[n].iov_len = outq_[n].data.size();
        memset(&msgs[n], 0, sizeof msgs[n]);
        msgs[n].msg_hdr.msg_iov = &iovs[n];
        msgs[n].msg_hdr.msg_iovlen = 1;
      }
      int r = sendmmsg(fd_, msgs, n, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (r < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) break;
        peer_gone_ = true; // EPIPE, ECONNRESET: nobody reads any more
        break;
      }
      for (int i = 0; i < r; i++) {
        out_bytes_ -= outq_.front().data.size();
        if (outq_.front().report) report_bytes_ -= outq_.front().data.size();
        outq_.pop_front();
      }
    }
    if (peer_gone_) {
      outq_.clear();
      out_bytes_ = report_bytes_ = 0;
      return;
    }
    // Losses with no report after them yet: announce them once the backlog has room again.
    if (lost_count_ == 0 || report_bytes_ > kReportQueueBytes / 2) return;
    EmitLost();
  }
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
