// The userspace engine driven through the ntrace ABI from C++, with no JavaScript: the same
// steps and breakpoint hits as run.ts, through the same Tracer (commands run in Write(),
// statuses come on SIGCHLD, taken here with sigwaitinfo), so the engine's own cost shows beside
// the binding's.
//   abi-client TARGET TICK_ADDR STEPS HITS
// Prints "steps_per_sec hits_per_sec step_cpu_us hit_cpu_us" (CPU: this process, every
// thread, per operation).
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "tracer.h"

namespace {

ntrace::Tracer *g_tracer = nullptr;
uint64_t g_seq = 1;
std::vector<uint8_t> g_out; // records taken from the engine, not read yet
size_t g_off = 0;
sigset_t g_chld;

double Now() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

double Cpu() {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
         (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

[[noreturn]] void Die(const char *what, int err) {
  fprintf(stderr, "%s: %s\n", what, strerror(err));
  exit(1);
}

// Sends one command (the channel's job: the engine runs it inside Write).
uint64_t Send(uint16_t type, const void *body, size_t blen) {
  std::vector<uint8_t> rec(NTRACE_RECORD_ALIGN(sizeof(ntrace_hdr) + blen), 0);
  ntrace_hdr h = {static_cast<uint32_t>(rec.size()), type, 0, g_seq++};
  memcpy(rec.data(), &h, sizeof h);
  memcpy(rec.data() + sizeof h, body, blen);
  g_tracer->Write(rec.data(), rec.size());
  g_tracer->TakeOutput(&g_out);
  return h.seq;
}

// Reads records until the reply to seq (returned) and, when want_stop, a STOP (*stop); when
// none is left, sleeps until SIGCHLD and lets the engine take the statuses.
ntrace_reply Await(uint64_t seq, bool want_stop, ntrace_ev_stop *stop) {
  ntrace_reply rep;
  bool got_reply = false, got_stop = !want_stop;
  while (!got_reply || !got_stop) {
    if (g_off == g_out.size()) {
      g_out.clear();
      g_off = 0;
      siginfo_t si;
      if (sigwaitinfo(&g_chld, &si) < 0 && errno != EINTR) Die("sigwaitinfo", errno);
      g_tracer->Poll();
      g_tracer->TakeOutput(&g_out);
      continue;
    }
    const uint8_t *r = g_out.data() + g_off;
    ntrace_hdr h;
    memcpy(&h, r, sizeof h);
    g_off += h.len;
    if (h.type == NTRACE_REPLY && h.seq == seq) {
      memcpy(&rep, r, sizeof rep);
      got_reply = true;
    } else if (h.type == NTRACE_EV_STOP) {
      memcpy(stop, r, sizeof *stop);
      got_stop = true;
    }
  }
  if (rep.error != 0) Die("command", -rep.error);
  return rep;
}

void Resume(const ntrace_ev_stop &at, uint32_t mode, ntrace_ev_stop *stop) {
  struct {
    uint64_t handle, stop_id;
    uint32_t mode;
    int32_t sig;
    uint64_t start, end;
  } c = {at.thread.handle, at.stop_id, mode, 0, 0, 0};
  Await(Send(NTRACE_CMD_RESUME, &c, sizeof c), true, stop);
}

void Bp(uint16_t type, int pid, uint64_t addr) {
  struct {
    int32_t pid;
    uint32_t kind;
    uint64_t addr;
    uint32_t len, cond_len;
  } c = {pid, NTRACE_BP_SW, addr, 1, 0};
  Await(Send(type, &c, sizeof c), false, nullptr);
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s TARGET TICK_ADDR STEPS HITS\n", argv[0]);
    return 2;
  }
  uint64_t tick = strtoull(argv[2], nullptr, 0);
  long steps = atol(argv[3]), hits = atol(argv[4]);
  // SIGCHLD blocked: it stays pending for sigwaitinfo instead of running a handler.
  sigemptyset(&g_chld);
  sigaddset(&g_chld, SIGCHLD);
  if (sigprocmask(SIG_BLOCK, &g_chld, nullptr) < 0) Die("sigprocmask", errno);
  g_tracer = new ntrace::Tracer();

  struct {
    uint32_t abi_min, abi_max;
    uint64_t features;
  } hello = {NTRACE_ABI_VERSION, NTRACE_ABI_VERSION, 0};
  Await(Send(NTRACE_CMD_HELLO, &hello, sizeof hello), false, nullptr);

  std::string strings = std::string(argv[1]) + '\0' + '\0' + argv[1] + '\0';
  std::vector<uint8_t> launch(16 + strings.size(), 0);
  uint32_t lf[4] = {0, 1, 0, static_cast<uint32_t>(strings.size())};
  memcpy(launch.data(), lf, sizeof lf);
  memcpy(launch.data() + 16, strings.data(), strings.size());
  ntrace_ev_stop stop;
  Await(Send(NTRACE_CMD_LAUNCH, launch.data(), launch.size()), true, &stop);
  int pid = stop.thread.tgid;

  // Run into tick() once, like the other two.
  Bp(NTRACE_CMD_SET_BP, pid, tick);
  Resume(stop, NTRACE_RESUME_CONT, &stop);
  Bp(NTRACE_CMD_CLEAR_BP, pid, tick);

  double t0 = Now(), c0 = Cpu();
  for (long i = 0; i < steps; i++)
    Resume(stop, NTRACE_RESUME_STEP, &stop);
  double t1 = Now(), c1 = Cpu();
  Bp(NTRACE_CMD_SET_BP, pid, tick);
  for (long i = 0; i < hits; i++) {
    Resume(stop, NTRACE_RESUME_CONT, &stop);
    if (stop.reason != NTRACE_STOP_BREAKPOINT) Die("unexpected stop", EPROTO);
  }
  double t2 = Now(), c2 = Cpu();
  printf("%.0f %.0f %.2f %.2f\n", steps / (t1 - t0), hits / (t2 - t1), (c1 - c0) * 1e6 / steps,
         (c2 - c1) * 1e6 / hits);
  delete g_tracer; // the session ends: the launched target is killed
  return 0;
}
