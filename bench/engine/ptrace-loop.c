// Baseline: the same work as the engine benchmark done by a bare ptrace loop in C.
//   ptrace-loop TARGET TICK_ADDR STEPS HITS
// Prints "steps_per_sec hits_per_sec step_cpu_us hit_cpu_us": rates by the wall clock, and this
// tracer's own CPU time (user + system, getrusage) per step and per hit. A breakpoint hit is:
// continue, wait, read regs, rewind the pc, put the original byte back, single-step, wait, put the
// int3 back (what an engine does).
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
         (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static void die(const char *what) {
  perror(what);
  exit(1);
}

static void wait_stop(pid_t pid) {
  int st;
  if (waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st)) die("waitpid");
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s TARGET TICK_ADDR STEPS HITS\n", argv[0]);
    return 2;
  }
  unsigned long tick = strtoul(argv[2], NULL, 0);
  long steps = atol(argv[3]), hits = atol(argv[4]);
  pid_t pid = fork();
  if (pid < 0) die("fork");
  if (pid == 0) {
    ptrace(PTRACE_TRACEME, 0, 0, 0);
    char *args[] = {argv[1], NULL};
    execv(argv[1], args);
    _exit(127);
  }
  wait_stop(pid); // SIGTRAP at exec
  ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_EXITKILL);
  // Run into tick() once so that both loops start from the same place.
  errno = 0;
  long orig = ptrace(PTRACE_PEEKTEXT, pid, tick, 0);
  if (errno) die("peek");
  long trap = (orig & ~0xffL) | 0xcc;
  if (ptrace(PTRACE_POKETEXT, pid, tick, trap) < 0) die("poke");
  struct user_regs_struct regs;
  ptrace(PTRACE_CONT, pid, 0, 0);
  wait_stop(pid);
  ptrace(PTRACE_GETREGS, pid, 0, &regs);
  regs.rip -= 1;
  ptrace(PTRACE_SETREGS, pid, 0, &regs);
  ptrace(PTRACE_POKETEXT, pid, tick, orig);

  double t0 = now(), c0 = cpu();
  for (long i = 0; i < steps; i++) {
    if (ptrace(PTRACE_SINGLESTEP, pid, 0, 0) < 0) die("step");
    wait_stop(pid);
  }
  double t1 = now(), c1 = cpu();
  ptrace(PTRACE_POKETEXT, pid, tick, trap);
  for (long i = 0; i < hits; i++) {
    ptrace(PTRACE_CONT, pid, 0, 0);
    wait_stop(pid);
    ptrace(PTRACE_GETREGS, pid, 0, &regs);
    regs.rip -= 1;
    ptrace(PTRACE_SETREGS, pid, 0, &regs);
    ptrace(PTRACE_POKETEXT, pid, tick, orig);
    ptrace(PTRACE_SINGLESTEP, pid, 0, 0);
    wait_stop(pid);
    ptrace(PTRACE_POKETEXT, pid, tick, trap);
  }
  double t2 = now(), c2 = cpu();
  printf("%.0f %.0f %.2f %.2f\n", steps / (t1 - t0), hits / (t2 - t1), (c1 - c0) * 1e6 / steps,
         (c2 - c1) * 1e6 / hits);
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
  return 0;
}
