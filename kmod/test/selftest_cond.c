// SPDX-License-Identifier: GPL-2.0-only
/*
 * ntrace_selftest: breakpoint conditions and commands in the module (issue 14,
 * NTRACE_CAP_COND_BYTECODE). The engine conformance suite (test/engine/conditions.test.ts)
 * covers the behaviour on both providers; these cover what is the module's own: hits
 * filtered in the thread without a record, a STOP request surviving a filtered hit, OUTPUT
 * records, and the bounds on expression memory. NTRACE_SELFTEST_ONLY=cond runs them alone.
 */
#include "selftest.h"

#include <time.h>

#define NT_MAX_EXPR_BYTES 32768 /* per SET_BP (ntrace_internal.h) */
#define NT_PROC_EXPR_BYTES (1U << 20) /* per process */

/* Agent-expression opcodes (GDB manual, "Agent Expressions"). */
enum { AX_EQUAL = 0x13, AX_REF64 = 0x1a, AX_CONST8 = 0x22, AX_CONST64 = 0x25, AX_END = 0x27 };
enum { AX_POP = 0x29, AX_PRINTF = 0x34 };

struct bp_rec {
	struct ntrace_cmd_bp c;
	uint8_t exprs[60000];
};

static uint8_t *put64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--)
		*p++ = (uint8_t)(v >> (i * 8)); /* operands are big-endian */
	return p;
}

/* Appends one item (struct ntrace_bp_expr + code) at @p. */
static uint8_t *put_expr(uint8_t *p, uint16_t type, const uint8_t *code, uint32_t len)
{
	struct ntrace_bp_expr e = { .len = len, .type = type };

	memcpy(p, &e, sizeof(e));
	memcpy(p + sizeof(e), code, len);
	return p + sizeof(e) + len;
}

/* *(uint64_t *)addr == v */
static uint32_t cond_u64_is(uint8_t *code, const volatile void *addr, uint64_t v)
{
	uint8_t *p = code;

	*p++ = AX_CONST64;
	p = put64(p, (uint64_t)(uintptr_t)addr);
	*p++ = AX_REF64;
	*p++ = AX_CONST64;
	p = put64(p, v);
	*p++ = AX_EQUAL;
	*p++ = AX_END;
	return (uint32_t)(p - code);
}

/* printf(fmt, *(uint64_t *)addr): args, function, channel, printf nargs fmtlen fmt, end. */
static uint32_t cmd_printf_u64(uint8_t *code, const char *fmt, const volatile void *addr)
{
	uint16_t n = (uint16_t)(strlen(fmt) + 1);
	uint8_t *p = code;

	*p++ = AX_CONST64;
	p = put64(p, (uint64_t)(uintptr_t)addr);
	*p++ = AX_REF64;
	*p++ = AX_CONST8, *p++ = 0;
	*p++ = AX_CONST8, *p++ = 0;
	*p++ = AX_PRINTF, *p++ = 1, *p++ = (uint8_t)(n >> 8), *p++ = (uint8_t)n;
	memcpy(p, fmt, n);
	p += n;
	*p++ = AX_END;
	return (uint32_t)(p - code);
}

/* A valid condition of exactly @len bytes (len % 3 == 0): (const8 1; pop)..., const8 1, end. */
static uint32_t cond_long(uint8_t *code, uint32_t len)
{
	uint32_t i;

	for (i = 0; i + 3 < len; i += 3)
		code[i] = AX_CONST8, code[i + 1] = 1, code[i + 2] = AX_POP;
	code[i] = AX_CONST8, code[i + 1] = 1, code[i + 2] = AX_END;
	return len;
}

static int set_bp_exprs(struct session *s, pid_t pid, uint64_t addr, uint16_t flags,
			const uint8_t *exprs, uint32_t len)
{
	static struct bp_rec r;
	uint32_t total = (uint32_t)NTRACE_RECORD_ALIGN(sizeof(r.c) + len);

	memset(&r, 0, sizeof(r));
	r.c.hdr.flags = flags;
	r.c.pid = pid;
	r.c.kind = NTRACE_BP_SW;
	r.c.addr = addr;
	r.c.len = 1;
	r.c.cond_len = len;
	memcpy(r.exprs, exprs, len);
	return call_err(s, &r, total, NTRACE_CMD_SET_BP);
}

static pid_t start(struct session *s, uint64_t *h, uint64_t *stop_id)
{
	struct ntrace_hello_reply hr;
	struct ntrace_ev_stop *ev;
	pid_t pid = spawn(0, -1);

	open_session(s);
	hello(s, &hr);
	CHECK(hr.caps & NTRACE_CAP_COND_BYTECODE, "cond: HELLO offers NTRACE_CAP_COND_BYTECODE");
	attach(s, pid, NTRACE_ATTACH_STOP | NTRACE_ATTACH_KILL_ON_CLOSE, h);
	ev = wait_stop(s, *h, NTRACE_STOP_ATTACH);
	*h = ev->thread.handle;
	*stop_id = ev->stop_id;
	rec_free(&ev->hdr);
	return pid;
}

static void finish(struct session *s, pid_t pid)
{
	pid_cmd(s, pid, NTRACE_CMD_KILL);
	rec_free(wait_type(s, NTRACE_EV_PROC_EXIT));
	reap(pid);
	close_session(s);
}

