// SPDX-License-Identifier: GPL-2.0-only
/*
 * ntrace_selftest, group "fork" (SELFTEST_ONLY=fork alone): following fork and vfork
 * children (NTRACE_EVENT_FORK, VFORK, VFORK_DONE), as the userspace provider reports them,
 * and the cases an opener must not gain from it: an undumpable parent's child, a followed
 * child's setuid exec, a session closed while a child is not adopted yet.
 */
#include "selftest.h"

/*
 * Debuggees, once exit_code_var is set: 0 forks, 1 vforks, 2 becomes undumpable and forks,
 * 3 forks a child that execs @path, 4 forks a child that writes magic; a child runs
 * bp_target() and exits 3 (kind 3: execs).
 * The parent waits for it, calls bp_target() itself (not kind 2) and exits 40 + the child's
 * code (60 + its signal).
 */
static pid_t fork_debuggee(int kind, const char *path)
{
	pid_t pid = fork(), c;
	int st;

	if (pid)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (int i = 3; i < 64; i++)
		close(i);
	while (!exit_code_var)
		usleep(1000);
	if (kind == 2)
		prctl(PR_SET_DUMPABLE, 0);
	c = kind == 1 ? vfork() : fork();
	if (c == 0) {
		if (kind == 3) {
			execl(path, "busybox", "true", (char *)NULL);
			_exit(97);
		}
		if (kind == 4)
			magic++;
		bp_target();
		_exit(3);
	}
	if (c < 0 || waitpid(c, &st, 0) != c)
		_exit(98);
	if (kind != 2)
		bp_target();
	_exit(WIFEXITED(st) ? 40 + WEXITSTATUS(st) : WIFSIGNALED(st) ? 60 + WTERMSIG(st) : 97);
}

static int match_exit(const struct ntrace_hdr *h, const void *arg)
{
	return h->type == NTRACE_EV_PROC_EXIT &&
	       ((const struct ntrace_ev_proc_exit *)h)->thread.tgid == *(const pid_t *)arg;
}

/* Where @pid is, and what the session holds unread: a failure's diagnostics. */
static void show(struct session *s, pid_t pid)
{
	const char *files[] = { "stat", "wchan", "stack" };
	char path[64], buf[512];
	struct rec *r;

	for (unsigned int i = 0; i < 3; i++) {
		FILE *f;
		size_t n;

		snprintf(path, sizeof(path), "/proc/%d/%s", pid, files[i]);
		f = fopen(path, "r");
		n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
		buf[n] = 0;
		for (char *p = buf; *p; p++)
			if (*p == '\n')
				*p = '|';
		printf("# %s: %s\n", path, buf);
		if (f)
			fclose(f);
	}
	for (r = s->stash; r; r = r->next)
		printf("# unread record type %#x reason %u tgid %d\n", r->h.type,
		       r->h.type == NTRACE_EV_STOP ? ((struct ntrace_ev_stop *)&r->h)->reason : 0,
		       r->h.type == NTRACE_EV_STOP ? ((struct ntrace_ev_stop *)&r->h)->thread.tgid :
						     0);
}

/* The exit status PROC_EXIT reports for @pid, -1 without one. */
static int wait_exit(struct session *s, pid_t pid)
{
	struct ntrace_ev_proc_exit *pe = (void *)wait_for(s, match_exit, &pid);
	int st = pe ? pe->wstatus : -1;

	if (!pe)
		show(s, pid);
	rec_free(&pe->hdr);
	return st;
}

/*
 * A session attached to a new debuggee of @kind with @events, a breakpoint at bp_target and a
 * write watchpoint at @watch (if any), released; its pid. *@err: the first failing command's
 * error (SET_OPTIONS: EOPNOTSUPP on a module without fork following).
 */
static pid_t start_watch(struct session *s, int kind, const char *path, uint64_t events,
			 uint32_t attach_flags, const volatile void *watch, int *err)
{
	struct ntrace_cmd_set_options o = { .events = events };
	int one = 1;
	pid_t pid = fork_debuggee(kind, path);

	open_session(s);
	hello(s, NULL);
	*err = attach(s, pid, attach_flags, NULL);
	o.pid = pid;
	if (!*err)
		*err = call_err(s, &o, sizeof(o), NTRACE_CMD_SET_OPTIONS);
	if (!*err)
		*err = bp_cmd(s, pid, (uintptr_t)bp_target, NTRACE_CMD_SET_BP);
	if (!*err && watch)
		*err = hw_cmd(s, pid, NTRACE_BP_WRITE, (uintptr_t)watch, 8, NTRACE_CMD_SET_BP);
	write_mem(s, pid, (uintptr_t)&exit_code_var, &one, sizeof(one));
	return pid;
}

