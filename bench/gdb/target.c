// The program every gdb benchmark runs. argv[1] selects the workload:
//   calls N   calls hit() N times (breakpoint hits)
//   watch N   writes `watched` N times (hardware watchpoint hits)
//   steps     a long straight loop for stepi
//   memory    touches a 64 MiB buffer and stops at ready() for `dump binary memory`
//   idle      returns at once (session latency)
#include <stdlib.h>
#include <string.h>

volatile long counter;
volatile long watched;
unsigned char *buffer;
size_t buffer_size = 64UL << 20;

__attribute__((noinline)) void hit(long i) {
  counter += i;
}
__attribute__((noinline)) void ready(void) {
  counter++;
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "idle";
  long n = argc > 2 ? atol(argv[2]) : 0;
  if (strcmp(mode, "calls") == 0) {
    for (long i = 0; i < n; i++)
      hit(i);
  } else if (strcmp(mode, "watch") == 0) {
    for (long i = 0; i < n; i++)
      watched = i;
  } else if (strcmp(mode, "steps") == 0) {
    ready();
    for (long i = 0; i < 100000000; i++)
      counter += i;
  } else if (strcmp(mode, "memory") == 0) {
    buffer = malloc(buffer_size);
    if (buffer == NULL) return 1;
    for (size_t i = 0; i < buffer_size; i++)
      buffer[i] = (unsigned char)i;
    ready();
  }
  return 0;
}