static int match_any_stop(const struct ntrace_hdr *h, const void *arg)
{
	(void)arg;
	return h->type == NTRACE_EV_STOP;
}

/* A false condition costs no record: the first record is the true hit's stop. */
static void test_cond_filter(void)
{
	uint8_t exprs[256], code[64], *p = exprs;
	struct ntrace_ev_stop *ev;
	struct session s;
	uint64_t h, stop_id, base, at;
	pid_t pid;

	pid = start(&s, &h, &stop_id);
	base = read_u64(&s, pid, &spin_count);
	p = put_expr(p, NTRACE_BP_EXPR_COND, code, cond_u64_is(code, &spin_count, base + 300));
	EXPECT_EQ(set_bp_exprs(&s, pid, (uint64_t)(uintptr_t)bp_target, 0, exprs,
			       (uint32_t)(p - exprs)),
		  0, "cond: SET_BP with a condition");
	resume(&s, h, stop_id, NTRACE_RESUME_CONT, 0);
	ev = (struct ntrace_ev_stop *)wait_for(&s, match_any_stop, NULL);
	at = ev ? read_u64(&s, pid, &spin_count) : 0;
	CHECK(ev && ev->reason == NTRACE_STOP_BREAKPOINT && at == base + 300,
	      "cond: the first stop is the hit whose condition holds (reason %u, %llu calls of 300)",
	      ev ? ev->reason : 0, (unsigned long long)(at - base));
	if (ev)
		rec_free(&ev->hdr);
	finish(&s, pid);
}

/* A STOP requested while hits are being filtered still stops the thread. */
static void test_cond_stop_request(void)
{
	uint8_t exprs[256], code[64], *p = exprs;
	struct ntrace_ev_stop *ev;
	struct session s;
	uint64_t h, stop_id, base, ran;
	pid_t pid;

	pid = start(&s, &h, &stop_id);
	base = read_u64(&s, pid, &spin_count);
	/* Never true: every call is a filtered hit. */
	p = put_expr(p, NTRACE_BP_EXPR_COND, code, cond_u64_is(code, &magic, 1));
	set_bp_exprs(&s, pid, (uint64_t)(uintptr_t)bp_target, 0, exprs, (uint32_t)(p - exprs));
	resume(&s, h, stop_id, NTRACE_RESUME_CONT, 0);
	usleep(200000);
	EXPECT_EQ(stop_cmd(&s, pid, h), 0, "cond: STOP while every hit is filtered");
	ev = wait_stop(&s, h, 0);
	CHECK(ev && ev->reason == NTRACE_STOP_REQUESTED,
	      "cond: the requested stop arrives (reason %u)", ev ? ev->reason : 0);
	ran = read_u64(&s, pid, &spin_count) - base;
	CHECK(ran > 1, "cond: the filtered hits ran on, unreported (%llu calls before the STOP)",
	      (unsigned long long)ran);
	if (ev)
		rec_free(&ev->hdr);
	finish(&s, pid);
}

/* dprintf: one OUTPUT record per call, with the text, and never a stop. */
static void test_cond_output(void)
{
	uint8_t exprs[256], code[96], *p = exprs;
	struct ntrace_ev_output *out;
	struct ntrace_ev_stop *ev;
	struct session s;
	uint64_t h, stop_id, first = 0;
	int n = 0, seq_ok = 1;
	pid_t pid;

	pid = start(&s, &h, &stop_id);
	p = put_expr(p, NTRACE_BP_EXPR_CMD, code, cmd_printf_u64(code, "n=%lu", &spin_count));
	EXPECT_EQ(set_bp_exprs(&s, pid, (uint64_t)(uintptr_t)bp_target, 0, exprs,
			       (uint32_t)(p - exprs)),
		  0, "cond: SET_BP with a printf command");
	resume(&s, h, stop_id, NTRACE_RESUME_CONT, 0);
	for (n = 0; n < 20; n++) {
		char text[64] = "";
		unsigned long long v = 0;

		out = (struct ntrace_ev_output *)wait_type(&s, NTRACE_EV_OUTPUT);
		if (!out)
			break;
		memcpy(text, out + 1, out->len < sizeof(text) - 1 ? out->len : sizeof(text) - 1);
		if (sscanf(text, "n=%llu", &v) != 1 || out->addr != (uint64_t)(uintptr_t)bp_target ||
		    out->thread.handle != h || (n && v != first + (uint64_t)n))
			seq_ok = 0;
		if (!n)
			first = v;
		rec_free(&out->hdr);
	}
	CHECK(n == 20 && seq_ok, "cond: 20 OUTPUT records, consecutive calls, at the breakpoint (%d)",
	      n);
	stop_cmd(&s, pid, h);
	ev = wait_stop(&s, h, 0);
	CHECK(ev && ev->reason == NTRACE_STOP_REQUESTED,
	      "cond: no breakpoint stop before the requested one (reason %u)", ev ? ev->reason : 0);
	if (ev)
		rec_free(&ev->hdr);
	finish(&s, pid);
}