static pid_t start(struct session *s, int kind, const char *path, uint64_t events,
		   uint32_t attach_flags, int *err)
{
	return start_watch(s, kind, path, events, attach_flags, NULL, err);
}

#define START(s, kind, path, events, flags)                                                  \
	({                                                                                   \
		int _err;                                                                    \
		pid_t _pid = start(s, kind, path, events, flags, &_err);                     \
		EXPECT_EQ(_err, 0, "ATTACH, SET_OPTIONS events " #events ", SET_BP");        \
		_pid;                                                                        \
	})

/* The next stop of @handle is a breakpoint hit at bp_target; resumed. */
static void expect_bp(struct session *s, uint64_t handle, pid_t tgid, const char *who)
{
	struct ntrace_ev_stop *ev = wait_stop(s, handle, 0);

	CHECK(ev && ev->reason == NTRACE_STOP_BREAKPOINT && ev->thread.tgid == tgid &&
		      ev->pc == (uintptr_t)bp_target,
	      "%s stops at bp_target's breakpoint (reason %d)", who, ev ? (int)ev->reason : -1);
	if (ev)
		resume(s, ev->thread.handle, ev->stop_id, NTRACE_RESUME_CONT, 0);
	rec_free(&ev->hdr);
}

/*
 * Resume @at (if any), then @on's thread stops at the breakpoint and @tgid exits with @code:
 * the end of a followed child or of its parent.
 */
static void run_to_exit(struct session *s, const struct ntrace_ev_stop *at,
			const struct ntrace_ev_stop *on, pid_t tgid, const char *who, int code,
			const char *exit_what)
{
	if (at)
		resume(s, at->thread.handle, at->stop_id, NTRACE_RESUME_CONT, 0);
	expect_bp(s, on ? on->thread.handle : ~0ULL, tgid, who);
	EXPECT_EQ(wait_exit(s, tgid), code << 8, exit_what);
}

static void test_fork_follow(void)
{
	struct ntrace_ev_stop *f, *c;
	struct session s;
	pid_t pid, kid = 0;
	uint8_t b = 0;

	pid = START(&s, 0, NULL, NTRACE_EVENT_FORK, NTRACE_ATTACH_KILL_ON_CLOSE);
	f = wait_stop(&s, 0, 0);
	CHECK(f && f->reason == NTRACE_STOP_FORK && f->thread.tgid == pid && f->signo == SIGTRAP &&
		      (pid_t)f->data[1] > 0 && (pid_t)f->data[1] != pid && f->data[0],
	      "the first record is the parent's FORK stop, data = the child's handle and pid");
	if (f)
		kid = (pid_t)f->data[1];
	check_stop_regs(&s, f, "FORK stop");
	c = wait_stop(&s, 0, 0);
	CHECK(c && f && c->reason == NTRACE_STOP_NEW_THREAD && c->thread.handle == f->data[0] &&
		      c->thread.tgid == kid && c->thread.tid == kid,
	      "then the child's NEW_THREAD stop, with that handle, before its first instruction");
	CHECK(read_mem(&s, kid, (uintptr_t)bp_target, &b, 1) == 1 && b != 0xcc,
	      "READ_MEM of the child shows the original byte under the inherited int3 (%#x)", b);
	run_to_exit(&s, c, c, kid, "the child (its copy of the breakpoint)", 3,
		    "PROC_EXIT of the child: exit 3");
	run_to_exit(&s, f, f, pid, "the parent", 43, "PROC_EXIT of the parent: exit 43");
	rec_free(&f->hdr);
	rec_free(&c->hdr);
	close_session(&s);
	reap(pid);
}

static void test_vfork_follow(void)
{
	struct ntrace_ev_stop *v, *c, *d;
	struct user_regs_struct regs;
	struct session s;
	pid_t pid, kid = 0;

	pid = START(&s, 1, NULL, NTRACE_EVENT_VFORK | NTRACE_EVENT_VFORK_DONE,
		    NTRACE_ATTACH_KILL_ON_CLOSE);
	v = wait_stop(&s, 0, 0);
	CHECK(v && v->reason == NTRACE_STOP_VFORK && v->thread.tgid == pid &&
		      (pid_t)v->data[1] > 0 && (pid_t)v->data[1] != pid,
	      "the first record is the parent's VFORK stop, while it waits for its child");
	if (v)
		kid = (pid_t)v->data[1];
	check_stop_regs(&s, v, "VFORK stop (the parent still in the kernel)");
	{
		uint8_t fpr[512];

		EXPECT_EQ(regs_raw(&s, NTRACE_CMD_GET_REGS, v ? v->thread.handle : 0,
				   v ? v->stop_id : 0, NTRACE_REGSET_FPR, fpr, sizeof(fpr)),
			  512, "GET_REGS FPR of the vfork parent (bytes)");
	}
	memcpy(&regs, v ? (void *)(v + 1) : (void *)&regs, sizeof(regs));
	EXPECT_EQ(set_regs(&s, v ? v->thread.handle : 0, v ? v->stop_id : 0, &regs), -EBUSY,
		  "SET_REGS of the vfork parent while its child runs: EBUSY");
	c = wait_stop(&s, 0, 0);
	CHECK(c && v && c->reason == NTRACE_STOP_NEW_THREAD && c->thread.handle == v->data[0] &&
		      c->thread.tgid == kid,
	      "then the child's NEW_THREAD stop");
	if (v)
		EXPECT_EQ(resume(&s, v->thread.handle, v->stop_id, NTRACE_RESUME_CONT, 0), 0,
			  "RESUME of the VFORK stop while the child is stopped");
	run_to_exit(&s, c, c, kid, "the vfork child (shared memory)", 3,
		    "PROC_EXIT of the vfork child: exit 3");
	d = wait_stop(&s, v ? v->thread.handle : ~0ULL, 0);
	CHECK(d && d->reason == NTRACE_STOP_VFORK_DONE && d->signo == SIGTRAP,
	      "the parent's VFORK_DONE stop after the child exited (reason %d)",
	      d ? (int)d->reason : -1);
	check_stop_regs(&s, d, "VFORK_DONE stop");
	run_to_exit(&s, d, v, pid, "the parent", 43, "PROC_EXIT of the parent: exit 43");
	rec_free(&v->hdr);
	rec_free(&c->hdr);
	rec_free(&d->hdr);
	close_session(&s);
	reap(pid);
}

/* The parent's debug-register watchpoint is the followed child's too (as gdbserver's mirror). */
static void test_fork_hw(void)
{
	struct ntrace_ev_stop *f, *c, *w;
	struct session s;
	pid_t pid, kid = 0;
	int err;

	pid = start_watch(&s, 4, NULL, NTRACE_EVENT_FORK, NTRACE_ATTACH_KILL_ON_CLOSE, &magic,
			  &err);
	EXPECT_EQ(err, 0, "ATTACH, SET_OPTIONS fork events, SET_BP, a WRITE watchpoint on magic");
	f = wait_stop(&s, 0, NTRACE_STOP_FORK);
	c = wait_stop(&s, 0, NTRACE_STOP_NEW_THREAD);
	if (f)
		kid = (pid_t)f->data[1];
	if (c)
		resume(&s, c->thread.handle, c->stop_id, NTRACE_RESUME_CONT, 0);
	w = wait_stop(&s, c ? c->thread.handle : ~0ULL, 0);
	CHECK(w && w->reason == NTRACE_STOP_WATCH && w->thread.tgid == kid &&
		      w->data[0] == (uintptr_t)&magic && w->data[1] == NTRACE_BP_WRITE,
	      "the child's write of magic stops it: WATCH (reason %d)", w ? (int)w->reason : -1);
	if (w)
		EXPECT_EQ(resume(&s, w->thread.handle, w->stop_id, NTRACE_RESUME_CONT, 0), 0,
			  "RESUME from the WATCH stop");
	run_to_exit(&s, NULL, c, kid, "then the child", 3, "PROC_EXIT of the child: exit 3");
	run_to_exit(&s, f, f, pid, "the parent", 43, "PROC_EXIT of the parent: exit 43");
	rec_free(&f->hdr);
	rec_free(&c->hdr);
	rec_free(&w->hdr);
	close_session(&s);
	reap(pid);
}

/* VFORK_DONE without following the child: it runs free of our int3s. */
static void test_vfork_done_only(void)
{
	struct ntrace_ev_stop *d;
	struct session s;
	pid_t pid;

	pid = START(&s, 1, NULL, NTRACE_EVENT_VFORK_DONE, NTRACE_ATTACH_KILL_ON_CLOSE);
	d = wait_stop(&s, 0, 0);
	CHECK(d && d->reason == NTRACE_STOP_VFORK_DONE && d->thread.tgid == pid,
	      "an unfollowed vfork child: the first stop is the parent's VFORK_DONE (reason %d)",
	      d ? (int)d->reason : -1);
	run_to_exit(&s, d, d, pid, "the parent, its int3 back", 43,
		    "PROC_EXIT of the parent: exit 43 (the child ran through, not by SIGTRAP)");
	rec_free(&d->hdr);
	close_session(&s);
	reap(pid);
}

/* No record but @pid's PROC_EXIT came: the child was never followed. */
static int only_exit(struct session *s, pid_t pid)
{
	int st = wait_exit(s, pid), n = 0;
	struct pollfd p = { .fd = s->fd, .events = POLLIN };
	struct rec *r;

	if (poll(&p, 1, 0) == 1)
		pump(s);
	for (r = s->stash; r; r = r->next)
		if (r->h.type == NTRACE_EV_STOP)
			n++;
	return n ? -n : st;
}

/* An undumpable process's child is not followed: the opener could not attach to it. */
static void test_fork_undumpable(void)
{
	struct session s;
	pid_t pid;

	pid = START(&s, 2, NULL, NTRACE_EVENT_FORK, NTRACE_ATTACH_KILL_ON_CLOSE);
	EXPECT_EQ(only_exit(&s, pid), 43 << 8,
		  "undumpable parent: its fork child not followed, no stop, parent exit 43");
	close_session(&s);
	reap(pid);
}

/*
 * A followed child that execs a setuid binary is released, as an attached process is. As
 * nobody (root's exec of a setuid-root file gains nothing); a bitmask of failures.
 */
static int fork_suid_exec(const char *suid)
{
	struct ntrace_ev_detached *dt;
	struct ntrace_ev_stop *f, *c, *b;
	struct session s;
	pid_t pid, kid = 0;
	int err, bad = 0;

	pid = start(&s, 3, suid, NTRACE_EVENT_FORK, NTRACE_ATTACH_KILL_ON_CLOSE, &err);
	if (err)
		return 1;
	f = wait_stop(&s, 0, NTRACE_STOP_FORK);
	c = wait_stop(&s, 0, NTRACE_STOP_NEW_THREAD);
	if (!f || !c)
		return 2;
	kid = (pid_t)f->data[1];
	resume(&s, c->thread.handle, c->stop_id, NTRACE_RESUME_CONT, 0);
	dt = (void *)wait_type(&s, NTRACE_EV_DETACHED);
	if (!dt || dt->pid != kid || dt->reason != NTRACE_DETACHED_PRIVILEGE)
		bad |= 4;
	rec_free(&dt->hdr);
	resume(&s, f->thread.handle, f->stop_id, NTRACE_RESUME_CONT, 0);
	b = wait_stop(&s, f->thread.handle, NTRACE_STOP_BREAKPOINT);
	if (!b)
		bad |= 8;
	else
		resume(&s, b->thread.handle, b->stop_id, NTRACE_RESUME_CONT, 0);
	rec_free(&b->hdr);
	if (only_exit(&s, pid) != 40 << 8)
		bad |= 16;
	rec_free(&f->hdr);
	rec_free(&c->hdr);
	close_session(&s);
	reap(pid);
	return bad;
}

/*
 * The session closes with a child the fork hook followed and no command adopted: both run
 * on, the child's int3 out (else it dies of SIGTRAP: exit 65).
 */
static void test_fork_close(void)
{
	struct ntrace_ev_stop *f;
	struct session s;
	pid_t pid;
	int st;

	pid = START(&s, 0, NULL, NTRACE_EVENT_FORK, 0);
	f = wait_stop(&s, 0, NTRACE_STOP_FORK);
	CHECK(f != NULL, "FORK stop, then close without a command");
	rec_free(&f->hdr);
	close_session(&s);
	st = reap(pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 43,
	      "closed: parent and child ran on, the child's int3 removed (status %#x)", st);
}

/*
 * All-stop: a FORK/VFORK record goes out only once every other thread is held, as any stop's.
 * The debuggee's second thread first waits in the kernel for a vfork child of its own
 * (TASK_KILLABLE: no request can hold it there) until the test writes to @release; then the
 * main thread vforks. The fork hook cannot wait, so the child waits for the parent: no
 * record may come while the second thread is still in its vfork (the module before this
 * published the VFORK record at once and asked the others to stop after it); once it is
 * released, the VFORK record comes first, then the second thread's REQUESTED stop.
 */
static int waiter_fds[2]; /* [0] the vfork child's release, [1] the waiter's tid out */

static void *vfork_waiter(void *arg)
{
	pid_t tid = gettid();
	char c;

	(void)arg;
	if (write(waiter_fds[1], &tid, sizeof(tid)) != sizeof(tid))
		_exit(95);
	if (vfork() == 0) {
		if (read(waiter_fds[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	for (;;)
		pause();
	return NULL;
}

/* The debuggee; *@release: its vfork waiter's release, *@waiter: that thread's tid. */
static pid_t held_vfork_debuggee(int *release, pid_t *waiter)
{
	int rel[2], tp[2];
	pthread_t th;
	pid_t pid, c;

	if (pipe(rel) || pipe(tp))
		return -1;
	pid = fork();
	if (pid) {
		close(rel[0]);
		close(tp[1]);
		*release = rel[1];
		if (read(tp[0], waiter, sizeof(*waiter)) != sizeof(*waiter))
			*waiter = -1;
		close(tp[0]);
		return pid;
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	close(rel[1]);
	close(tp[0]);
	waiter_fds[0] = rel[0];
	waiter_fds[1] = tp[1];
	if (pthread_create(&th, NULL, vfork_waiter, NULL))
		_exit(96);
	while (!exit_code_var)
		usleep(1000);
	c = vfork();
	if (c == 0)
		_exit(5);
	_exit(c > 0 && waitpid(c, NULL, 0) == c ? 45 : 98);
}

static void test_vfork_allstop_held(void)
{
	struct ntrace_cmd_set_options o = { .flags = NTRACE_OPT_ALL_STOP,
					    .events = NTRACE_EVENT_VFORK };
	struct ntrace_ev_stop *v, *w = NULL;
	struct pollfd p;
	struct session s;
	pid_t pid, waiter = -1;
	int release = -1, one = 1, early = 0;
	struct rec *r;

	pid = held_vfork_debuggee(&release, &waiter);
	CHECK(pid > 0 && waiter > 0 && wait_state(waiter, 'D'),
	      "all-stop vfork: the second thread waits in the kernel for its own vfork child");
	open_session(&s);
	hello(&s, NULL);
	o.pid = pid;
	EXPECT_EQ(attach(&s, pid, NTRACE_ATTACH_KILL_ON_CLOSE, NULL) ||
			  call_err(&s, &o, sizeof(o), NTRACE_CMD_SET_OPTIONS),
		  0, "ATTACH, SET_OPTIONS all-stop and vfork events");
	write_mem(&s, pid, (uintptr_t)&exit_code_var, &one, sizeof(one));
	/* 'D': the main thread waits for its vfork child, so the fork hook has run. */
	CHECK(wait_state(pid, 'D'), "the main thread vforks");
	p = (struct pollfd){ .fd = s.fd, .events = POLLIN };
	if (poll(&p, 1, 1000) == 1)
		pump(&s);
	for (r = s.stash; r; r = r->next)
		early += r->h.type == NTRACE_EV_STOP;
	EXPECT_EQ(early, 0, "no stop record while the other thread cannot be held (a second)");
	if (write(release, "g", 1) != 1)
		printf("# release write failed\n");
	v = wait_stop(&s, 0, 0);
	CHECK(v && v->reason == NTRACE_STOP_VFORK && v->thread.tid == pid,
	      "the other thread released: the main thread's VFORK record first (reason %d)",
	      v ? (int)v->reason : -1);
	for (int i = 0; i < 2 && !w; i++) {
		struct ntrace_ev_stop *e = wait_stop(&s, 0, 0);

		if (e && e->thread.tid == waiter)
			w = e;
		else
			rec_free(&e->hdr);
	}
	CHECK(w && w->reason == NTRACE_STOP_REQUESTED,
	      "then the other thread's REQUESTED stop (reason %d)", w ? (int)w->reason : -1);
	rec_free(&v->hdr);
	rec_free(&w->hdr);
	close(release);
	close_session(&s);
	reap(pid);
}

void test_fork(const char *suid)
{
	test_fork_follow();
	test_vfork_follow();
	test_fork_hw();
	test_vfork_done_only();
	test_fork_undumpable();
	EXPECT_EQ(as_nobody(fork_suid_exec, suid), 0,
		  "as nobody: a followed fork child's setuid exec gives DETACHED(PRIVILEGE) for it, "
		  "no stop, it runs to its end (bitmask of failures)");
	test_fork_close();
	test_vfork_allstop_held();
}
