// The least a ptrace tracer can do per false conditional hit: wait for the trap, read the
// registers, read the condition's variable, write the registers back (the pc rewind or the
// emulated instruction), continue. Prints hits per second.
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile long g;

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 200000;
  pid_t pid = fork();
  if (pid == 0) {
    ptrace(PTRACE_TRACEME, 0, 0, 0);
    raise(SIGSTOP);
    for (long i = 0; i < n; i++) {
      g = i;
      __asm__ volatile("int3");
    }
    _exit(0);
  }
  int st;
  if (waitpid(pid, &st, 0) < 0) return perror("waitpid"), 1;
  ptrace(PTRACE_CONT, pid, 0, 0);
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  long hits = 0;
  for (;;) {
    if (waitpid(pid, &st, 0) < 0) return perror("waitpid"), 1;
    if (WIFEXITED(st)) break;
    struct user_regs_struct r;
    if (ptrace(PTRACE_GETREGS, pid, 0, &r) < 0) return perror("GETREGS"), 1;
    long v;
    struct iovec l = {&v, sizeof v}, rm = {(void *)&g, sizeof v};
    if (process_vm_readv(pid, &l, 1, &rm, 1, 0) != sizeof v) return perror("readv"), 1;
    if (v == -1) return 1;
    if (ptrace(PTRACE_SETREGS, pid, 0, &r) < 0) return perror("SETREGS"), 1;
    if (ptrace(PTRACE_CONT, pid, 0, 0) < 0) return perror("CONT"), 1;
    hits++;
  }
  clock_gettime(CLOCK_MONOTONIC, &b);
  double s = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
  printf("%ld hits in %.3f s: %.0f hits/s, %.1f us per hit\n", hits, s, hits / s, s / hits * 1e6);
  return 0;
}