/* Expression memory is bounded per SET_BP and per process, and given back on CLEAR_BP. */
static void test_cond_bounds(void)
{
	static uint8_t exprs[60000], code[16384];
	uint32_t one = 15999, item = one + (uint32_t)sizeof(struct ntrace_bp_expr);
	int set = 0, err = 0, cleared = 0, want = (int)(NT_PROC_EXPR_BYTES / item);
	struct session s;
	uint64_t h, stop_id;
	uint8_t *p;
	pid_t pid;

	pid = start(&s, &h, &stop_id);
	/* Two items of 16 KiB fit in one SET_BP, three do not. */
	p = exprs;
	for (int i = 0; i < 2; i++)
		p = put_expr(p, NTRACE_BP_EXPR_COND, code, cond_long(code, one));
	EXPECT_EQ(set_bp_exprs(&s, pid, 0x401000, 0, exprs, (uint32_t)(p - exprs)), 0,
		  "cond: two 16 KiB conditions on one breakpoint");
	bp_cmd(&s, pid, 0x401000, NTRACE_CMD_CLEAR_BP);
	p = put_expr(p, NTRACE_BP_EXPR_COND, code, cond_long(code, one));
	EXPECT_EQ(set_bp_exprs(&s, pid, 0x401000, 0, exprs, (uint32_t)(p - exprs)), -ENOSPC,
		  "cond: over NT_MAX_EXPR_BYTES in one SET_BP: ENOSPC");
	EXPECT_EQ(bp_cmd(&s, pid, 0x401000, NTRACE_CMD_CLEAR_BP), -ENOENT,
		  "cond: the refused breakpoint was not set");
	p = put_expr(exprs, NTRACE_BP_EXPR_COND, code, cond_long(code, one));
	for (int i = 0; i <= want && !err; i++) {
		err = set_bp_exprs(&s, pid, 0x401000 + i, 0, exprs, (uint32_t)(p - exprs));
		set += !err;
	}
	CHECK(set == want && err == -ENOSPC,
	      "cond: %d breakpoints with 16 KiB each, the next: ENOSPC (got %d after %d)", want,
	      err, set);
	EXPECT_EQ(set_bp_exprs(&s, pid, 0x401000, NTRACE_SETBP_REPLACE, exprs, 0), 0,
		  "cond: REPLACE with an empty list frees that breakpoint's expressions");
	EXPECT_EQ(set_bp_exprs(&s, pid, 0x401000 + set, 0, exprs, (uint32_t)(p - exprs)), 0,
		  "cond: ...which makes room for another");
	set++;
	for (int i = 0; i < set; i++)
		cleared += !bp_cmd(&s, pid, 0x401000 + i, NTRACE_CMD_CLEAR_BP);
	EXPECT_EQ(cleared, set, "cond: all cleared");
	for (err = 0, set = 0; set < want && !err; set++)
		err = set_bp_exprs(&s, pid, 0x402000 + set, 0, exprs, (uint32_t)(p - exprs));
	CHECK(!err, "cond: CLEAR_BP gave every byte back (%d set again, err %d)", set, err);
	finish(&s, pid);
}

/*
 * A debuggee whose four threads call bp_target forever, each counting its calls (read by
 * test_cond_cleared_stream).
 */
#define STREAM_THREADS 4
#define STREAM_ROUNDS 150
static volatile uint64_t stream_calls[STREAM_THREADS];

static void *stream_thread(void *arg)
{
	volatile uint64_t *calls = arg;

	for (;;) {
		bp_target();
		(*calls)++;
	}
	return NULL;
}

static pid_t spawn_stream(void)
{
	pthread_t th;
	pid_t pid = fork_quiet(-1);

	if (pid)
		return pid;
	for (int i = 1; i < STREAM_THREADS; i++)
		if (pthread_create(&th, NULL, stream_thread, (void *)&stream_calls[i]))
			_exit(98);
	stream_thread((void *)&stream_calls[0]);
	_exit(0);
}

/*
 * DETACH while threads run through a breakpoint (filtered hits of a false condition here):
 * each breakpoint must stay in use until its original byte is back, or a thread meeting the
 * int3 in between finds no breakpoint and dies of SIGTRAP (found by the conformance suite's
 * agent test 'detached while threads run through pads'). The testing-only
 * test_release_delay_ms holds DETACH in that window for 300 ms.
 */
