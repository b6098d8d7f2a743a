// SPDX-License-Identifier: GPL-2.0-only
/*
 * gdb_target: the debuggee of the guest's end-to-end gdb sessions (gdb-e2e.sh). It waits for
 * the debugger to set `go`, calls work() three times and exits with counter + bonus, so the
 * exit code shows both the breakpoint run and gdb's memory write (bonus). With the argument
 * "fork": a fork child exits 7, then a vfork child exits 8; the exit code is 78. With
 * "threads": a second thread waits for `go` and makes the three calls while the main thread
 * waits in pthread_join; the exit code is counter + bonus as without it.
 */
#include <pthread.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

volatile int go;
volatile int bonus;
int counter;

__attribute__((noinline)) int work(int x)
{
	counter += x;
	return counter;
}

static int forks(void)
{
	int a = 0, b = 0;
	pid_t pid = fork();

	if (pid == 0)
		_exit(7);
	if (pid < 0 || waitpid(pid, &a, 0) != pid)
		return 90;
	pid = vfork();
	if (pid == 0)
		_exit(8);
	if (pid < 0 || waitpid(pid, &b, 0) != pid)
		return 91;
	return WEXITSTATUS(a) * 10 + WEXITSTATUS(b);
}

static void *worker(void *arg)
{
	int i;

	while (!go)
		usleep(10000);
	for (i = 1; i <= 3; i++)
		work(i);
	return arg;
}

int main(int argc, char **argv)
{
	pthread_t th;

	if (argc > 1 && !strcmp(argv[1], "threads")) {
		if (pthread_create(&th, NULL, worker, NULL) || pthread_join(th, NULL))
			return 92;
		return counter + bonus;
	}
	while (!go)
		usleep(10000);
	if (argc > 1 && !strcmp(argv[1], "fork"))
		return forks();
	worker(NULL);
	return counter + bonus;
}
