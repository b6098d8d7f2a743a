// SPDX-License-Identifier: GPL-2.0-only
/*
 * ntrace_selftest: the abuse cases of a device any local user may open (issue 15). Each test
 * names the finding it covers. Races are widened with many threads or many rounds; the
 * unprivileged cases run as nobody in a child process, which reports a bitmask of failures.
 */
#include "selftest.h"

#include <sched.h>
#include <sys/mount.h>

/* Runs @fn as nobody (dumpable, as after a login) in a child; its exit status, 0 if passed. */
int as_nobody(int (*fn)(const char *), const char *arg)
{
	pid_t pid = fork();
	int st;

	if (!pid) {
		if (setgid(NOBODY) || setuid(NOBODY))
			_exit(250);
		prctl(PR_SET_DUMPABLE, 1);
		_exit(fn(arg));
	}
	st = reap(pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 256 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

struct pid_arg {
	pid_t pid;
};

/* The end of a session's control of a process: DETACHED or PROC_EXIT. */
static int match_end(const struct ntrace_hdr *h, const void *arg)
{
	pid_t pid = ((const struct pid_arg *)arg)->pid;

	if (h->type == NTRACE_EV_DETACHED)
		return ((const struct ntrace_ev_detached *)h)->pid == pid;
	if (h->type == NTRACE_EV_PROC_EXIT)
		return ((const struct ntrace_ev_proc_exit *)h)->thread.tgid == pid;
	return 0;
}

/* Spin for about @us microseconds (a delay sweep, not a measurement). */
static void spin_us(long us)
{
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	do
		clock_gettime(CLOCK_MONOTONIC, &b);
	while ((b.tv_sec - a.tv_sec) * 1000000L + (b.tv_nsec - a.tv_nsec) / 1000 < us);
}

/*
 * CPU hogs: with both CPUs busy, a kernel path that reaches a voluntary preemption point
 * (an allocation, a page lookup) is often scheduled out there, which widens whatever race
 * window contains it from microseconds to a time slice.
 */
#define HOGS 3
static pid_t hogs[HOGS];

static void start_hogs(void)
{
	for (int i = 0; i < HOGS; i++) {
		hogs[i] = fork();
		if (!hogs[i]) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			for (;;)
				__asm__ volatile("" ::: "memory");
		}
	}
}

static void stop_hogs(void)
{
	for (int i = 0; i < HOGS; i++) {
		if (hogs[i] > 0) {
			kill(hogs[i], SIGKILL);
			reap(hogs[i]);
		}
		hogs[i] = 0;
	}
}

static void *park_thread(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

/*
 * A child with @nthreads parked threads that execs @path @delay_us after it reads a byte
 * from @go: busybox true, or with @sleep busybox sleep 2 (an image that stays a while).
 */
static pid_t spawn_exec_kid_cmd(const char *path, int nthreads, long delay_us, int *ready,
				int *go, int sleep)
{
	int rp[2], gp[2];
	pid_t pid;
	char c;

	if (pipe(rp) || pipe(gp))
		return -1;
	pid = fork();
	if (!pid) {
		pthread_attr_t a;
		pthread_t th;

		close(rp[0]);
		close(gp[1]);
		pthread_attr_init(&a);
		pthread_attr_setstacksize(&a, 65536);
		for (int i = 0; i < nthreads; i++)
			if (pthread_create(&th, &a, park_thread, NULL))
				_exit(96);
		if (write(rp[1], "r", 1) != 1 || read(gp[0], &c, 1) != 1)
			_exit(98);
		spin_us(delay_us);
		if (sleep)
			execl(path, "busybox", "sleep", "2", (char *)NULL);
		else
			execl(path, "busybox", "true", (char *)NULL);
		_exit(97);
	}
	close(rp[1]);
	close(gp[0]);
	*ready = rp[0];
	*go = gp[1];
	return pid;
}

static pid_t spawn_exec_kid(const char *path, int nthreads, long delay_us, int *ready, int *go)
{
	return spawn_exec_kid_cmd(path, nthreads, delay_us, ready, go, 0);
}

/*
 * Finding: ATTACH races a setuid exec. The permission check must hold against an exec that
 * runs between it and the moment the threads are hashed (the exec hook cannot revoke a
 * process it does not know yet). CPU hogs preempt the attach between the two; the delay
 * sweep puts the check at every point of the exec.
 */
#define RACE_THREADS 0
#define RACE_ROUNDS 80

static long now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000L + t.tv_nsec / 1000;
}

static int attach_exec_race(const char *suid)
{
	int attached = 0, revoked = 0, kept = 0, ready, go, err;
	long t_exec = -1, first_refused = -1;
	struct pid_arg pa;
	struct session s;

	start_hogs();
	/* How long the exec takes, from the go byte to the exit of `busybox true`. */
	for (int i = 0; i < 2; i++) {
		pid_t kid = spawn_exec_kid(suid, RACE_THREADS, 0, &ready, &go);
		long t0;

		if (kid < 0 || !read_byte(ready))
			return 64;
		t0 = now_us();
		if (write(go, "g", 1) != 1)
			return 66;
		reap(kid);
		if (t_exec < 0 || now_us() - t0 < t_exec)
			t_exec = now_us() - t0;
		close(ready);
		close(go);
	}
	for (int round = 0; round < RACE_ROUNDS; round++) {
		/* Sweep the check over the exec's start, where the credentials change. */
		long delay = (t_exec < 4000 ? t_exec : 4000) * round / RACE_ROUNDS;
		struct ntrace_hdr *h;
		pid_t kid = spawn_exec_kid(suid, RACE_THREADS, 0, &ready, &go);

		if (kid < 0)
			return 64;
		open_session(&s);
		hello(&s, NULL);
		if (!read_byte(ready))
			return 65;
		if (write(go, "g", 1) != 1)
			return 66;
		spin_us(delay);
		err = attach(&s, kid, 0, NULL);
		if (!err) {
			attached++;
			pa.pid = kid;
			h = wait_for(&s, match_end, &pa);
			if (h && h->type == NTRACE_EV_DETACHED &&
			    ((struct ntrace_ev_detached *)h)->reason == NTRACE_DETACHED_PRIVILEGE)
				revoked++;
			else
				kept++;
			rec_free(h);
		} else if (err != -EACCES && err != -ESRCH) {
			printf("# attach during the exec: unexpected error %d\n", err);
			kept++;
		} else if (first_refused < 0) {
			first_refused = delay;
		}
		reap(kid);
		close_session(&s);
		close(ready);
		close(go);
	}
	stop_hogs();
	printf("# ATTACH racing a setuid exec (exec ~%ld us, first refused at %ld us): %d rounds, %d attached, %d revoked, %d kept control\n",
	       t_exec, first_refused, RACE_ROUNDS, attached, revoked, kept);
	return kept ? 1 : 0;
}

/*
 * The same finding, made certain: the module's testing-only parameter test_attach_delay_ms
 * puts a sleep between ATTACH's check and the hashing of the threads, and the target's setuid
 * exec is let go while ATTACH sleeps there (its thread in 'D'). Under cred_guard_mutex the
 * exec waits for the hashing and then revokes (DETACHED(PRIVILEGE)); without it the exec
 * finishes unseen during the sleep and the session keeps the setuid image. As nobody; root
 * sets the parameter around it (attach_window_root). A bitmask of failures.
 */
struct attach_arg {
	struct session *s;
	pid_t pid;
	int err;
	int tid_fd; /* the attaching thread's tid goes out here */
};

static void *attach_thread(void *arg)
{
	struct attach_arg *a = arg;
	pid_t tid = gettid();

	if (write(a->tid_fd, &tid, sizeof(tid)) != sizeof(tid))
		a->err = -1998;
	else
		a->err = attach(a->s, a->pid, 0, NULL);
	return NULL;
}

static int attach_window(const char *suid)
{
	struct attach_arg a = { 0 };
	struct ntrace_hdr *h = NULL;
	int ready, go, tp[2], bad = 0;
	struct pid_arg pa;
	struct session s;
	pthread_t th;
	pid_t kid, tid = 0;

	/* An image that stays: the ATTACH after the exec must find it alive. */
	kid = spawn_exec_kid_cmd(suid, 0, 0, &ready, &go, 1);
	if (kid < 0 || !read_byte(ready) || pipe(tp))
		return 64;
	open_session(&s);
	hello(&s, NULL);
	a.s = &s;
	a.pid = kid;
	a.tid_fd = tp[1];
	if (pthread_create(&th, NULL, attach_thread, &a))
		return 65;
	if (read(tp[0], &tid, sizeof(tid)) != sizeof(tid) || !wait_state(tid, 'D'))
		bad |= 1; /* never saw ATTACH sleep between check and hashing */
	if (write(go, "g", 1) != 1)
		return 66;
	pthread_join(th, NULL);
	if (a.err) {
		printf("# ATTACH (check before the exec): %d\n", a.err);
		bad |= 2;
	} else {
		pa.pid = kid;
		h = wait_for(&s, match_end, &pa);
		if (!h || h->type != NTRACE_EV_DETACHED ||
		    ((struct ntrace_ev_detached *)h)->reason != NTRACE_DETACHED_PRIVILEGE) {
			printf("# the setuid image stayed the session's (end record %#x)\n",
			       h ? h->type : 0);
			bad |= 4;
		}
		rec_free(h);
	}
	reap(kid);
	close_session(&s);
	close(ready);
	close(go);
	close(tp[0]);
	close(tp[1]);
	return bad;
}

static int attach_window_root(const char *suid)
{
	int ret;

	if (write_param("test_attach_delay_ms", "1000"))
		return 128; /* no such parameter */
	ret = as_nobody(attach_window, suid);
	write_param("test_attach_delay_ms", "0");
	return ret;
}

/*
 * Finding: memory access can land in a new image. Reads of the ELF header's e_entry
 * (0x400018: this binary and busybox are both static, linked at 0x400000) run back to back
 * while the target execs the setuid busybox; busybox's entry point in a reply means the
 * access reached the privileged image. CPU hogs preempt a command between its check and its
 * access (the reply's allocation, a voluntary preemption point, lies between them).
 */
static int mem_exec_race(const char *suid)
{
	static uint8_t buf[65536];
	uint64_t bb_entry = 0, own_entry = *(volatile uint64_t *)0x400018;
	int leaks = 0, reads = 0, ready, go, fd;
	struct pid_arg pa;
	struct session s;

	fd = open(suid, O_RDONLY);
	if (fd < 0 || pread(fd, &bb_entry, 8, 24) != 8)
		return 64;
	close(fd);
	if (bb_entry == own_entry)
		return 65;
	start_hogs();
	for (int round = 0; round < RACE_ROUNDS; round++) {
		/* The exec comes while the reads run back to back. */
		pid_t kid = spawn_exec_kid(suid, 0, 2000 + (round % 10) * 1000, &ready, &go);

		if (kid < 0)
			return 66;
		open_session(&s);
		hello(&s, NULL);
		if (!read_byte(ready) || attach(&s, kid, 0, NULL))
			return 67;
		if (write(go, "g", 1) != 1)
			return 68;
		for (int i = 0; i < 100000; i++) {
			int n = read_mem(&s, kid, 0x400018, buf, 60000);

			if (n < 8)
				break; /* revoked (ESRCH), refused (EACCES) or gone */
			reads++;
			if (*(uint64_t *)buf == bb_entry) {
				leaks++;
				break;
			}
		}
		pa.pid = kid;
		rec_free(wait_for(&s, match_end, &pa));
		reap(kid);
		close_session(&s);
		close(ready);
		close(go);
	}
	stop_hogs();
	printf("# READ_MEM racing a setuid exec: %d rounds, %d reads, %d reached the setuid image\n",
	       RACE_ROUNDS, reads, leaks);
	return leaks ? 1 : 0;
}

/*
 * Finding: STOP, RESUME and GET/SET_REGS never recheck dumpable. A target that made itself
 * undumpable (as a process that changed credentials is) is no longer the session's: the
 * command fails with EACCES and the process is released with DETACHED(PRIVILEGE).
 */
static int undumpable_regs(const char *unused)
{
	struct user_regs_struct regs;
	struct pid_arg pa;
	struct session s;
	int rp[2], gp[2], bad = 0, err;
	struct ntrace_hdr *h;
	uint64_t handle = 0;
	pid_t kid;
	char c;

	(void)unused;
	if (pipe(rp) || pipe(gp))
		return 64;
	kid = fork();
	if (!kid) {
		if (read(gp[0], &c, 1) != 1)
			_exit(98);
		prctl(PR_SET_DUMPABLE, 0);
		if (write(rp[1], "d", 1) != 1)
			_exit(99);
		for (;;)
			bp_target();
	}
	open_session(&s);
	hello(&s, NULL);
	if (attach(&s, kid, NTRACE_ATTACH_KILL_ON_CLOSE, &handle))
		return 65;
	if (write(gp[1], "g", 1) != 1 || !read_byte(rp[0]))
		return 66;
	err = stop_cmd(&s, kid, 0);
	if (err != -EACCES) {
		printf("# STOP of a process that became undumpable: %d, want %d\n", err, -EACCES);
		bad |= 1;
	}
	pa.pid = kid;
	h = err ? wait_for(&s, match_end, &pa) : NULL;
	if (!h || h->type != NTRACE_EV_DETACHED ||
	    ((struct ntrace_ev_detached *)h)->reason != NTRACE_DETACHED_PRIVILEGE)
		bad |= 2;
	rec_free(h);
	err = get_regs(&s, handle, 0, &regs);
	if (err != -ESRCH && err != -EACCES) {
		printf("# GET_REGS after that: %d\n", err);
		bad |= 4;
	}
	kill(kid, SIGKILL);
	reap(kid);
	close_session(&s);
	return bad;
}

/*
 * The same finding for GET_REGS at a stop taken while the process was still dumpable: a
 * second thread makes it undumpable while the first is stopped. The register read must fail
 * with EACCES and release the process, not return the registers (the module before the fix
 * answered 0). A bitmask of failures.
 */
static int undumpable_fds[2]; /* [0] go, [1] done */

static void *undumpable_thread(void *arg)
{
	char c;

	(void)arg;
	if (read(undumpable_fds[0], &c, 1) == 1) {
		prctl(PR_SET_DUMPABLE, 0);
		if (write(undumpable_fds[1], "d", 1) != 1)
			_exit(99);
	}
	for (;;)
		pause();
	return NULL;
}

static int undumpable_getregs(const char *unused)
{
	struct user_regs_struct regs;
	struct ntrace_ev_stop *ev;
	struct pid_arg pa;
	struct session s;
	int gp[2], dp[2], bad = 0, err;
	struct ntrace_hdr *h;
	uint64_t handle = 0;
	pthread_t th;
	pid_t kid;

	(void)unused;
	if (pipe(gp) || pipe(dp))
		return 64;
	kid = fork();
	if (!kid) {
		undumpable_fds[0] = gp[0];
		undumpable_fds[1] = dp[1];
		if (pthread_create(&th, NULL, undumpable_thread, NULL) || write(dp[1], "r", 1) != 1)
			_exit(97);
		for (;;)
			bp_target();
	}
	if (!read_byte(dp[0]))
		return 68; /* the second thread exists before the first one stops */
	open_session(&s);
	hello(&s, NULL);
	/* ATTACH lists the leader first: the thread that loops. */
	if (attach(&s, kid, NTRACE_ATTACH_KILL_ON_CLOSE, &handle) || stop_cmd(&s, kid, handle))
		return 65;
	ev = wait_stop(&s, handle, NTRACE_STOP_REQUESTED);
	if (!ev)
		return 66;
	if (write(gp[1], "g", 1) != 1 || !read_byte(dp[0]))
		return 67;
	err = get_regs(&s, handle, ev->stop_id, &regs);
	if (err != -EACCES) {
		printf("# GET_REGS at a stop after the process became undumpable: %d, want %d\n",
		       err, -EACCES);
		bad |= 1;
	}
	pa.pid = kid;
	h = err ? wait_for(&s, match_end, &pa) : NULL;
	if (!h || h->type != NTRACE_EV_DETACHED ||
	    ((struct ntrace_ev_detached *)h)->reason != NTRACE_DETACHED_PRIVILEGE)
		bad |= 2;
	rec_free(h);
	rec_free(&ev->hdr);
	kill(kid, SIGKILL);
	reap(kid);
	close_session(&s);
	return bad;
}

static long mem_available_kb(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

#define FLOOD_SLACK_KB (16 << 10) /* MemAvailable may move by this much */

/* Writes of @cmd (len bytes, repeated) until EAGAIN or @cap bytes; the bytes accepted. */
static long flood(int fd, const void *cmd, size_t len, long cap, int *eagain)
{
	static uint8_t buf[65536];
	size_t per = sizeof(buf) / len * len;
	long total = 0;

	for (size_t off = 0; off < per; off += len)
		memcpy(buf + off, cmd, len);
	*eagain = 0;
	while (total < cap) {
		size_t want = per < (size_t)(cap - total) ? per : (size_t)(cap - total) / len * len;
		ssize_t n;

		if (!want)
			break;
		n = write(fd, buf, want);

		if (n < 0) {
			*eagain = errno == EAGAIN;
			if (!*eagain)
				printf("# flood write: errno %d\n", errno);
			break;
		}
		total += n;
	}
	return total;
}

/* Read everything queued; the number of records. */
static long drain_session(int fd)
{
	static uint64_t buf[65536 / 8];
	long recs = 0;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (ssize_t off = 0; off < n; recs++)
			off += ((struct ntrace_hdr *)((char *)buf + off))->len;
	return recs;
}

/*
 * Finding: unbounded kernel memory. An unprivileged opener writes junk headers (each
 * answered with an error reply) and then 32-byte READ_MEMs of 60000 bytes each, never
 * reading: the queue's budget stops both (EAGAIN on a nonblocking fd), MemAvailable stays
 * where it was, and once the replies are read the session works again.
 */
static int reply_flood(const char *unused)
{
	struct ntrace_cmd_pid junk = { .hdr = { 24, NTRACE_CMD_LIST_THREADS, 0, 0 } };
	struct ntrace_cmd_mem rm = { .hdr = { sizeof(rm), NTRACE_CMD_READ_MEM, 0, 7 },
				     .len = 60000, .addr = (uintptr_t)&magic };
	long before, after, total;
	int bad = 0, eagain, st;
	struct session s;
	pid_t kid;

	(void)unused;
	open_session(&s);
	fcntl(s.fd, F_SETFL, O_NONBLOCK);
	before = mem_available_kb();
	/* 32 MiB of junk would queue about 90 MiB of replies without a bound. */
	total = flood(s.fd, &junk, 24, 32L << 20, &eagain);
	after = mem_available_kb();
	printf("# junk before HELLO: %ld bytes accepted, EAGAIN %d, MemAvailable %ld -> %ld kB\n",
	       total, eagain, before, after);
	if (!eagain)
		bad |= 1;
	if (before - after > FLOOD_SLACK_KB)
		bad |= 2;
	if (drain_session(s.fd) * 24 < total)
		bad |= 4; /* every accepted command had its reply */
	fcntl(s.fd, F_SETFL, 0);
	if (hello(&s, NULL))
		bad |= 8; /* the session works again */

	kid = spawn(0, -1);
	rm.pid = kid;
	if (attach(&s, kid, NTRACE_ATTACH_KILL_ON_CLOSE, NULL))
		bad |= 16;
	fcntl(s.fd, F_SETFL, O_NONBLOCK);
	before = mem_available_kb();
	/* 1600 of them would queue about 96 MiB without a bound. */
	total = flood(s.fd, &rm, sizeof(rm), 1600L * sizeof(rm), &eagain);
	after = mem_available_kb();
	printf("# READ_MEM of 60000 bytes: %ld bytes of commands accepted, EAGAIN %d, MemAvailable %ld -> %ld kB\n",
	       total, eagain, before, after);
	if (!eagain)
		bad |= 32;
	if (before - after > FLOOD_SLACK_KB)
		bad |= 64;
	drain_session(s.fd);
	close_session(&s);
	kill(kid, SIGKILL);
	st = reap(kid);
	(void)st;
	return bad;
}

/* A blocking writer on a full queue sleeps, and SIGKILL ends that sleep. */
static void test_blocked_writer(void)
{
	struct ntrace_cmd_pid junk = { .hdr = { 24, NTRACE_CMD_LIST_THREADS, 0, 0 } };
	int p[2], st, slept = 0;
	pid_t pid;
	char c;

	if (pipe(p))
		return;
	pid = fork();
	if (!pid) {
		struct session s;
		int eagain;

		open_session(&s);
		if (write(p[1], "o", 1) != 1)
			_exit(98);
		flood(s.fd, &junk, 24, 32L << 20, &eagain); /* blocking: must sleep, not return */
		_exit(3);
	}
	if (read(p[0], &c, 1) != 1)
		c = 0;
	for (int i = 0; i < TIMEOUT_MS / 10 && !slept; i++) {
		slept = proc_state(pid) == 'S';
		if (!slept)
			usleep(10000);
	}
	kill(pid, SIGKILL);
	st = reap(pid);
	CHECK(slept && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
	      "a blocking writer on a full queue sleeps and SIGKILL ends it (slept %d, status %#x)",
	      slept, st);
	close(p[0]);
	close(p[1]);
}

/*
 * Finding: the software breakpoint list has no limit. NT_MAX_BPS (16384) breakpoints per
 * process, then ENOSPC; all of them are removed again.
 */
#define NT_MAX_BPS 16384

static void test_bp_limit(void)
{
	struct ntrace_ev_stop *ev;
	struct session s;
	int err = 0, set = 0, cleared = 0, over;
	uint64_t h;
	pid_t pid;
	uint8_t b = 0;

	pid = spawn(0, -1);
	open_session(&s);
	hello(&s, NULL);
	attach(&s, pid, NTRACE_ATTACH_STOP | NTRACE_ATTACH_KILL_ON_CLOSE, &h);
	ev = wait_stop(&s, h, NTRACE_STOP_ATTACH);
	rec_free(&ev->hdr);
	/* The target is stopped: int3s across its text are never executed. */
	for (int i = 0; i < NT_MAX_BPS && !err; i++) {
		err = bp_cmd(&s, pid, 0x401000 + i, NTRACE_CMD_SET_BP);
		set += !err;
	}
	over = bp_cmd(&s, pid, 0x401000 + NT_MAX_BPS, NTRACE_CMD_SET_BP);
	CHECK(set == NT_MAX_BPS && over == -ENOSPC,
	      "%d breakpoints set, the next one: ENOSPC (got %d after %d)", NT_MAX_BPS, over, set);
	if (!over)
		set++;
	for (int i = 0; i < set; i++)
		cleared += !bp_cmd(&s, pid, 0x401000 + i, NTRACE_CMD_CLEAR_BP);
	read_mem(&s, pid, 0x401000 + 100, &b, 1);
	CHECK(cleared == set && b == *(volatile uint8_t *)(0x401000 + 100),
	      "all of them cleared (%d of %d), original bytes back", cleared, set);
	pid_cmd(&s, pid, NTRACE_CMD_KILL);
	rec_free(wait_type(&s, NTRACE_EV_PROC_EXIT));
	reap(pid);
	close_session(&s);
}

/*
 * Finding: a 32-bit (compat) target. Registers come in the 64-bit layout, as ptrace gives a
 * 64-bit debugger (cs 0x23 tells the mode); SET_REGS of the compat size is EINVAL, never a
 * read past the command.
 */
static void test_compat32(void)
{
	struct user_regs_struct regs, regs2;
	struct stop_match m = { 0, NTRACE_STOP_ATTACH };
	struct ntrace_ev_stop *ev;
	struct session s;
	uint64_t h = 0, stop_id;
	int err, err68;
	pid_t pid;

	pid = fork();
	if (!pid) {
		execl("/compat32", "compat32", (char *)NULL);
		_exit(97);
	}
	usleep(100000); /* let it exec: attaching the forked copy would test nothing */
	open_session(&s);
	hello(&s, NULL);
	EXPECT_EQ(attach(&s, pid, NTRACE_ATTACH_STOP | NTRACE_ATTACH_KILL_ON_CLOSE, &h), 0,
		  "ATTACH a 32-bit process");
	ev = (struct ntrace_ev_stop *)wait_for(&s, match_stop, &m);
	stop_id = ev ? ev->stop_id : 0;
	CHECK(ev && (ev->hdr.flags & NTRACE_STOPF_REGS) &&
		      ((struct user_regs_struct *)(ev + 1))->cs == 0x23,
	      "its STOP carries the registers in the 64-bit layout, cs 0x23 (flags %#x)",
	      ev ? ev->hdr.flags : 0);
	memset(&regs, 0, sizeof(regs));
	err = get_regs(&s, h, stop_id, &regs);
	CHECK(!err && ev && regs.rip == ev->pc && regs.cs == 0x23 && regs.rip < 0x100000000ULL,
	      "GET_REGS: 216 bytes, rip %#llx is the stop's pc (err %d)",
	      (unsigned long long)regs.rip, err);
	rec_free(&ev->hdr);
	err68 = regs_raw(&s, NTRACE_CMD_SET_REGS, h, stop_id, NTRACE_REGSET_GPR, &regs, 68);
	EXPECT_EQ(err68, -EINVAL, "SET_REGS of the compat size (68 bytes): EINVAL");
	regs.rax = 0x4242;
	EXPECT_EQ(set_regs(&s, h, stop_id, &regs), 0, "SET_REGS (216 bytes) of the 32-bit process");
	memset(&regs2, 0, sizeof(regs2));
	get_regs(&s, h, stop_id, &regs2);
	EXPECT_EQ(regs2.rax, 0x4242, "GET_REGS shows the new eax");
	pid_cmd(&s, pid, NTRACE_CMD_KILL);
	rec_free(wait_type(&s, NTRACE_EV_PROC_EXIT));
	reap(pid);
	close_session(&s);
}

/*
 * Finding: the sys_exit tracepoint puts every syscall of the machine on the slow path; it is
 * registered only while a session needs it (sys_exit_users counts those sessions).
 */
static void test_sys_exit_users(void)
{
	struct ntrace_ev_stop *ev;
	struct session s;
	uint64_t h;
	pid_t pid;
	int before, during, after;

	before = read_param("sys_exit_users");
	pid = spawn(0, -1);
	open_session(&s);
	hello(&s, NULL);
	attach(&s, pid, NTRACE_ATTACH_STOP | NTRACE_ATTACH_KILL_ON_CLOSE, &h);
	ev = wait_stop(&s, h, NTRACE_STOP_ATTACH);
	resume(&s, h, ev ? ev->stop_id : 0, NTRACE_RESUME_STEP, 0);
	rec_free(&ev->hdr);
	ev = wait_stop(&s, h, NTRACE_STOP_STEP);
	rec_free(&ev->hdr);
	during = read_param("sys_exit_users");
	close_session(&s);
	reap(pid);
	after = read_param("sys_exit_users");
	CHECK(before == 0 && during == 1 && after == 0,
	      "sys_exit hooked only while a stepping session is open (%d, %d, %d)", before, during,
	      after);
}

/*
 * Finding: a trap flag survives in a signal frame. A step that delivers a signal ends at the
 * handler's first instruction (as PTRACE_SINGLESTEP does); the frame keeps no TF, so after a
 * stop inside the handler its return raises no stray SIGTRAP. A stepping thread first
 * reports the pending signal, outside the stop table too (gdbserver's rule: gdb decides how
 * to step around the handler), at the pc where it stopped.
 */
static void test_step_into_handler(void)
{
	struct ntrace_cmd_set_options o = { 0 };
	struct ntrace_ev_stop *ev;
	struct session s;
	uint64_t h, stop_id;
	int p[2], n = -1;
	pid_t pid;

	if (pipe(p))
		return;
	pid = spawn(0, p[1]);
	read_byte(p[0]); /* its SIGUSR1 handler is installed */
	open_session(&s);
	hello(&s, NULL);
	attach(&s, pid, NTRACE_ATTACH_STOP | NTRACE_ATTACH_KILL_ON_CLOSE, &h);
	ev = wait_stop(&s, h, NTRACE_STOP_ATTACH);
	stop_id = ev ? ev->stop_id : 0;
	rec_free(&ev->hdr);
	o.pid = pid;
	o.stop_signals = ~0ULL & ~(1ULL << (SIGUSR1 - 1));
	call_err(&s, &o, sizeof(o), NTRACE_CMD_SET_OPTIONS);
	bp_cmd(&s, pid, (uintptr_t)on_usr1, NTRACE_CMD_SET_BP);
	kill(pid, SIGUSR1);
	resume(&s, h, stop_id, NTRACE_RESUME_STEP, 0);
	ev = wait_stop(&s, h, 0);
	CHECK(ev && ev->reason == NTRACE_STOP_SIGNAL && ev->signo == SIGUSR1,
	      "a step with a signal pending outside the stop table reports it first (reason %d, signo %d)",
	      ev ? (int)ev->reason : -1, ev ? ev->signo : -1);
	stop_id = ev ? ev->stop_id : 0;
	rec_free(&ev->hdr);
	resume(&s, h, stop_id, NTRACE_RESUME_STEP, NTRACE_SIG_PASS);
	ev = wait_stop(&s, h, 0);
	CHECK(ev && ev->reason == NTRACE_STOP_STEP && ev->pc == (uintptr_t)on_usr1,
	      "a step that delivers the signal ends at the handler's entry (reason %d, pc %#llx, handler %p)",
	      ev ? (int)ev->reason : -1, ev ? (unsigned long long)ev->pc : 0ULL, (void *)on_usr1);
	stop_id = ev ? ev->stop_id : 0;
	rec_free(&ev->hdr);
	bp_cmd(&s, pid, (uintptr_t)on_usr1, NTRACE_CMD_CLEAR_BP);
	bp_cmd(&s, pid, (uintptr_t)bp_target, NTRACE_CMD_SET_BP);
	resume(&s, h, stop_id, NTRACE_RESUME_CONT, 0);
	ev = wait_stop(&s, h, 0);
	CHECK(ev && ev->reason == NTRACE_STOP_BREAKPOINT && ev->pc == (uintptr_t)bp_target,
	      "the handler returns without a stray SIGTRAP: next stop the breakpoint (reason %d, signo %d)",
	      ev ? (int)ev->reason : -1, ev ? ev->signo : -1);
	rec_free(&ev->hdr);
	read_mem(&s, pid, (uintptr_t)&usr1_count, &n, sizeof(n));
	EXPECT_EQ(n, 1, "the handler ran once");
	close_session(&s);
	reap(pid);
	close(p[0]);
	close(p[1]);
}

/*
 * Finding (found while chasing stepover_race): a thread resumed from our breakpoint steps
 * over it with the original byte in memory; a CLEAR_BP and SET_BP before it ran that
 * instruction put 0xcc back under its pc, and the die notifier took that int3 for the
 * program's own (gdb's permanent breakpoint): the step-over ended past the 0xcc and the
 * instruction under it never ran. The breakpoint must hit instead, before the instruction.
 * A SIGSTOP pending at the RESUME holds the thread between the lift and the instruction (its
 * job stop comes on the way to user mode), so the window is certain, not a race. The
 * instruction is stc (one byte, not emulated): so_target adds the carry to so_count, so a
 * skipped stc leaves so_count behind so_calls.
 */
volatile uint64_t so_calls, so_count;
extern const char so_insn[];

__attribute__((noinline)) static void so_target(void)
{
	__asm__ volatile("xor %%eax, %%eax\n" /* CF = 0 */
			 ".globl so_insn\nso_insn: stc\n"
			 "adcq $0, so_count(%%rip)\n" ::: "rax", "cc", "memory");
}

/* A debuggee calling so_target forever. */
static pid_t spawn_so(void)
{
	pid_t pid = fork();

	if (!pid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;) {
			so_calls++;
			so_target();
		}
	}
	return pid;
}

/*
 * Finding: the step-over re-inserts its int3 outside the lock, so CLEAR_BP then SET_BP in
 * that window saved 0xcc as the original byte. Each RESUME from the breakpoint is followed,
 * after a delay that sweeps the thread's way to its re-insert, by one write holding a
 * CLEAR_BP and a SET_BP of it; READ_MEM must always show the original byte under it, and
 * the instruction (so_insn's stc, which is stepped over, not emulated) runs once per call.
 */
#define SO_ROUNDS 800

static void test_stepover_race(void)
{
	const uint8_t orig = *(volatile const uint8_t *)so_insn;
	struct ntrace_cmd_bp pair[2];
	struct stop_match bpm = { 0, NTRACE_STOP_BREAKPOINT };
	int corrupt = 0, skipped = 0, rounds;
	struct ntrace_ev_stop *ev;
	struct session s;
	uint64_t h;
	pid_t pid;

	pid = spawn_so();
	open_session(&s);
	hello(&s, NULL);
	attach(&s, pid, NTRACE_ATTACH_KILL_ON_CLOSE, &h);
	bp_cmd(&s, pid, (uintptr_t)so_insn, NTRACE_CMD_SET_BP);
	for (rounds = 0; rounds < SO_ROUNDS && !corrupt; rounds++) {
		struct ntrace_cmd_resume r;
		uint64_t seq = 4;
		uint8_t b = 0;

		ev = (struct ntrace_ev_stop *)wait_for(&s, match_stop, &bpm);
		if (!ev) {
			struct ntrace_cmd_pid lc = { .pid = pid };
			struct ntrace_reply *lr = call(&s, &lc, sizeof(lc), NTRACE_CMD_LIST_THREADS);
			struct ntrace_thread_info *ti = lr && !lr->error ?
				(void *)((struct ntrace_thread_list_reply *)(lr + 1) + 1) : NULL;
			char path[64];
			uint8_t mb = 0;
			int fd;

			snprintf(path, sizeof(path), "/proc/%d/mem", pid);
			fd = open(path, O_RDONLY);
			if (fd < 0 || pread(fd, &mb, 1, (uintptr_t)so_insn) != 1)
				mb = 0;
			close(fd);
			printf("# stepover race: no breakpoint stop in round %d: thread state %d, byte in memory %#x, process state %c\n",
			       rounds, ti ? (int)ti->state : -1, mb, proc_state(pid));
			rec_free(&lr->hdr);
			/* Does a STOP request still reach it (is its task_work running)? */
			{
				struct ntrace_ev_stop *sv;

				stop_cmd(&s, pid, 0);
				sv = (struct ntrace_ev_stop *)wait_for(&s, match_stop, &(struct stop_match){ 0, 0 });
				printf("# stepover race: then STOP: %s reason %d pc %#llx (so_insn %p)\n",
				       sv ? "stopped," : "no stop;", sv ? (int)sv->reason : -1,
				       sv ? (unsigned long long)sv->pc : 0ULL, (void *)so_insn);
				rec_free(&sv->hdr);
			}
			for (struct rec *q = s.stash; q; q = q->next)
				printf("# stepover race: stashed record type %#x reason %u\n", q->h.type,
				       q->h.type == NTRACE_EV_STOP ?
					       ((struct ntrace_ev_stop *)&q->h)->reason : 0);
			break;
		}
		/* At the breakpoint, before its stc: every earlier call ran it once. */
		if (read_u64(&s, pid, &so_count) + 1 != read_u64(&s, pid, &so_calls)) {
			skipped = 1;
			rec_free(&ev->hdr);
			break;
		}
		r = (struct ntrace_cmd_resume){ .hdr = { sizeof(r), NTRACE_CMD_RESUME, 0, 1 },
						.handle = ev->thread.handle,
						.stop_id = ev->stop_id };
		rec_free(&ev->hdr);
		pair[0] = (struct ntrace_cmd_bp){ .hdr = { sizeof(pair[0]), NTRACE_CMD_CLEAR_BP, 0, 3 },
						  .pid = pid, .addr = (uintptr_t)so_insn };
		pair[1] = pair[0];
		pair[1].hdr.type = NTRACE_CMD_SET_BP;
		pair[1].hdr.seq = 4;
		if (write(s.fd, &r, sizeof(r)) != sizeof(r)) {
			printf("# stepover race: RESUME write: errno %d\n", errno);
			break;
		}
		spin_us((rounds % 200) * 2);
		if (write(s.fd, pair, sizeof(pair)) != sizeof(pair)) {
			printf("# stepover race: CLEAR+SET write: errno %d\n", errno);
			break;
		}
		rec_free(wait_for(&s, match_reply, &seq));
		/* The other replies came before it: drop them. */
		for (struct rec **pp = &s.stash; *pp;) {
			if ((*pp)->h.type == NTRACE_REPLY) {
				struct rec *q = *pp;

				*pp = q->next;
				free(q);
			} else {
				pp = &(*pp)->next;
			}
		}
		read_mem(&s, pid, (uintptr_t)so_insn, &b, 1);
		corrupt = b != orig;
	}
	CHECK(!corrupt && !skipped && rounds == SO_ROUNDS,
	      "step-overs racing CLEAR_BP+SET_BP keep the original byte and run the instruction (%d rounds, corrupt %d, skipped %d)",
	      rounds, corrupt, skipped);
	close_session(&s);
	reap(pid);
}

#define SR_ROUNDS 3

static void test_stepover_reset(void)
{
	struct ntrace_cmd_set_options o = { 0 };
	uint64_t h, calls = 0, count = 0;
	struct ntrace_ev_stop *ev;
	int held = 0, kept = 0, tries = 0, round;
	struct session s;
	pid_t pid;

	pid = spawn_so();
	open_session(&s);
	hello(&s, NULL);
	attach(&s, pid, NTRACE_ATTACH_KILL_ON_CLOSE, &h);
	o.pid = pid;
	o.stop_signals = ~0ULL & ~(1ULL << (SIGSTOP - 1)) & ~(1ULL << (SIGCONT - 1));
	call_err(&s, &o, sizeof(o), NTRACE_CMD_SET_OPTIONS);
	/*
	 * Inserted while the loop is job-stopped: under multi-threaded TCG a vCPU spinning in
	 * so_target's translated code could run on through a freshly written int3 (seen in
	 * 1 of about 5 guest runs: no first breakpoint stop at all).
	 */
	kill(pid, SIGSTOP);
	wait_state(pid, 'T');
	bp_cmd(&s, pid, (uintptr_t)so_insn, NTRACE_CMD_SET_BP);
	kill(pid, SIGCONT);
	ev = wait_stop(&s, 0, NTRACE_STOP_BREAKPOINT);
	for (round = 0; round < SR_ROUNDS && ev; round++) {
		uint8_t b = 0;

		tries++;
		kill(pid, SIGSTOP);
		resume(&s, ev->thread.handle, ev->stop_id, NTRACE_RESUME_CONT, 0);
		rec_free(&ev->hdr);
		held += wait_state(pid, 'T');
		bp_cmd(&s, pid, (uintptr_t)so_insn, NTRACE_CMD_CLEAR_BP);
		bp_cmd(&s, pid, (uintptr_t)so_insn, NTRACE_CMD_SET_BP);
		read_mem(&s, pid, (uintptr_t)so_insn, &b, 1);
		kept += b == 0xf9;
		kill(pid, SIGCONT);
		ev = wait_stop(&s, 0, NTRACE_STOP_BREAKPOINT);
		calls = read_u64(&s, pid, &so_calls);
		count = read_u64(&s, pid, &so_count);
		if (!ev || ev->pc != (uintptr_t)so_insn || count + 1 != calls)
			break;
	}
	CHECK(held == tries, "stepover_reset: the thread job-stopped mid step-over (%d times)", held);
	EXPECT_EQ(kept, held, "stepover_reset: READ_MEM shows the original byte under the breakpoint set again");
	CHECK(round == SR_ROUNDS && ev && ev->pc == (uintptr_t)so_insn && count + 1 == calls,
	      "stepover_reset: a breakpoint set again under a step-over hits before its instruction, which runs once per call (%d rounds, pc %#llx, so_count %llu, so_calls %llu)",
	      round, ev ? (unsigned long long)ev->pc : 0ULL, (unsigned long long)count,
	      (unsigned long long)calls);
	rec_free(&ev->hdr);
	close_session(&s);
	reap(pid);
}

/* One byte of @fd (an open /proc/<pid>/mem) at @addr, or -1. */
static int mem_byte(int fd, uintptr_t addr)
{
	uint8_t b;

	return pread(fd, &b, 1, addr) == 1 ? b : -1;
}

/*
 * Finding: the step-over re-inserted its int3 outside the lock: a CLEAR_BP that put the
 * original byte back before that write, then a SET_BP after it, saved the re-inserted 0xcc as
 * the original byte (READ_MEM showed 0xcc under the breakpoint, the next CLEAR_BP wrote 0xcc
 * into the program). The testing-only test_reinsert_delay_ms makes the re-insert sleep, in
 * state 'I', before and after its write, so each command lands in its half of the window:
 * CLEAR_BP while the re-insert sleeps with the original byte still lifted, SET_BP once 0xcc
 * is back in memory or, with bp_lock, once that CLEAR_BP (which waited for the whole
 * re-insert) has answered and the step's stop is there.
 */
static void test_stepover_clear_set(void)
{
	const uint8_t orig = *(volatile const uint8_t *)so_insn;
	const uintptr_t at = (uintptr_t)so_insn;
	struct ntrace_cmd_set_options o = { 0 };
	int mem, lifted = 0, back = 0, err_clear = -9999, err_set = -9999, err_end, end = -1;
	struct ntrace_ev_stop *ev;
	struct session s;
	char path[64];
	uint8_t b = 0;
	uint64_t h;
	pid_t pid;

	pid = spawn_so();
	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	mem = open(path, O_RDONLY);
	open_session(&s);
	hello(&s, NULL);
	err_clear = attach(&s, pid, NTRACE_ATTACH_KILL_ON_CLOSE, &h);
	/* Inserted while job-stopped, as in stepover_reset (TCG's stale translations). */
	o.pid = pid;
	o.stop_signals = ~0ULL & ~(1ULL << (SIGSTOP - 1)) & ~(1ULL << (SIGCONT - 1));
	err_set = call_err(&s, &o, sizeof(o), NTRACE_CMD_SET_OPTIONS);
	kill(pid, SIGSTOP);
	lifted = wait_state(pid, 'T');
	err_end = bp_cmd(&s, pid, at, NTRACE_CMD_SET_BP);
	kill(pid, SIGCONT);
	ev = wait_stop(&s, 0, NTRACE_STOP_BREAKPOINT);
	if (!ev || mem < 0 || write_param("test_reinsert_delay_ms", "1000")) {
		CHECK(0, "stepover_clear_set: ATTACH %d, SET_OPTIONS %d, job stop %d, SET_BP %d, breakpoint stop %d, /proc mem %d, test_reinsert_delay_ms",
		      err_clear, err_set, lifted, err_end, !!ev, mem);
		goto out;
	}
	lifted = 0;
	resume(&s, ev->thread.handle, ev->stop_id, NTRACE_RESUME_STEP, 0);
	rec_free(&ev->hdr);
	for (int i = 0; i < TIMEOUT_MS && !lifted; i++) {
		lifted = proc_state(pid) == 'I' && mem_byte(mem, at) == orig;
		if (!lifted)
			usleep(1000);
	}
	err_clear = bp_cmd(&s, pid, at, NTRACE_CMD_CLEAR_BP);
	for (int i = 0; i < TIMEOUT_MS && !back; i++) {
		struct pollfd pfd = { .fd = s.fd, .events = POLLIN };

		back = mem_byte(mem, at) == 0xcc || s.stash || poll(&pfd, 1, 1) > 0;
	}
	err_set = bp_cmd(&s, pid, at, NTRACE_CMD_SET_BP);
	ev = wait_stop(&s, 0, NTRACE_STOP_STEP);
	write_param("test_reinsert_delay_ms", "0");
	read_mem(&s, pid, at, &b, 1);
	err_end = bp_cmd(&s, pid, at, NTRACE_CMD_CLEAR_BP);
	end = mem_byte(mem, at);
	CHECK(lifted && back, "stepover_clear_set: CLEAR_BP while the re-insert slept with the byte lifted (%d), SET_BP after its write (%d)",
	      lifted, back);
	CHECK(!err_clear && !err_set && !err_end, "stepover_clear_set: CLEAR_BP, SET_BP, CLEAR_BP answered 0 (%d %d %d)",
	      err_clear, err_set, err_end);
	CHECK(ev && ev->pc == at + 1, "stepover_clear_set: the step ends after the instruction (pc %#llx)",
	      ev ? (unsigned long long)ev->pc : 0ULL);
	EXPECT_EQ(b, orig, "stepover_clear_set: READ_MEM under the breakpoint set in the re-insert's window shows the original byte");
	EXPECT_EQ(end, orig, "stepover_clear_set: its CLEAR_BP puts the original byte back, not 0xcc");
	rec_free(&ev->hdr);
out:
	write_param("test_reinsert_delay_ms", "0");
	close_session(&s);
	if (mem >= 0)
		close(mem);
	reap(pid);
}

/*
 * Finding: the EXEC stop carried the global tid. In a new pid namespace (with its own /proc,
 * which ATTACH's permission check opens), data[0] is the former tid as the opener sees it.
 */
static int exec_in_pidns(const char *self)
{
	struct ntrace_ev_stop *ev;
	struct session s;
	int go[2], bad = 0;
	uint64_t h;
	pid_t pid;
	char c;

	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("proc", "/proc", "proc", 0, NULL))
		return 64;
	if (pipe(go))
		return 65;
	pid = fork();
	if (!pid) {
		if (read(go[0], &c, 1) != 1)
			_exit(98);
		execl(self, self, "--exec-again", (char *)NULL);
		_exit(97);
	}
	open_session(&s);
	hello(&s, NULL);
	if (attach(&s, pid, NTRACE_ATTACH_STOP_AT_EXEC | NTRACE_ATTACH_KILL_ON_CLOSE, &h))
		return 66;
	if (write(go[1], "g", 1) != 1)
		return 67;
	ev = wait_stop(&s, h, NTRACE_STOP_LAUNCH);
	{
		struct ntrace_cmd_set_options o = { .pid = pid, .events = NTRACE_EVENT_EXEC,
						    .stop_signals = ~0ULL };

		call_err(&s, &o, sizeof(o), NTRACE_CMD_SET_OPTIONS);
	}
	resume(&s, h, ev ? ev->stop_id : 0, NTRACE_RESUME_CONT, 0);
	rec_free(&ev->hdr);
	ev = wait_stop(&s, h, NTRACE_STOP_EXEC);
	if (!ev || ev->data[0] != (uint64_t)pid || ev->thread.tid != pid) {
		printf("# EXEC stop in a pid namespace: data[0] %lld, tid %d, want %d\n",
		       ev ? (long long)ev->data[0] : -1LL, ev ? ev->thread.tid : -1, pid);
		bad |= 1;
	}
	resume(&s, h, ev ? ev->stop_id : 0, NTRACE_RESUME_CONT, 0);
	rec_free(&ev->hdr);
	rec_free(wait_type(&s, NTRACE_EV_PROC_EXIT));
	reap(pid);
	close_session(&s);
	return bad;
}