static void test_cond_detach_running(void)
{
	const uint8_t orig = *(volatile const uint8_t *)bp_target;
	struct ntrace_cmd_set_options o = { 0 };
	uint8_t exprs[256], code[64], *p = exprs;
	int st = -1, err, err_detach, gone, byte = -1, fd, stops = 0;
	uint64_t h, base, ran = 0;
	struct session s;
	char path[64];
	uint8_t b;
	pid_t pid;

	pid = spawn_stream();
	open_session(&s);
	hello(&s, NULL);
	attach(&s, pid, 0, &h);
	/* No signal stops: a SIGTRAP of ours must kill, as it would without the module. */
	o.pid = pid;
	call_err(&s, &o, sizeof(o), NTRACE_CMD_SET_OPTIONS);
	/* Inserted while job-stopped, as in stepover_reset (TCG's stale translations). */
	kill(pid, SIGSTOP);
	wait_state(pid, 'T');
	base = read_u64(&s, pid, &spin_count);
	p = put_expr(p, NTRACE_BP_EXPR_COND, code, cond_u64_is(code, &magic, 1)); /* never */
	err = set_bp_exprs(&s, pid, (uint64_t)(uintptr_t)bp_target, 0, exprs,
			   (uint32_t)(p - exprs));
	kill(pid, SIGCONT);
	for (int i = 0; i < TIMEOUT_MS && ran < 1000; i++) {
		ran = read_u64(&s, pid, &spin_count) - base;
		if (ran < 1000)
			usleep(1000);
	}
	if (write_param("test_release_delay_ms", "300"))
		err = -9998; /* no such parameter */
	err_detach = pid_cmd(&s, pid, NTRACE_CMD_DETACH);
	write_param("test_release_delay_ms", "0");
	for (struct rec *q = s.stash; q; q = q->next)
		stops += q->h.type == NTRACE_EV_STOP; /* the condition is never true */
	/* A SIGTRAP from the window came during the 300 ms: the process is dead by now. */
	gone = waitpid(pid, &st, WNOHANG) == pid;
	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	fd = gone ? -1 : open(path, O_RDONLY);
	if (fd >= 0 && pread(fd, &b, 1, (uintptr_t)bp_target) == 1)
		byte = b;
	if (fd >= 0)
		close(fd);
	if (!gone) {
		kill(pid, SIGKILL);
		st = reap(pid);
	}
	CHECK(!err && !err_detach && ran >= 1000,
	      "cond: DETACH of four threads calling a function with a breakpoint and a false condition (SET_BP %d, DETACH %d, %llu calls before)",
	      err, err_detach, (unsigned long long)ran);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL && !stops,
	      "cond: no thread dies of SIGTRAP while DETACH puts the byte back (test_release_delay_ms; the process's end: signal %d, %s; %d STOP records)",
	      WIFSIGNALED(st) ? WTERMSIG(st) : -1, gone ? "before our SIGKILL" : "9 is our SIGKILL",
	      stops);
	EXPECT_EQ(byte, orig, "cond: the original byte is back after DETACH");
	close_session(&s);
}

/*
 * The debuggee of test_cond_group_signal: a thread calling bp_target forever beside a main
 * thread that blocks SIGUSR1 and waits for it in pthread_join. A byte on @fd says it is ready.
 */
static pid_t spawn_blocked_leader(int fd)
{
	struct sigaction sa = { .sa_sigaction = on_usr1, .sa_flags = SA_SIGINFO | SA_RESTART };
	sigset_t usr1;
	pthread_t th;
	pid_t pid = fork_quiet(fd);

	if (pid)
		return pid;
	sigaction(SIGUSR1, &sa, NULL);
	if (pthread_create(&th, NULL, stream_thread, (void *)&stream_calls[0])) /* SIGUSR1 unblocked */
		_exit(98);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	if (pthread_sigmask(SIG_BLOCK, &usr1, NULL) || write(fd, "r", 1) != 1)
		_exit(99);
	pthread_join(th, NULL);
	_exit(0);
}

/* A debuggee from @fn, once it has said it is ready (a byte on the pipe it is given). */
static pid_t spawn_ready(pid_t (*fn)(int fd))
{
	int pfd[2];
	pid_t pid;

	if (pipe(pfd))
		return -1;
	pid = fn(pfd[1]);
	close(pfd[1]);
	read_byte(pfd[0]);
	close(pfd[0]);
	return pid;
}

/* @s opened, its HELLO done and @pid attached. */
static void open_attached(struct session *s, pid_t pid)
{
	open_session(s);
	hello(s, NULL);
	attach(s, pid, 0, NULL);
}

/* open_attached, with no signal stops: a SIGTRAP of ours kills, as it would without the module. */
static void open_attached_nosig(struct session *s, pid_t pid)
{
	struct ntrace_cmd_set_options o = { .pid = pid };

	open_attached(s, pid);
	call_err(s, &o, sizeof(o), NTRACE_CMD_SET_OPTIONS);
}

static int stashed_stop(const struct session *s)
{
	for (const struct rec *q = s->stash; q; q = q->next)
		if (q->h.type == NTRACE_EV_STOP)
			return 1;
	return 0;
}

/* Attached to @pid: a breakpoint on bp_target whose condition is never true, called 1000 times. */
static void stream_filtered(struct session *s, pid_t pid, const char *what)
{
	uint8_t exprs[256], code[64], *p = exprs;
	uint64_t base, ran = 0;
	int err;

	p = put_expr(p, NTRACE_BP_EXPR_COND, code, cond_u64_is(code, &magic, 1)); /* never */
	err = set_bp_exprs(s, pid, (uint64_t)(uintptr_t)bp_target, 0, exprs,
			   (uint32_t)(p - exprs));
	base = read_u64(s, pid, &spin_count);
	for (int i = 0; i < TIMEOUT_MS && ran < 1000; i++) {
		ran = read_u64(s, pid, &spin_count) - base;
		if (ran < 1000)
			usleep(1000);
	}
	CHECK(!err && ran >= 1000,
	      "cond: %s: a thread calls a function with a breakpoint whose condition is false (SET_BP %d, %llu calls)",
	      what, err, (unsigned long long)ran);
}

/*
 * After a kill(SIGUSR1) of @pid: its SIGNAL stop, before the handler (on_usr1) ran, on a thread
 * other than @not_tid if nonzero; then passed at the RESUME, the handler runs once.
 */
