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

#include <ctime>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>

namespace ntrace {

namespace {

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
    sa.sa_flags = 0; // no SA_RESTART: the wait must return EINTR
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
  rx_.resize(kMaxRecord);
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
    if (sigsetjmp(jump, 1) != 0) {
      // Woken out of the wait: fall through and look at the socket and the children again.
    }
    t_armed = 0;
    if (quit_.load() || peer_gone_) return;
    if (!DrainCommands()) return;
    DrainWaits();
    Flush();
    if (quit_.load() || peer_gone_) return;
    t_armed = 1;
    // Armed from here: a wake signal jumps back to the top instead of being slept through.
    struct pollfd pfd = {fd_, POLLIN, 0};
    if (quit_.load() || poll(&pfd, 1, 0) > 0) {
      t_armed = 0;
      continue;
    }
    if (HasTracees()) {
      siginfo_t si;
      int r = waitid(P_ALL, 0, &si, WEXITED | WSTOPPED | WNOWAIT | __WALL | __WNOTHREAD);
      t_armed = 0;
      if (r < 0 && errno == ECHILD) {
        t_armed = 1;
        poll(&pfd, 1, -1);
        t_armed = 0;
      }
    } else {
      poll(&pfd, 1, -1);
      t_armed = 0;
    }
  }
}

bool Tracer::DrainCommands() {
  for (int n = 0; n < 64; n++) {
    struct iovec iov = {rx_.data(), rx_.size()};
    struct msghdr mh;
    memset(&mh, 0, sizeof mh);
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    ssize_t r = recvmsg(fd_, &mh, MSG_DONTWAIT);
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
    if (mh.msg_flags & MSG_TRUNC) {
      Reply(0, 0, -EMSGSIZE);
      continue;
    }
    HandleMessage(rx_.data(), static_cast<size_t>(r));
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

void Tracer::Emit(const void *rec, size_t len) {
  if (peer_gone_) return;
  const uint8_t *p = static_cast<const uint8_t *>(rec);
  if (in_command_) {
    after_reply_.emplace_back(p, p + len);
    return;
  }
  outq_.emplace_back(p, p + len);
}

// Sends the queued records, several per syscall (one SEQPACKET message each).
void Tracer::Flush() {
  size_t i = 0;
  while (i < outq_.size() && !peer_gone_) {
    struct mmsghdr msgs[64];
    struct iovec iovs[64];
    unsigned n = 0;
    for (; n < 64 && i + n < outq_.size(); n++) {
      iovs[n].iov_base = outq_[i + n].data();
      iovs[n].iov_len = outq_[i + n].size();
      memset(&msgs[n], 0, sizeof msgs[n]);
      msgs[n].msg_hdr.msg_iov = &iovs[n];
      msgs[n].msg_hdr.msg_iovlen = 1;
    }
    int r = sendmmsg(fd_, msgs, n, MSG_NOSIGNAL);
    if (r < 0) {
      // A full socket nobody reads any more (the process is exiting): give up on quit.
      if (errno == EINTR && !quit_.load()) continue;
      peer_gone_ = true;
      break;
    }
    i += static_cast<size_t>(r);
  }
  outq_.clear();
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
  ev.hdr.seq = ++ev_seq_;
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
  ev.hdr.seq = ++ev_seq_;
  ev.pid = pid;
  ev.reason = reason;
  Emit(&ev, sizeof ev);
}

} // namespace ntrace