static void test_exec_pidns(const char *self)
{
	pid_t outer = fork();
	int st;

	if (!outer) {
		pid_t init;

		if (unshare(CLONE_NEWPID | CLONE_NEWNS))
			_exit(90);
		init = fork(); /* pid 1 of the new namespace */
		if (!init)
			_exit(exec_in_pidns(self));
		st = reap(init);
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 91);
	}
	st = reap(outer);
	EXPECT_EQ(WIFEXITED(st) ? WEXITSTATUS(st) : 255, 0,
		  "in a pid namespace the EXEC stop's data[0] and tid are the namespace's (bitmask of failures)");
}

/*
 * Finding: PROC_EXIT was sent before the last thread was a zombie when threads exit at once.
 * Thirty-three threads, the leader among them, leave with the raw exit syscall at the same
 * moment, with CPU hogs preempting them; waitpid(WNOHANG) right after PROC_EXIT must find
 * the process.
 */
#define EXIT_THREADS 32
#define EXIT_ROUNDS 30

static pthread_barrier_t exit_barrier;

static void *exit_thread(void *arg)
{
	(void)arg;
	pthread_barrier_wait(&exit_barrier);
	syscall(SYS_exit, 0);
	return NULL;
}

static void test_exit_together(void)
{
	int early = 0, wrong = 0, st, p[2];
	struct session s;
	char c;

	start_hogs();
	for (int round = 0; round < EXIT_ROUNDS; round++) {
		struct ntrace_ev_proc_exit *pe;
		pid_t pid;

		if (pipe(p))
			return;
		pid = fork();
		if (!pid) {
			pthread_t th;

			pthread_barrier_init(&exit_barrier, NULL, EXIT_THREADS + 1);
			for (int i = 0; i < EXIT_THREADS; i++)
				pthread_create(&th, NULL, exit_thread, NULL);
			if (read(p[0], &c, 1) != 1)
				_exit(98);
			pthread_barrier_wait(&exit_barrier);
			syscall(SYS_exit, 3);
			_exit(99);
		}
		open_session(&s);
		hello(&s, NULL);
		attach(&s, pid, NTRACE_ATTACH_KILL_ON_CLOSE, NULL);
		if (write(p[1], "g", 1) != 1)
			return;
		pe = (struct ntrace_ev_proc_exit *)wait_type(&s, NTRACE_EV_PROC_EXIT);
		st = -1;
		if (waitpid(pid, &st, WNOHANG) != pid) {
			early++;
			st = reap(pid);
		}
		if (!pe || pe->wstatus != st)
			wrong++;
		rec_free(&pe->hdr);
		close_session(&s);
		close(p[0]);
		close(p[1]);
	}
	stop_hogs();
	CHECK(!early && !wrong,
	      "threads exiting together: waitpid finds the process at PROC_EXIT, same status (%d rounds, %d early, %d wrong status)",
	      EXIT_ROUNDS, early, wrong);
}