static void expect_usr1_stop(struct session *s, pid_t pid, pid_t not_tid, const char *what)
{
	struct ntrace_ev_stop *ev = NULL;
	int usr1 = -1;

	/* The stop, or the handler run without one (then fail now, not after a timeout). */
	for (int i = 0; i < TIMEOUT_MS && !stashed_stop(s); i++) {
		usr1 = -1;
		read_mem(s, pid, (uintptr_t)&usr1_count, &usr1, sizeof(usr1));
		if (usr1)
			break;
		usleep(1000);
	}
	if (stashed_stop(s))
		ev = wait_stop(s, 0, 0);
	if (ev)
		read_mem(s, pid, (uintptr_t)&usr1_count, &usr1, sizeof(usr1));
	CHECK(ev && ev->reason == NTRACE_STOP_SIGNAL && ev->signo == SIGUSR1 &&
		      ev->thread.tid != not_tid && usr1 == 0,
	      "cond: %s: the SIGNAL stop comes before the handler (reason %u, signo %d, thread %d, handler ran %d times)",
	      what, ev ? ev->reason : 0, ev ? ev->signo : 0, ev ? ev->thread.tid : 0, usr1);
	if (!ev)
		return;
	resume(s, ev->thread.handle, ev->stop_id, NTRACE_RESUME_CONT, NTRACE_SIG_PASS);
	for (int i = 0; i < TIMEOUT_MS && usr1 != 1; i++) {
		read_mem(s, pid, (uintptr_t)&usr1_count, &usr1, sizeof(usr1));
		if (usr1 != 1)
			usleep(1000);
	}
	EXPECT_EQ(usr1, 1, "cond: signal passed at the RESUME: its handler runs once");
	rec_free(&ev->hdr);
}

/*
 * A process-wide signal (kill) while a thread streams through a breakpoint whose condition is
 * false stops the thread that takes it, before its handler runs. The kernel gives such a
 * signal to any thread that does not block it; the main thread here blocks it, as the
 * conformance suite's agent test's main thread does while it runs the handler of the previous
 * round's SIGUSR1. Reported on the thread kill() named with the signal left on the shared
 * queue, the other thread dequeued it and ran the handler unreported.
 */
static void test_cond_group_signal(void)
{
	struct session s;
	pid_t pid = spawn_ready(spawn_blocked_leader);

	if (pid < 0)
		return;
	open_attached(&s, pid);
	stream_filtered(&s, pid, "group signal");
	kill(pid, SIGUSR1);
	expect_usr1_stop(&s, pid, pid, "group signal, main thread blocking it");
	finish(&s, pid);
}

/*
 * The stop must also come when the thread complete_signal() woke is already in get_signal(),
 * past its task_work, when the signal hook runs: it waits there for the siglock the hook runs
 * under and dequeues the signal right after. The testing-only test_signal_delay_ms makes the
 * hook busy-wait first (the thread runs on the other CPU), so that the thread is always there.
 */
static void test_cond_signal_race(void)
{
	cpu_set_t me, cpu0, cpu1;
	struct session s;
	pid_t pid;
	int err;

	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	CPU_ZERO(&cpu1);
	CPU_SET(1, &cpu1);
	sched_getaffinity(0, sizeof(me), &me);
	pid = spawn(0, -1);
	sched_setaffinity(pid, sizeof(cpu1), &cpu1);
	sched_setaffinity(0, sizeof(cpu0), &cpu0);
	open_attached(&s, pid);
	stream_filtered(&s, pid, "signal race");
	err = write_param("test_signal_delay_ms", "50");
	kill(pid, SIGUSR1);
	write_param("test_signal_delay_ms", "0");
	sched_setaffinity(0, sizeof(me), &me);
	EXPECT_EQ(err, 0, "cond: signal race: test_signal_delay_ms set");
	expect_usr1_stop(&s, pid, 0, "signal race, the woken thread in get_signal() first");
	finish(&s, pid);
}

static volatile int waited_sig, waited_eintr; /* written by the sigwaitinfo() debuggee */

/* A debuggee that blocks SIGUSR1 and takes it with sigwaitinfo(), forever; ready: a byte on @fd. */
static pid_t spawn_sigwaiter(int fd)
{
	sigset_t usr1;
	pid_t pid = fork_quiet(fd);

	if (pid)
		return pid;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &usr1, NULL) || write(fd, "r", 1) != 1)
		_exit(99);
	for (;;) {
		int sig = sigwaitinfo(&usr1, NULL);

		if (sig > 0)
			waited_sig = sig;
		else if (errno == EINTR)
			waited_eintr++;
	}
}

/*
 * A signal that sigwaitinfo() waits for is taken by it, with no stop (as under ptrace: it is
 * never delivered), and sigwaitinfo() returns it, not EINTR: the signal hook must not take it
 * off the queue for a stop.
 */
static void test_cond_sigwait(void)
{
	int sig = 0, eintr = 0, stops;
	struct session s;
	pid_t pid = spawn_ready(spawn_sigwaiter);

	if (pid < 0)
		return;
	open_attached(&s, pid);
	wait_state(pid, 'S'); /* in sigwaitinfo() */
	kill(pid, SIGUSR1);
	for (int i = 0; i < TIMEOUT_MS && !sig && !eintr && !stashed_stop(&s); i++) {
		read_mem(&s, pid, (uintptr_t)&waited_sig, &sig, sizeof(sig));
		read_mem(&s, pid, (uintptr_t)&waited_eintr, &eintr, sizeof(eintr));
		if (!sig && !eintr)
			usleep(1000);
	}
	stops = stashed_stop(&s);
	CHECK(sig == SIGUSR1 && !eintr && !stops,
	      "cond: sigwait: a kill() of a process waiting in sigwaitinfo() for the signal: it returns it, no stop (signal %d, %d EINTR, %d stops)",
	      sig, eintr, stops);
	finish(&s, pid);
}

