// SPDX-License-Identifier: GPL-2.0-only
/*
 * gdb_target: the debuggee of the guest's end-to-end gdb session (gdb-e2e.sh). It waits for
 * the debugger to set `go`, calls work() three times and exits with counter + bonus, so the
 * exit code shows both the breakpoint run and gdb's memory write (bonus).
 */
#include <unistd.h>

volatile int go;
volatile int bonus;
int counter;

__attribute__((noinline)) int work(int x)
{
	counter += x;
	return counter;
}

int main(void)
{
	int i;

	while (!go)
		usleep(10000);
	for (i = 1; i <= 3; i++)
		work(i);
	return counter + bonus;
}