/*
 * README's LOST bound: THREAD_NEW/THREAD_EXIT reports past HELLO's queue_bytes (64 KiB) are
 * dropped and counted; a LOST record accounts for them and the sequence numbers, even when
 * no other record follows the drops (it was only sent before the next one).
 */
#define LOST_THREADS 1000

static void *nothing(void *arg)
{
	return arg;
}

static void test_lost(void)
{
	struct ntrace_cmd_set_options o = { 0 };
	struct ntrace_hello_reply hr = { 0 };
	uint64_t reports = 0, lost = 0, lost_recs = 0, first = 0, last = 0, gaps = 0;
	static uint64_t buf[65536 / 8];
	struct session s;
	int p[2], q[2], st;
	pid_t pid;
	char c;

	if (pipe(p) || pipe(q))
		return;
	pid = fork();
	if (!pid) {
		pthread_t th;

		if (read(p[0], &c, 1) != 1)
			_exit(98);
		for (int i = 0; i < LOST_THREADS; i++)
			if (!pthread_create(&th, NULL, nothing, NULL))
				pthread_join(th, NULL);
		if (write(q[1], "d", 1) != 1)
			_exit(99);
		pause();
		_exit(0);
	}
	open_session(&s);
	hello(&s, &hr);
	attach(&s, pid, NTRACE_ATTACH_KILL_ON_CLOSE, NULL);
	o.pid = pid;
	o.events = NTRACE_EVENT_THREAD_REPORT;
	o.stop_signals = ~0ULL;
	call_err(&s, &o, sizeof(o), NTRACE_CMD_SET_OPTIONS);
	if (write(p[1], "g", 1) != 1 || !read_byte(q[0]))
		return;
	/*
	 * The last thread's THREAD_EXIT may still be on its way (pthread_join returns at the
	 * thread's exit_mm, before the exit hook): read until every report is queued or counted.
	 */
	fcntl(s.fd, F_SETFL, O_NONBLOCK);
	while (reports + lost < 2 * LOST_THREADS) {
		struct pollfd pfd = { .fd = s.fd, .events = POLLIN };
		ssize_t n = read(s.fd, buf, sizeof(buf));

		if (n <= 0) {
			if (poll(&pfd, 1, TIMEOUT_MS) != 1)
				break;
			continue;
		}
		for (ssize_t off = 0; off < n;) {
			struct ntrace_hdr *hd = (struct ntrace_hdr *)((char *)buf + off);

			if (hd->type == NTRACE_EV_THREAD_NEW || hd->type == NTRACE_EV_THREAD_EXIT ||
			    hd->type == NTRACE_EV_LOST) {
				if (!first)
					first = hd->seq;
				if (last && hd->seq != last + 1)
					gaps += hd->seq - last - 1;
				last = hd->seq;
			}
			if (hd->type == NTRACE_EV_LOST) {
				lost += ((struct ntrace_ev_lost *)hd)->count;
				lost_recs++;
			} else if (hd->type == NTRACE_EV_THREAD_NEW ||
				   hd->type == NTRACE_EV_THREAD_EXIT) {
				reports++;
			}
			off += hd->len;
		}
	}
	CHECK(hr.queue_bytes == 65536 && lost_recs >= 1 && reports + lost == 2 * LOST_THREADS &&
		      gaps == lost && reports * sizeof(struct ntrace_ev_thread) <= hr.queue_bytes + 4096,
	      "reports past queue_bytes (%u): %llu queued, %llu lost in %llu LOST records, seq gaps %llu",
	      hr.queue_bytes, (unsigned long long)reports, (unsigned long long)lost,
	      (unsigned long long)lost_recs, (unsigned long long)gaps);
	close_session(&s);
	st = reap(pid);
	(void)st;
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
}