static volatile uint64_t demand_calls; /* written by the spawn_on_demand() debuggee */

/* A debuggee that calls bp_target once per byte read from @fd, counting its calls. */
static pid_t spawn_on_demand(int fd)
{
	pid_t pid = fork_quiet(fd);
	char c;

	if (pid)
		return pid;
	for (;;) {
		ssize_t n = read(fd, &c, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n != 1)
			_exit(n ? 99 : 0);
		bp_target();
		demand_calls++;
	}
}

/*
 * A hit judged after CLEAR_BP has completed is no hit: the breakpoint (@plain, or with a
 * condition that is never true) is gone from the tree by the time the thread's task_work
 * looks it up, and the byte at the rewound pc is the original. gdbserver cancels such a hit;
 * the module reported it as a BREAKPOINT stop (the conformance suite's agent test 'the
 * breakpoint removed while threads run through its pad' met it under load). The testing-only
 * test_judge_delay_ms holds the hit (state 'I') until the CLEAR_BP has answered.
 */
static void test_cond_cleared_hit(int plain)
{
	const char *what = plain ? "plain" : "false condition";
	const uint8_t orig = *(volatile const uint8_t *)bp_target;
	uint8_t exprs[256], code[64], *p = exprs, b = 0;
	int err_set, err_param, err_clear = -9999, held = 0, still = 0, stops, pfd[2];
	uint64_t base, ran = 0, calls = 0;
	struct session s;
	pid_t pid;

	if (pipe(pfd))
		return;
	pid = spawn_on_demand(pfd[0]);
	close(pfd[0]);
	open_attached(&s, pid);
	wait_state(pid, 'S'); /* in read(): not running the text the int3 goes into */
	p = put_expr(p, NTRACE_BP_EXPR_COND, code, cond_u64_is(code, &magic, 1)); /* never */
	err_set = plain ? bp_cmd(&s, pid, (uintptr_t)bp_target, NTRACE_CMD_SET_BP) :
			  set_bp_exprs(&s, pid, (uintptr_t)bp_target, 0, exprs,
				       (uint32_t)(p - exprs));
	base = read_u64(&s, pid, &spin_count);
	err_param = write_param("test_judge_delay_ms", "2000");
	if (!err_set && !err_param && write(pfd[1], "g", 1) == 1) {
		for (int i = 0; i < TIMEOUT_MS && !held; i++) {
			held = proc_state(pid) == 'I';
			if (!held)
				usleep(1000);
		}
		err_clear = bp_cmd(&s, pid, (uintptr_t)bp_target, NTRACE_CMD_CLEAR_BP);
		still = proc_state(pid) == 'I';
		/* The call completes, or the hit parks in a stop (then it never does). */
		for (int i = 0; i < TIMEOUT_MS && !calls && !stashed_stop(&s); i++) {
			calls = read_u64(&s, pid, &demand_calls);
			if (!calls)
				usleep(1000);
		}
		ran = read_u64(&s, pid, &spin_count) - base;
	}
	write_param("test_judge_delay_ms", "0");
	stops = 0;
	for (struct rec *q = s.stash; q; q = q->next)
		stops += q->h.type == NTRACE_EV_STOP;
	read_mem(&s, pid, (uintptr_t)bp_target, &b, 1);
	CHECK(!err_set && !err_param && held && !err_clear && still,
	      "cond: cleared hit (%s): CLEAR_BP answered while the hit waited to be judged (SET_BP %d, test_judge_delay_ms %d, held %d, CLEAR_BP %d, still held after it %d)",
	      what, err_set, err_param, held, err_clear, still);
	CHECK(calls == 1 && ran == 1 && !stops,
	      "cond: cleared hit (%s): no stop, the call runs on once (%llu calls, spin_count +%llu, %d STOP records)",
	      what, (unsigned long long)calls, (unsigned long long)ran, stops);
	EXPECT_EQ(b, orig, "cond: cleared hit: the original byte under the cleared breakpoint");
	finish(&s, pid);
	close(pfd[1]);
}


static long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000L + t.tv_nsec / 1000000;
}

/* The stream debuggee's counts, read through its /proc/<pid>/mem (@memfd): also once released. */
static int stream_counts(int memfd, uint64_t *now)
{
	return pread(memfd, now, sizeof(stream_calls), (uintptr_t)stream_calls) ==
	       sizeof(stream_calls);
}

/*
 * Whether every thread of the stream debuggee made @n calls since its counts @at (which then
 * get the latest), within TIMEOUT_MS (a failure guard: a thread kept from running never does).
 */
static int stream_progress(int memfd, uint64_t *at, uint64_t n)
{
	uint64_t now[STREAM_THREADS];
	long end = now_ms() + TIMEOUT_MS;
	int all = 0;

	while (!all && now_ms() < end) {
		if (!stream_counts(memfd, now))
			break;
		all = 1;
		for (int k = 0; k < STREAM_THREADS; k++)
			all &= now[k] - at[k] >= n;
		if (!all)
			usleep(1000);
	}
	for (int k = 0; k < STREAM_THREADS; k++)
		at[k] = now[k] - at[k]; /* the calls made meanwhile, for the report */
	return all;
}

