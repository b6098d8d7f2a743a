// The benchmark's debuggee: calls tick() forever (single steps and breakpoint hits land here).
volatile unsigned long counter;

__attribute__((noinline)) void tick(void) {
  counter++;
}

int main(void) {
  for (;;)
    tick();
}