/* Pins the caller to @cpu; 0 on success. */
static int pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/*
 * The other session of lock_per_session, in its own process on CPU 1: once the hold has
 * begun, LIST_THREADS of its own target must be answered while the hold still lasts.
 * Returns a bitmask of failures.
 */
static int lock_peer(pid_t target, int ready)
{
	struct ntrace_cmd_pid c = { .pid = target };
	int held = 0, after, err, bad = 0;
	struct session s;

	if (pin(1))
		return 64;
	open_session(&s);
	if (hello(&s, NULL) || attach(&s, target, 0, NULL))
		return 65;
	if (write(ready, "r", 1) != 1)
		return 66;
	for (int i = 0; i < TIMEOUT_MS && !held; i++) {
		held = read_param("test_lock_holding") == 1;
		if (!held)
			usleep(1000);
	}
	err = call_err(&s, &c, sizeof(c), NTRACE_CMD_LIST_THREADS);
	after = read_param("test_lock_holding");
	write_param("test_lock_holding", "0");
	if (!held)
		bad |= 1; /* the hold never began */
	if (err)
		bad |= 2;
	if (after != 1) {
		printf("# lock_per_session: the other session's command was answered only after the hold (test_lock_holding %d)\n",
		       after);
		bad |= 4;
	}
	close_session(&s);
	return bad;
}