static int open_mem(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	return open(path, O_RDONLY | O_CLOEXEC);
}

/*
 * CLEAR_BP while four threads stream through a breakpoint whose condition is never true, round
 * after round: after each removal every thread calls on. A thread that ran the int3 while
 * CLEAR_BP put the original byte back retries the instruction; under QEMU's TCG the retry could
 * run the int3 forever (a translation made from the old bytes while the write was under way:
 * on the module before the fix every thread stopped calling, at round 2, 1, 8, 19 and 38 of
 * five runs), which the conformance suite's agent test 'the breakpoint removed while threads
 * run through its pad' met as calls that stopped. The testing-only test_release_delay_ms holds each CLEAR_BP
 * 20 ms before the byte goes back, so that the threads are retrying the int3 then.
 */
static void test_cond_cleared_stream(void)
{
	const uint8_t orig = *(volatile const uint8_t *)bp_target;
	uint8_t exprs[256], code[64], *p = exprs, b = 0;
	uint64_t calls[STREAM_THREADS] = { 0 };
	int round, err = 0, err_param, ran = 1, st, gone, stops = 0;
	struct session s;
	pid_t pid = spawn_stream();
	int memfd = open_mem(pid);

	open_attached_nosig(&s, pid);
	p = put_expr(p, NTRACE_BP_EXPR_COND, code, cond_u64_is(code, &magic, 1)); /* never */
	err_param = write_param("test_release_delay_ms", "20");
	for (round = 0; round < STREAM_ROUNDS && !err_param; round++) {
		err = set_bp_exprs(&s, pid, (uint64_t)(uintptr_t)bp_target, 0, exprs,
				   (uint32_t)(p - exprs));
		ran = !err && stream_counts(memfd, calls) && stream_progress(memfd, calls, 20);
		if (!ran)
			break;
		err = bp_cmd(&s, pid, (uint64_t)(uintptr_t)bp_target, NTRACE_CMD_CLEAR_BP);
		ran = !err && stream_counts(memfd, calls) && stream_progress(memfd, calls, 100);
		if (!ran)
			break;
	}
	write_param("test_release_delay_ms", "0");
	for (struct rec *q = s.stash; q; q = q->next)
		stops += q->h.type == NTRACE_EV_STOP; /* the condition is never true */
	gone = waitpid(pid, &st, WNOHANG) == pid;
	if (!gone)
		read_mem(&s, pid, (uintptr_t)bp_target, &b, 1);
	CHECK(!err && !err_param && ran && !stops && !gone && b == orig,
	      "cond: cleared stream: after each CLEAR_BP of a breakpoint four threads stream through (a false condition), every thread calls on (%d of %d rounds; err %d, test_release_delay_ms %d; calls %llu %llu %llu %llu meanwhile; %d STOP records; %s; byte %#x, original %#x)",
	      round, STREAM_ROUNDS, err, err_param, (unsigned long long)calls[0],
	      (unsigned long long)calls[1], (unsigned long long)calls[2],
	      (unsigned long long)calls[3], stops, gone ? "dead" : "alive", b, orig);
	if (!gone) {
		kill(pid, SIGKILL);
		reap(pid);
	}
	if (memfd >= 0)
		close(memfd);
	close_session(&s);
}

/*
 * DETACH, a close of the session, and CLEAR_BP then DETACH at once (gdb's detach), in turns,
 * while four threads stream through a breakpoint whose condition is never true, the same
 * debuggee attached again each round: after each release every thread calls on, and none dies
 * of SIGTRAP. Once released the threads are no longer ours: under QEMU's TCG one could keep
 * running a translation of the int3 made while the original byte was being written back
 * (cleared stream's stale int3), with no thread of ours left to write the byte again, retry it
 * for a second and then die of SIGTRAP (the conformance suite's agent test 'detached while
 * threads run through pads whose condition turns true later' once saw the program not reach
 * its end; on the module before the fix a thread died so in round 3, 6, 3, 0 and 18 of five
 * runs). test_release_delay_ms holds each release 20 ms before the byte goes back, as in
 * cleared stream.
 */