/*
 * Finding: one global nt_lock serialised every session of every user. The testing-only
 * test_lock_hold_ms makes the next command hold its session's lock (busy, interrupts off,
 * as every holder) until the other session's process ends it or the time is up; that other
 * session's command must be answered during the hold. With one lock for every session it
 * ran only after it. The two processes sit on different CPUs: the holding CPU takes no
 * interrupt, so nothing of the other (a timer, a wake-up) may wait for it.
 */
static void test_lock_per_session(void)
{
	struct ntrace_cmd_pid c = { .pid = 0 };
	int p[2], err = -9999, bad = 128;
	cpu_set_t old;
	struct session s;
	pid_t target, peer;

	if (sched_getaffinity(0, sizeof(old), &old) || pipe(p)) {
		CHECK(0, "lock_per_session: affinity, pipe");
		return;
	}
	target = spawn_so();
	peer = fork();
	if (!peer) {
		close(p[0]);
		_exit(lock_peer(target, p[1]));
	}
	close(p[1]);
	open_session(&s);
	hello(&s, NULL);
	if (!pin(0) && read_byte(p[0]) && !write_param("test_lock_hold_ms", "4000")) {
		err = call_err(&s, &c, sizeof(c), NTRACE_CMD_LIST_THREADS);
		bad = reap(peer);
		bad = WIFEXITED(bad) ? WEXITSTATUS(bad) : 256;
		peer = 0;
	}
	write_param("test_lock_hold_ms", "0");
	write_param("test_lock_holding", "0");
	sched_setaffinity(0, sizeof(old), &old);
	if (peer > 0) {
		kill(peer, SIGKILL);
		reap(peer);
	}
	EXPECT_EQ(bad, 0, "lock_per_session: another process's session completes a command while this one's lock is held (test_lock_hold_ms; bitmask)");
	CHECK(err != -9999, "lock_per_session: the holding command is answered (%d)", err);
	close_session(&s);
	close(p[0]);
	kill(target, SIGKILL);
	reap(target);
}