#define RELEASE_ROUNDS 90
static void test_cond_released_stream(void)
{
	const uint8_t orig = *(volatile const uint8_t *)bp_target;
	struct ntrace_cmd_set_options o = { 0 };
	uint8_t exprs[256], code[64], *p = exprs, b = 0;
	uint64_t calls[STREAM_THREADS] = { 0 };
	int round, err = 0, err_param, ran = 1, st, gone = 0, stops = 0;
	struct session s;
	pid_t pid = spawn_stream();
	int memfd = open_mem(pid);

	o.pid = pid; /* no signal stops: a SIGTRAP of ours kills, as without the module */
	p = put_expr(p, NTRACE_BP_EXPR_COND, code, cond_u64_is(code, &magic, 1)); /* never */
	err_param = write_param("test_release_delay_ms", "20");
	for (round = 0; round < RELEASE_ROUNDS && !err_param && memfd >= 0; round++) {
		open_session(&s);
		hello(&s, NULL);
		/* A thread released mid-step stays ours until its step trap: EBUSY meanwhile. */
		for (int i = 0; i < TIMEOUT_MS && (err = attach(&s, pid, 0, NULL)) == -EBUSY; i++)
			usleep(1000);
		if (!err)
			err = call_err(&s, &o, sizeof(o), NTRACE_CMD_SET_OPTIONS);
		if (!err)
			err = set_bp_exprs(&s, pid, (uint64_t)(uintptr_t)bp_target, 0, exprs,
					   (uint32_t)(p - exprs));
		ran = !err && stream_counts(memfd, calls) && stream_progress(memfd, calls, 20);
		if (ran && round % 3 == 2)
			err = bp_cmd(&s, pid, (uint64_t)(uintptr_t)bp_target, NTRACE_CMD_CLEAR_BP);
		if (ran && !err && round % 3 != 1) /* 1: the close releases it */
			err = pid_cmd(&s, pid, NTRACE_CMD_DETACH);
		stops += stashed_stop(&s); /* the condition is never true */
		close_session(&s);
		if (!ran || err)
			break;
		ran = stream_counts(memfd, calls) && stream_progress(memfd, calls, 100);
		gone = waitpid(pid, &st, WNOHANG) == pid;
		if (!ran || gone)
			break;
	}
	write_param("test_release_delay_ms", "0");
	if (gone || pread(memfd, &b, 1, (uintptr_t)bp_target) != 1)
		b = 0;
	if (!gone) {
		kill(pid, SIGKILL);
		st = reap(pid);
	}
	CHECK(!err && !err_param && ran && !stops && b == orig && WIFSIGNALED(st) &&
		      WTERMSIG(st) == SIGKILL,
	      "cond: released stream: after each DETACH, close, or CLEAR_BP and DETACH (in turns) of a session with a breakpoint four threads stream through (a false condition), every thread calls on (%d of %d rounds; err %d, test_release_delay_ms %d; calls %llu %llu %llu %llu meanwhile; %d sessions with a STOP record; the end: %s, %s; byte %#x, original %#x)",
	      round, RELEASE_ROUNDS, err, err_param, (unsigned long long)calls[0],
	      (unsigned long long)calls[1], (unsigned long long)calls[2],
	      (unsigned long long)calls[3], stops,
	      WIFSIGNALED(st) ? strsignal(WTERMSIG(st)) : "exit",
	      gone ? "before our SIGKILL" : "ours", b, orig);
	if (memfd >= 0)
		close(memfd);
}

/* The debuggee of test_cond_program_int3: set by the test, then counted by the debuggee. */
static volatile int int3_go;
static volatile uint64_t int3_traps, int3_loops;

static void on_sigtrap(int sig)
{
	(void)sig;
	int3_traps++;
}

/* Runs the two-byte int $3 (cd 03) over and over once int3_go is set, counting its SIGTRAPs. */
static pid_t spawn_int3_cd(void)
{
	pid_t pid = fork_quiet(-1);

	if (pid)
		return pid;
	signal(SIGTRAP, on_sigtrap);
	while (!int3_go)
		;
	for (;;) {
		__asm__ volatile(".byte 0xcd, 0x03\n\tnop; nop; nop; nop; nop; nop" ::: "memory");
		int3_loops++;
	}
}

/*
 * A traced thread's own two-byte int $3 (cd 03) is the program's: its SIGTRAP reaches the
 * handler and the program runs on. The die notifier took it for a stale fetch of an int3 of
 * ours (the byte before the pc, 03, is not 0xcc) and moved the pc back onto the 03, into the
 * instruction; only its path for threads no longer ours told the two apart.
 */
static void test_cond_program_int3(void)
{
	uint64_t traps = 0, loops = 0;
	int go = 1, st, gone = 0, wrote;
	struct session s;
	pid_t pid = spawn_int3_cd();

	open_attached_nosig(&s, pid); /* the SIGTRAP goes to the handler, a SIGSEGV kills */
	wrote = write_mem(&s, pid, (uintptr_t)&int3_go, &go, sizeof(go));
	for (int i = 0; i < TIMEOUT_MS && wrote == sizeof(go) && !gone; i++) {
		if (traps >= 100 && loops >= 100)
			break;
		gone = waitpid(pid, &st, WNOHANG) == pid;
		if (!gone) {
			read_mem(&s, pid, (uintptr_t)&int3_traps, &traps, sizeof(traps));
			read_mem(&s, pid, (uintptr_t)&int3_loops, &loops, sizeof(loops));
			usleep(1000);
		}
	}
	CHECK(wrote == sizeof(go) && !gone && traps >= 100 && loops >= 100,
	      "cond: a traced thread's own int $3 (cd 03) reaches its SIGTRAP handler and runs on (WRITE_MEM %d; %llu SIGTRAPs, %llu loops; %s)",
	      wrote, (unsigned long long)traps, (unsigned long long)loops,
	      gone ? (WIFSIGNALED(st) ? strsignal(WTERMSIG(st)) : "exited") : "alive");
	if (!gone) {
		kill(pid, SIGKILL);
		reap(pid);
	}
	close_session(&s);
}

void test_cond(void)
{
	test_cond_filter();
	test_cond_stop_request();
	test_cond_output();
	test_cond_bounds();
	test_cond_detach_running();
	test_cond_group_signal();
	test_cond_signal_race();
	test_cond_sigwait();
	test_cond_cleared_hit(0);
	test_cond_cleared_hit(1);
	test_cond_cleared_stream();
	test_cond_released_stream();
	test_cond_program_int3();
}