/* Whether @name contains one of the comma-separated words of @list. */
static int listed(const char *name, const char *list)
{
	char word[64];

	while (*list) {
		size_t n = strcspn(list, ",");

		snprintf(word, sizeof(word), "%.*s", (int)n, list);
		if (n && strstr(name, word))
			return 1;
		list += n + !!list[n];
	}
	return 0;
}

/* NTRACE_SELFTEST_ONLY=security:NAME[,NAME...] runs the tests whose name contains a NAME. */
static int selected(const char *name)
{
	const char *only = getenv("NTRACE_SELFTEST_ONLY");
	const char *colon = only ? strchr(only, ':') : NULL;

	return !colon || listed(name, colon + 1);
}

#define RUN(name, call)                \
	do {                           \
		if (selected(name))    \
			call;          \
	} while (0)

/* A test that runs only when NTRACE_SELFTEST_ONLY=security:NAME names it. */
static int named(const char *name)
{
	const char *only = getenv("NTRACE_SELFTEST_ONLY");
	const char *colon = only ? strchr(only, ':') : NULL;

	return colon && listed(name, colon + 1);
}

void test_security(const char *self, const char *suid)
{
	RUN("attach_exec_race",
	    EXPECT_EQ(as_nobody(attach_exec_race, suid), 0,
		      "as nobody: ATTACH racing a setuid exec never keeps control of the setuid image"));
	RUN("attach_window",
	    EXPECT_EQ(attach_window_root(suid), 0,
		      "as nobody: a setuid exec let go while ATTACH sleeps between check and hashing (test_attach_delay_ms) is revoked (bitmask)"));
	RUN("mem_exec_race",
	    EXPECT_EQ(as_nobody(mem_exec_race, suid), 0,
		      "as nobody: READ_MEM racing a setuid exec never reads the setuid image"));
	RUN("undumpable",
	    EXPECT_EQ(as_nobody(undumpable_regs, NULL), 0,
		      "as nobody: STOP of a process that became undumpable is EACCES and releases it (bitmask)"));
	RUN("undumpable",
	    EXPECT_EQ(as_nobody(undumpable_getregs, NULL), 0,
		      "as nobody: GET_REGS at a stop, the process undumpable since: EACCES, released (bitmask)"));
	RUN("reply_flood",
	    EXPECT_EQ(as_nobody(reply_flood, NULL), 0,
		      "as nobody: junk and READ_MEM floods hit the queue's bound (EAGAIN), memory stays (bitmask)"));
	RUN("blocked_writer", test_blocked_writer());
	RUN("bp_limit", test_bp_limit());
	RUN("compat32", test_compat32());
	RUN("sys_exit_users", test_sys_exit_users());
	RUN("step_into_handler", test_step_into_handler());
	/*
	 * Runs only when named. Its misses had two causes. One was the module's: the int3 of a
	 * breakpoint set again under a step-over was taken for the program's own, and the
	 * instruction skipped (fixed; stepover_reset shows it without a race). The other is
	 * the emulator's: under multi-threaded TCG the thread sometimes runs on through the
	 * 0xcc that /proc/<pid>/mem shows, for good, even in round 0 before any step-over (a
	 * translation of the text page that a FOLL_FORCE write from the other vCPU did not
	 * invalidate); with -accel tcg,thread=single it passed every run, but there it also
	 * rarely meets the race, so it does not stand in for stepover_reset.
	 */
	if (named("stepover_race"))
		test_stepover_race();
	RUN("stepover_reset", test_stepover_reset());
	RUN("stepover_clear_set", test_stepover_clear_set());
	RUN("lock_per_session", test_lock_per_session());
	RUN("exec_pidns", test_exec_pidns(self));
	RUN("exit_together", test_exit_together());
	RUN("lost", test_lost());
}
