// SPDX-License-Identifier: GPL-2.0-only
/*
 * ntrace_selftest: drives /dev/ntrace directly (kselftest style, TAP output). Runs as root in
 * the QEMU guest of run-qemu.sh; it forks its own debuggees, which run code of this same static
 * binary, so their addresses are known here. This file holds the functional tests and main();
 * selftest_security.c the abuse cases, selftest_lib.c the helpers.
 */
#include "selftest.h"

/* RANGE_STEP, execute (debug-register) breakpoints, SET_SIGINFO. */
static void test_range_hw_siginfo(void)
{
	struct ntrace_ev_stop *ev;
	struct session s;
	uint64_t h, stop_id, c1, c2;
	int st, v = 0, i;
	pid_t pid;

	pid = spawn(3, -1);
	open_session(&s);
	hello(&s, NULL);
	attach(&s, pid, NTRACE_ATTACH_STOP | NTRACE_ATTACH_KILL_ON_CLOSE, &h);
	ev = wait_stop(&s, h, NTRACE_STOP_ATTACH);
	stop_id = ev ? ev->stop_id : 0;
	rec_free(&ev->hdr);
	EXPECT_EQ(bp_cmd(&s, pid, (uintptr_t)rs_start, NTRACE_CMD_SET_BP), 0, "SET_BP at rs_start");
	resume(&s, h, stop_id, NTRACE_RESUME_CONT, 0);
	ev = wait_stop(&s, h, 0);
	CHECK(ev && ev->reason == NTRACE_STOP_BREAKPOINT && ev->pc == (uintptr_t)rs_start,
	      "breakpoint stop at the start of the range");
	stop_id = ev ? ev->stop_id : 0;
	rec_free(&ev->hdr);
	{
		struct ntrace_cmd_resume r = { .handle = h, .stop_id = stop_id,
					       .mode = NTRACE_RESUME_RANGE_STEP,
					       .range_start = (uintptr_t)rs_start,
					       .range_end = (uintptr_t)rs_end };

		EXPECT_EQ(call_err(&s, &r, sizeof(r), NTRACE_CMD_RESUME), 0,
			  "RESUME RANGE_STEP over a 9-instruction loop, from a breakpoint");
	}
	ev = wait_stop(&s, h, 0);
	CHECK(ev && ev->reason == NTRACE_STOP_STEP && ev->pc == (uintptr_t)rs_end,
	      "one STOP_STEP, at the first pc outside the range (pc %#llx, want %p)",
	      ev ? (unsigned long long)ev->pc : 0ULL, (void *)rs_end);
	stop_id = ev ? ev->stop_id : 0;
	rec_free(&ev->hdr);
	{
		struct ntrace_cmd_resume r = { .handle = h, .stop_id = stop_id,
					       .mode = NTRACE_RESUME_RANGE_STEP,
					       .range_start = (uintptr_t)rs_start,
					       .range_end = (uintptr_t)rs_end };

		call_err(&s, &r, sizeof(r), NTRACE_CMD_RESUME);
	}
	ev = wait_stop(&s, h, 0);
	CHECK(ev && ev->reason == NTRACE_STOP_STEP && ev->pc > (uintptr_t)rs_end &&
		      ev->pc < (uintptr_t)rs_end + 16,
	      "RANGE_STEP from outside the range: one instruction");
	stop_id = ev ? ev->stop_id : 0;
	rec_free(&ev->hdr);
	bp_cmd(&s, pid, (uintptr_t)rs_start, NTRACE_CMD_CLEAR_BP);

	/* Execute breakpoint in a debug register; resuming must not hit it again at once. */
	EXPECT_EQ(hw_cmd(&s, pid, NTRACE_BP_HW, (uintptr_t)rs_end, 0, NTRACE_CMD_SET_BP), 0,
		  "SET_BP kind HW (execute) at rs_end");
	resume(&s, h, stop_id, NTRACE_RESUME_CONT, 0);
	ev = wait_stop(&s, h, 0);
	CHECK(ev && ev->reason == NTRACE_STOP_HW_BREAKPOINT && ev->pc == (uintptr_t)rs_end &&
		      ev->data[0] == (uintptr_t)rs_end && ev->signo == SIGTRAP,
	      "STOP HW_BREAKPOINT: pc and data[0] at rs_end, SIGTRAP");
	stop_id = ev ? ev->stop_id : 0;
	rec_free(&ev->hdr);
	c1 = read_u64(&s, pid, &range_count);
	resume(&s, h, stop_id, NTRACE_RESUME_CONT, 0);
	ev = wait_stop(&s, h, 0);
	c2 = read_u64(&s, pid, &range_count);
	CHECK(ev && ev->reason == NTRACE_STOP_HW_BREAKPOINT && c2 == c1 + 1,
	      "resumed from it, the next hit is one loop later (%llu -> %llu)",
	      (unsigned long long)c1, (unsigned long long)c2);
	stop_id = ev ? ev->stop_id : 0;
	rec_free(&ev->hdr);
	EXPECT_EQ(hw_cmd(&s, pid, NTRACE_BP_HW, (uintptr_t)rs_end, 0, NTRACE_CMD_CLEAR_BP), 0,
		  "CLEAR_BP kind HW");

	/* SET_SIGINFO: rewrite the queued siginfo of a SIGUSR1 before it is delivered. */
	kill(pid, SIGUSR1);
	resume(&s, h, stop_id, NTRACE_RESUME_CONT, 0);
	ev = wait_stop(&s, h, 0);
	CHECK(ev && ev->reason == NTRACE_STOP_SIGNAL && ev->signo == SIGUSR1,
	      "SIGNAL stop for SIGUSR1");
	stop_id = ev ? ev->stop_id : 0;
	check_stop_regs(&s, ev, "SIGNAL stop");
	rec_free(&ev->hdr);
	{
		struct {
			struct ntrace_cmd_siginfo c;
			siginfo_t si;
		} m = { .c = { .handle = h, .stop_id = stop_id } };
		struct ntrace_cmd_siginfo g = { .handle = h, .stop_id = stop_id };
		struct ntrace_reply *rep;

		_Static_assert(sizeof(siginfo_t) == NTRACE_SIGINFO_SIZE, "siginfo size");
		/* Kept whole, as PTRACE_SETSIGINFO does: another si_signo reads back as written. */
		m.si.si_signo = SIGUSR2;
		call_err(&s, &m, sizeof(m), NTRACE_CMD_SET_SIGINFO);
		rep = call(&s, &g, sizeof(g), NTRACE_CMD_GET_SIGINFO);
		CHECK(rep && !rep->error && ((siginfo_t *)(rep + 1))->si_signo == SIGUSR2,
		      "GET_SIGINFO returns the si_signo SET_SIGINFO wrote (%d)",
		      rep && !rep->error ? ((siginfo_t *)(rep + 1))->si_signo : -1);
		rec_free(&rep->hdr);
		m.si.si_signo = SIGUSR1;
		m.si.si_code = SI_QUEUE;
		m.si.si_pid = getpid();
		m.si.si_value.sival_int = 4242;
		EXPECT_EQ(call_err(&s, &m, sizeof(m), NTRACE_CMD_SET_SIGINFO), 0, "SET_SIGINFO");
		EXPECT_EQ(call_err(&s, &m, sizeof(m) - 8, NTRACE_CMD_SET_SIGINFO), -EINVAL,
			  "SET_SIGINFO short of 128 bytes: EINVAL");
		rep = call(&s, &g, sizeof(g), NTRACE_CMD_GET_SIGINFO);
		CHECK(rep && !rep->error && ((siginfo_t *)(rep + 1))->si_code == SI_QUEUE &&
			      ((siginfo_t *)(rep + 1))->si_value.sival_int == 4242,
		      "GET_SIGINFO returns what SET_SIGINFO wrote");
		rec_free(&rep->hdr);
	}
	EXPECT_EQ(resume(&s, h, stop_id, NTRACE_RESUME_CONT, NTRACE_SIG_PASS), 0,
		  "RESUME passing the rewritten SIGUSR1");
	for (i = 0; i < 3000 && v != 4242; i++) {
		read_mem(&s, pid, (uintptr_t)&usr1_value, &v, sizeof(v));
		usleep(1000);
	}
	EXPECT_EQ(v, 4242, "the handler saw si_value from SET_SIGINFO");
	v = 9;
	write_mem(&s, pid, (uintptr_t)&exit_code_var, &v, sizeof(v));
	{
		struct ntrace_ev_proc_exit *pe = (void *)wait_type(&s, NTRACE_EV_PROC_EXIT);

		CHECK(pe && WIFEXITED(pe->wstatus) && WEXITSTATUS(pe->wstatus) == 9,
		      "the debuggee exits normally afterwards");
		rec_free(&pe->hdr);
	}
	st = reap(pid);
	CHECK(WIFEXITED(st), "waitpid: exited");
	close_session(&s);
}

/* A forked (unfollowed) child does not inherit our breakpoints. */
static void test_fork_child_bps(void)
{
	struct ntrace_ev_proc_exit *pe;
	struct session s;
	int n = 1, st;
	pid_t pid;

	pid = spawn(4, -1);
	open_session(&s);
	hello(&s, NULL);
	attach(&s, pid, NTRACE_ATTACH_KILL_ON_CLOSE, NULL);
	EXPECT_EQ(bp_cmd(&s, pid, (uintptr_t)bp_target, NTRACE_CMD_SET_BP), 0,
		  "SET_BP where only a future fork child goes");
	write_mem(&s, pid, (uintptr_t)&exit_code_var, &n, sizeof(n));
	pe = (void *)wait_type(&s, NTRACE_EV_PROC_EXIT);
	CHECK(pe && WIFEXITED(pe->wstatus) && WEXITSTATUS(pe->wstatus) == 43,
	      "the fork child ran through the breakpoint's address and exited 3 (status %#x)",
	      pe ? pe->wstatus : -1);
	rec_free(&pe->hdr);
	st = reap(pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 43, "waitpid: the parent exited 43");
	close_session(&s);
}

/*
 * An unfollowed vfork child shares the parent's memory: it runs with our int3s taken out,
 * and they are back once the parent returns from the vfork.
 */
static void test_vfork_child_bps(void)
{
	struct ntrace_ev_stop *ev;
	struct ntrace_ev_proc_exit *pe;
	struct session s;
	int n = 1, st;
	uint8_t b = 0;
	pid_t pid;

	pid = spawn(5, -1);
	open_session(&s);
	hello(&s, NULL);
	attach(&s, pid, NTRACE_ATTACH_KILL_ON_CLOSE, NULL);
	EXPECT_EQ(bp_cmd(&s, pid, (uintptr_t)bp_target, NTRACE_CMD_SET_BP), 0,
		  "SET_BP where a vfork child goes first");
	write_mem(&s, pid, (uintptr_t)&exit_code_var, &n, sizeof(n));
	ev = wait_stop(&s, 0, 0);
	CHECK(ev && ev->reason == NTRACE_STOP_BREAKPOINT && ev->thread.tgid == pid &&
		      ev->pc == (uintptr_t)bp_target,
	      "the vfork child ran through it; the parent, back from vfork, stops there (%d)",
	      ev ? (int)ev->reason : -1);
	{
		char path[64];
		int fd;

		snprintf(path, sizeof(path), "/proc/%d/mem", pid);
		fd = open(path, O_RDONLY);
		CHECK(fd >= 0 && pread(fd, &b, 1, (uintptr_t)bp_target) == 1 && b == 0xcc,
		      "the int3 is back in the parent's memory (%#x)", b);
		close(fd);
	}
	if (ev)
		resume(&s, ev->thread.handle, ev->stop_id, NTRACE_RESUME_CONT, 0);
	rec_free(&ev->hdr);
	pe = (void *)wait_type(&s, NTRACE_EV_PROC_EXIT);
	CHECK(pe && WIFEXITED(pe->wstatus) && WEXITSTATUS(pe->wstatus) == 43,
	      "the vfork child exited 3, not by SIGTRAP (parent status %#x)",
	      pe ? pe->wstatus : -1);
	rec_free(&pe->hdr);
	st = reap(pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 43, "waitpid: the parent exited 43");
	close_session(&s);
}

/* NTRACE_BP_READ: a read/write debug register whose hits count only if the value is unchanged. */
static void test_read_watch(void)
{
	struct ntrace_ev_stop *ev;
	struct session s;
	uint64_t h, stop_id, before, after;
	int v = 4;
	pid_t pid;

	pid = spawn(0, -1);
	open_session(&s);
	hello(&s, NULL);
	attach(&s, pid, NTRACE_ATTACH_STOP | NTRACE_ATTACH_KILL_ON_CLOSE, &h);
	ev = wait_stop(&s, h, NTRACE_STOP_ATTACH);
	stop_id = ev ? ev->stop_id : 0;
	rec_free(&ev->hdr);
	EXPECT_EQ(hw_cmd(&s, pid, NTRACE_BP_READ, (uintptr_t)&spin_count, 8, NTRACE_CMD_SET_BP), 0,
		  "SET_BP kind READ on spin_count (read, then written, by spin_count++)");
	resume(&s, h, stop_id, NTRACE_RESUME_CONT, 0);
	ev = wait_stop(&s, h, 0);
	CHECK(ev && ev->reason == NTRACE_STOP_WATCH && ev->data[0] == (uintptr_t)&spin_count &&
		      ev->data[1] == NTRACE_BP_READ,
	      "STOP WATCH for the read, kind READ (reason %d, kind %lld)", ev ? (int)ev->reason : -1,
	      ev ? (long long)ev->data[1] : -1LL);
	stop_id = ev ? ev->stop_id : 0;
	rec_free(&ev->hdr);
	EXPECT_EQ(hw_cmd(&s, pid, NTRACE_BP_READ, (uintptr_t)&spin_count, 8, NTRACE_CMD_CLEAR_BP),
		  0, "CLEAR_BP kind READ");
	before = read_u64(&s, pid, &store_only);
	EXPECT_EQ(hw_cmd(&s, pid, NTRACE_BP_READ, (uintptr_t)&store_only, 8, NTRACE_CMD_SET_BP), 0,
		  "SET_BP kind READ on a variable only stored to");
	bp_cmd(&s, pid, (uintptr_t)do_syscall, NTRACE_CMD_SET_BP);
	resume(&s, h, stop_id, NTRACE_RESUME_CONT, 0);
	ev = wait_stop(&s, h, 0);
	after = read_u64(&s, pid, &store_only);
	CHECK(ev && ev->reason == NTRACE_STOP_BREAKPOINT && after != before,
	      "its stores do not stop: the next stop is the breakpoint after them"
	      " (reason %d at %#llx, data %#llx/%lld, %llu -> %llu)",
	      ev ? (int)ev->reason : -1, ev ? (unsigned long long)ev->pc : 0ULL,
	      ev ? (unsigned long long)ev->data[0] : 0ULL, ev ? (long long)ev->data[1] : -1LL,
	      (unsigned long long)before, (unsigned long long)after);
	stop_id = ev ? ev->stop_id : 0;
	rec_free(&ev->hdr);
	bp_cmd(&s, pid, (uintptr_t)do_syscall, NTRACE_CMD_CLEAR_BP);
	EXPECT_EQ(hw_cmd(&s, pid, NTRACE_BP_READ, (uintptr_t)&store_only, 8, NTRACE_CMD_CLEAR_BP),
		  0, "CLEAR_BP of the second READ watchpoint");
	/* ACCESS on the same variable: its stores stop. */
	EXPECT_EQ(hw_cmd(&s, pid, NTRACE_BP_ACCESS, (uintptr_t)&store_only, 8, NTRACE_CMD_SET_BP),
		  0, "SET_BP kind ACCESS on the stored-to variable");
	resume(&s, h, stop_id, NTRACE_RESUME_CONT, 0);
	ev = wait_stop(&s, h, 0);
	CHECK(ev && ev->reason == NTRACE_STOP_WATCH && ev->data[0] == (uintptr_t)&store_only &&
		      ev->data[1] == NTRACE_BP_ACCESS,
	      "its store stops as ACCESS (reason %d, kind %lld)", ev ? (int)ev->reason : -1,
	      ev ? (long long)ev->data[1] : -1LL);
	stop_id = ev ? ev->stop_id : 0;
	rec_free(&ev->hdr);
	EXPECT_EQ(hw_cmd(&s, pid, NTRACE_BP_ACCESS, (uintptr_t)&store_only, 8,
			 NTRACE_CMD_CLEAR_BP), 0, "CLEAR_BP kind ACCESS");
	write_mem(&s, pid, (uintptr_t)&exit_code_var, &v, sizeof(v));
	resume(&s, h, stop_id, NTRACE_RESUME_CONT, 0);
	{
		struct ntrace_ev_proc_exit *pe = (void *)wait_type(&s, NTRACE_EV_PROC_EXIT);

		CHECK(pe && WIFEXITED(pe->wstatus) && WEXITSTATUS(pe->wstatus) == 4,
		      "the debuggee runs on to its exit");
		rec_free(&pe->hdr);
	}
	reap(pid);
	close_session(&s);
}

/* ALL_STOP; watchpoints reaching threads created after they were set. */
static void test_allstop_watch_inherit(void)
{
	struct ntrace_cmd_set_options o = { 0 };
	struct ntrace_ev_stop *ev, *ev2;
	struct ntrace_ev_thread *tn;
	struct session s;
	uint64_t h, h2, stop_id, stop2, a, b;
	int n = 7;
	pid_t pid;

	pid = spawn(1, -1);
	open_session(&s);
	hello(&s, NULL);
	attach(&s, pid, NTRACE_ATTACH_STOP | NTRACE_ATTACH_KILL_ON_CLOSE, &h);
	ev = wait_stop(&s, h, NTRACE_STOP_ATTACH);
	stop_id = ev ? ev->stop_id : 0;
	rec_free(&ev->hdr);
	o.pid = pid;
	o.flags = NTRACE_OPT_ALL_STOP;
	o.events = NTRACE_EVENT_THREAD_REPORT;
	o.stop_signals = ~0ULL;
	EXPECT_EQ(call_err(&s, &o, sizeof(o), NTRACE_CMD_SET_OPTIONS), 0,
		  "SET_OPTIONS with NTRACE_OPT_ALL_STOP");
	/* Set while the process has one thread; only the thread created later writes it. */
	EXPECT_EQ(hw_cmd(&s, pid, NTRACE_BP_WRITE, (uintptr_t)&thread_count, 8,
			 NTRACE_CMD_SET_BP), 0,
		  "watchpoint on a variable only a future thread writes");
	write_mem(&s, pid, (uintptr_t)&exit_code_var, &n, sizeof(n));
	resume(&s, h, stop_id, NTRACE_RESUME_CONT, 0);
	tn = (void *)wait_type(&s, NTRACE_EV_THREAD_NEW);
	h2 = tn ? tn->thread.handle : 0;
	rec_free(&tn->hdr);
	ev = wait_stop(&s, 0, 0);
	CHECK(ev && ev->thread.handle == h2 && ev->reason == NTRACE_STOP_WATCH &&
		      ev->data[0] == (uintptr_t)&thread_count,
	      "the new thread stops on the inherited watchpoint, first STOP record");
	stop2 = ev ? ev->stop_id : 0;
	rec_free(&ev->hdr);
	/* All-stop: the main thread, which spins on spin_count, is held already. */
	a = read_u64(&s, pid, &spin_count);
	usleep(100000);
	b = read_u64(&s, pid, &spin_count);
	CHECK(a == b && a != ~0ULL, "all-stop: the other thread is held (spin_count %llu, %llu)",
	      (unsigned long long)a, (unsigned long long)b);
	ev = wait_stop(&s, h, 0);
	CHECK(ev && ev->reason == NTRACE_STOP_REQUESTED, "all-stop: the other thread's REQUESTED stop follows");
	stop_id = ev ? ev->stop_id : 0;
	rec_free(&ev->hdr);
	EXPECT_EQ(hw_cmd(&s, pid, NTRACE_BP_WRITE, (uintptr_t)&thread_count, 8,
			 NTRACE_CMD_CLEAR_BP), 0, "CLEAR_BP of the watchpoint");

	/* A software breakpoint only the second thread reaches, hit repeatedly. */
	EXPECT_EQ(bp_cmd(&s, pid, (uintptr_t)thread_tick, NTRACE_CMD_SET_BP), 0,
		  "SET_BP in thread_tick");
	for (int round = 0; round < 3; round++) {
		resume(&s, h, stop_id, NTRACE_RESUME_CONT, 0);
		resume(&s, h2, stop2, NTRACE_RESUME_CONT, 0);
		ev = wait_stop(&s, 0, 0);
		ev2 = wait_stop(&s, 0, 0);
		CHECK(ev && ev2 && ev->thread.handle == h2 && ev->reason == NTRACE_STOP_BREAKPOINT &&
			      ev2->thread.handle == h && ev2->reason == NTRACE_STOP_REQUESTED,
		      "round %d: BREAKPOINT of the second thread first, then REQUESTED of the other"
		      " (%d/%llu, %d/%llu)",
		      round, ev ? (int)ev->reason : -1, ev ? (unsigned long long)ev->thread.handle : 0ULL,
		      ev2 ? (int)ev2->reason : -1, ev2 ? (unsigned long long)ev2->thread.handle : 0ULL);
		stop2 = ev ? ev->stop_id : 0;
		stop_id = ev2 ? ev2->stop_id : 0;
		rec_free(&ev->hdr);
		rec_free(&ev2->hdr);
	}
	pid_cmd(&s, pid, NTRACE_CMD_KILL);
	rec_free(wait_type(&s, NTRACE_EV_PROC_EXIT));
	CHECK(WIFSIGNALED(reap(pid)), "waitpid: killed");
	close_session(&s);
}

static void test_protocol(void)
{
	struct ntrace_hello_reply hr;
	struct session s;
	struct {
		struct ntrace_cmd_hello c;
		uint64_t tail;
	} longer = { .c = { .abi_min = 1, .abi_max = 1 }, .tail = 1 };
	struct ntrace_hdr bad = { .len = 12, .type = NTRACE_CMD_HELLO };
	struct ntrace_cmd_pid unknown = { 0 };
	struct ntrace_cmd_hello badabi = { .abi_min = 2, .abi_max = 3 };
	struct pollfd p;
	char small[8];

	CHECK(open_session(&s) >= 0, "open /dev/ntrace");
	EXPECT_EQ(pid_cmd(&s, 1, NTRACE_CMD_LIST_THREADS), -EPROTO, "command before HELLO: EPROTO");
	errno = 0;
	EXPECT_EQ(write(s.fd, &bad, 8) < 0 ? -errno : 0, -EINVAL,
		  "a write shorter than a header fails with EINVAL");
	{
		/* Malformed frames whose header is readable: an EINVAL reply with their seq. */
		static const struct {
			uint32_t len, written;
			const char *what;
		} cases[] = {
			{ 12, 16, "frame len 12 (< header): EINVAL reply with its seq" },
			{ 20, 24, "frame len not a multiple of 8: EINVAL reply" },
			{ 64, 24, "frame len beyond the write: EINVAL reply" },
			{ 1 << 20, 24, "frame len beyond max_record: EINVAL reply" },
		};
		uint64_t frame[3] = { 0 };

		for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			uint64_t seq = 4200 + i;
			struct ntrace_reply *r;

			bad = (struct ntrace_hdr){ cases[i].len, NTRACE_CMD_HELLO, 0, seq };
			memcpy(frame, &bad, sizeof(bad));
			CHECK(write(s.fd, frame, cases[i].written) == cases[i].written,
			      "malformed frame %u: the write is consumed", i);
			r = (void *)wait_for(&s, match_reply, &seq);
			tap(r && r->error == -EINVAL && r->cmd_type == NTRACE_CMD_HELLO, "%s",
			    cases[i].what);
			rec_free(&r->hdr);
		}
	}
	EXPECT_EQ(call_err(&s, &badabi, sizeof(badabi), NTRACE_CMD_HELLO), -EPROTONOSUPPORT,
		  "HELLO without ABI 1: EPROTONOSUPPORT");
	EXPECT_EQ(call_err(&s, &longer, sizeof(longer), NTRACE_CMD_HELLO), -EINVAL,
		  "HELLO with a nonzero tail: EINVAL");
	EXPECT_EQ(hello(&s, &hr), 0, "HELLO");
	EXPECT_EQ(hr.abi, 1, "HELLO abi");
	EXPECT_EQ(hr.backend, NTRACE_BACKEND_KMOD, "HELLO backend is kmod");
	CHECK((hr.caps & NTRACE_CAP_SW_BREAK) && !(hr.caps & NTRACE_CAP_SYSCALL_ENTRY_STOP) &&
		      !(hr.caps & NTRACE_CAP_EXIT_STOP_LIVE) && !(hr.caps & NTRACE_CAP_LAUNCH),
	      "caps are honest: SW_BREAK, no SYSCALL_ENTRY_STOP/EXIT_STOP_LIVE/LAUNCH (%#llx)",
	      (unsigned long long)hr.caps);
	CHECK(hr.xstate_size >= 576 && (hr.xcr0 & 3) == 3, "xstate size %u, xcr0 %#llx",
	      hr.xstate_size, (unsigned long long)hr.xcr0);
	EXPECT_EQ(hr.hw_slots, 4, "HELLO hw_slots: four debug registers");
	CHECK(hr.caps & NTRACE_CAP_HW_WATCH, "caps include HW_WATCH");
	CHECK(hr.caps & NTRACE_CAP_STOP_REGS, "caps include STOP_REGS");
	CHECK((hr.caps & NTRACE_CAP_ALL_STOP) && (hr.caps & NTRACE_CAP_RANGE_STEP) &&
		      (hr.caps & NTRACE_CAP_HW_BREAK) && (hr.caps & NTRACE_CAP_SIGINFO_WRITE),
	      "caps include ALL_STOP, RANGE_STEP, HW_BREAK, SIGINFO_WRITE");
	EXPECT_EQ(hello(&s, NULL), 0, "HELLO may be repeated before ATTACH");
	{
		struct ntrace_cmd_pid c = { .hdr = { sizeof(c), NTRACE_CMD_LIST_THREADS, 1, 4300 },
					    .pid = 1 };
		uint64_t seq = 4300;
		struct ntrace_reply *r;

		CHECK(write(s.fd, &c, sizeof(c)) == sizeof(c), "write a command with hdr.flags set");
		r = (void *)wait_for(&s, match_reply, &seq);
		EXPECT_EQ(r ? r->error : -9999, -EINVAL, "nonzero hdr.flags: EINVAL");
		rec_free(&r->hdr);
		c.hdr = (struct ntrace_hdr){ sizeof(c), NTRACE_CMD_LIST_THREADS, 0, 0 };
		c.reserved = 1;
		EXPECT_EQ(call_err(&s, &c, sizeof(c), NTRACE_CMD_LIST_THREADS), -EINVAL,
			  "nonzero reserved field: EINVAL");
	}
	{
		struct ntrace_cmd_resume r = { .handle = 999, .mode = 9 };

		EXPECT_EQ(call_err(&s, &r, sizeof(r), NTRACE_CMD_RESUME), -EINVAL,
			  "RESUME with an unknown mode: EINVAL (checked before the handle)");
		r.mode = NTRACE_RESUME_CONT;
		EXPECT_EQ(call_err(&s, &r, sizeof(r), NTRACE_CMD_RESUME), -ESRCH,
			  "RESUME of an unknown handle: ESRCH");
		r.mode = NTRACE_RESUME_SYSCALL;
		EXPECT_EQ(call_err(&s, &r, sizeof(r), NTRACE_CMD_RESUME), -EOPNOTSUPP,
			  "RESUME mode SYSCALL: EOPNOTSUPP (no syscall stops)");
	}
	EXPECT_EQ(call_err(&s, &unknown, sizeof(unknown), 0x01ff), -EINVAL,
		  "unknown command type: EINVAL");
	EXPECT_EQ(pid_cmd(&s, 1, NTRACE_CMD_LAUNCH), -EOPNOTSUPP, "LAUNCH: EOPNOTSUPP");
	/* Two commands in one write: two replies, in order. */
	{
		struct ntrace_cmd_hello two[2] = {
			{ .hdr = { sizeof(two[0]), NTRACE_CMD_HELLO, 0, 1001 }, 1, 1, 0 },
			{ .hdr = { sizeof(two[0]), NTRACE_CMD_HELLO, 0, 1002 }, 1, 1, 0 },
		};
		uint64_t seq1 = 1001, seq2 = 1002;
		struct ntrace_hdr *r1, *r2;

		EXPECT_EQ(write(s.fd, two, sizeof(two)), sizeof(two), "two commands in one write");
		r1 = wait_for(&s, match_reply, &seq1);
		r2 = wait_for(&s, match_reply, &seq2);
		CHECK(r1 && r2, "each command got its reply");
		rec_free(r1);
		rec_free(r2);
	}
	/* A reply is queued: a too-small read is EINVAL, O_NONBLOCK on empty is EAGAIN. */
	unknown.hdr = (struct ntrace_hdr){ sizeof(unknown), NTRACE_CMD_LIST_THREADS, 0, 77 };
	unknown.pid = 1;
	CHECK(write(s.fd, &unknown, sizeof(unknown)) == sizeof(unknown), "write LIST_THREADS");
	p = (struct pollfd){ .fd = s.fd, .events = POLLIN };
	CHECK(poll(&p, 1, TIMEOUT_MS) == 1 && (p.revents & POLLIN), "POLLIN while a record is queued");
	errno = 0;
	EXPECT_EQ(read(s.fd, small, sizeof(small)) < 0 ? -errno : 0, -EINVAL,
		  "read buffer smaller than the record: EINVAL");
	{
		uint64_t seq = 77;
		struct ntrace_reply *r = (void *)wait_for(&s, match_reply, &seq);

		EXPECT_EQ(r ? r->error : -9999, -ESRCH, "LIST_THREADS of an unattached pid: ESRCH");
		rec_free(&r->hdr);
	}
	fcntl(s.fd, F_SETFL, O_NONBLOCK);
	errno = 0;
	EXPECT_EQ(read(s.fd, small, sizeof(small)) < 0 ? -errno : 0, -EAGAIN,
		  "O_NONBLOCK read of an empty queue: EAGAIN");
	p.revents = 0;
	EXPECT_EQ(poll(&p, 1, 0), 0, "no POLLIN when the queue is empty");
	close_session(&s);
}


/* NT_PRFPREG: xmm0 lives at offset 160 of the fxsave image. */
static void test_fpr(struct session *s, uint64_t h, uint64_t stop_id)
{
	uint8_t fx[512], fx2[512], xs[4096];
	static const uint8_t pat[16] = "ntrace-xmm0-pat";

	EXPECT_EQ(regs_raw(s, NTRACE_CMD_GET_REGS, h, stop_id, NTRACE_REGSET_FPR, fx, 512), 512,
		  "GET_REGS NT_PRFPREG: 512 bytes");
	memcpy(fx2, fx, 512);
	memcpy(fx2 + 160, pat, 16);
	EXPECT_EQ(regs_raw(s, NTRACE_CMD_SET_REGS, h, stop_id, NTRACE_REGSET_FPR, fx2, 512), 0,
		  "SET_REGS NT_PRFPREG with xmm0 changed");
	memset(fx2, 0, sizeof(fx2));
	regs_raw(s, NTRACE_CMD_GET_REGS, h, stop_id, NTRACE_REGSET_FPR, fx2, 512);
	CHECK(!memcmp(fx2 + 160, pat, 16), "GET_REGS NT_PRFPREG shows the new xmm0");
	CHECK(regs_raw(s, NTRACE_CMD_GET_REGS, h, stop_id, NTRACE_REGSET_XSTATE, xs, sizeof(xs)) > 512 &&
		      !memcmp(xs + 160, pat, 16),
	      "GET_REGS NT_X86_XSTATE agrees on xmm0");
	EXPECT_EQ(regs_raw(s, NTRACE_CMD_SET_REGS, h, stop_id, NTRACE_REGSET_FPR, fx, 512), 0,
		  "SET_REGS NT_PRFPREG restores");
}

static void test_debug(void)
{
	struct user_regs_struct regs, regs2;
	struct ntrace_ev_stop *ev;
	struct ntrace_reply *rep;
	struct session s, s2;
	uint64_t h, v, stop_id;
	uint8_t orig, b;
	pid_t pid;
	int st, n;

	pid = spawn(0, -1);
	open_session(&s);
	hello(&s, NULL);
	EXPECT_EQ(attach(&s, pid, NTRACE_ATTACH_STOP | NTRACE_ATTACH_KILL_ON_CLOSE, &h), 0,
		  "ATTACH with STOP to a forked child");
	ev = wait_stop(&s, h, 0);
	CHECK(ev && ev->reason == NTRACE_STOP_ATTACH && ev->thread.tid == pid &&
		      ev->thread.tgid == pid,
	      "STOP event: reason ATTACH, tid and tgid of the child");
	stop_id = ev ? ev->stop_id : 0;
	check_stop_regs(&s, ev, "ATTACH stop");
	EXPECT_EQ(hello(&s, NULL), -EBUSY, "HELLO after ATTACH: EBUSY");
	open_session(&s2);
	hello(&s2, NULL);
	EXPECT_EQ(attach(&s2, pid, 0, NULL), -EBUSY, "a second session cannot attach: EBUSY");
	close_session(&s2);

	EXPECT_EQ(get_regs(&s, h, stop_id, &regs), 0, "GET_REGS (NT_PRSTATUS, 216 bytes)");
	EXPECT_EQ(regs.rip, ev ? ev->pc : 1, "GET_REGS rip equals the stop's pc");
	EXPECT_EQ(regs.rsp, ev ? ev->sp : 1, "GET_REGS rsp equals the stop's sp");
	rec_free(&ev->hdr);
	regs2 = regs;
	regs2.r15 = 0x5a5a5a5a12345678ULL;
	EXPECT_EQ(set_regs(&s, h, stop_id, &regs2), 0, "SET_REGS with r15 changed");
	memset(&regs2, 0, sizeof(regs2));
	get_regs(&s, h, stop_id, &regs2);
	EXPECT_EQ(regs2.r15, 0x5a5a5a5a12345678ULL, "GET_REGS shows the new r15");
	EXPECT_EQ(set_regs(&s, h, stop_id, &regs), 0, "SET_REGS restores the registers");
	EXPECT_EQ(get_regs(&s, h, stop_id + 1000, &regs2), -ESTALE, "GET_REGS with a stale stop_id: ESTALE");
	regs2 = regs;
	regs2.cs ^= 8;
	EXPECT_EQ(set_regs(&s, h, stop_id, &regs2), -EINVAL, "SET_REGS changing cs: EINVAL");
	test_fpr(&s, h, stop_id);

	EXPECT_EQ(read_mem(&s, pid, (uintptr_t)&magic, &v, 8), 8, "READ_MEM 8 bytes");
	EXPECT_EQ(v, 0x1122334455667788ULL, "READ_MEM returns the child's value");
	v = 0xfeedfacecafebeefULL;
	EXPECT_EQ(write_mem(&s, pid, (uintptr_t)&magic, &v, 8), 8, "WRITE_MEM 8 bytes");
	v = 0;
	read_mem(&s, pid, (uintptr_t)&magic, &v, 8);
	EXPECT_EQ(v, 0xfeedfacecafebeefULL, "READ_MEM after WRITE_MEM");
	EXPECT_EQ(read_mem(&s, pid, 8, &v, 8), -EIO, "READ_MEM of an unmapped page: EIO");

	/* Software breakpoint at bp_target. */
	EXPECT_EQ(bp_cmd(&s, pid, (uintptr_t)bp_target, NTRACE_CMD_SET_BP), 0, "SET_BP (int3)");
	read_mem(&s, pid, (uintptr_t)bp_target, &b, 1);
	orig = *(volatile uint8_t *)bp_target;
	EXPECT_EQ(b, orig, "READ_MEM shows the original byte under the breakpoint");
	EXPECT_EQ(resume(&s, h, stop_id, NTRACE_RESUME_CONT, 0), 0, "RESUME (cont)");
	EXPECT_EQ(resume(&s, h, stop_id, NTRACE_RESUME_CONT, 0), -ESTALE, "RESUME again: ESTALE");
	ev = wait_stop(&s, h, 0);
	CHECK(ev && ev->reason == NTRACE_STOP_BREAKPOINT, "STOP event: reason BREAKPOINT");
	EXPECT_EQ(ev ? ev->pc : 0, (uintptr_t)bp_target, "breakpoint pc is rewound to the int3");
	EXPECT_EQ(ev ? ev->data[0] : 0, (uintptr_t)bp_target, "breakpoint data[0] is its address");
	stop_id = ev ? ev->stop_id : 0;
	check_stop_regs(&s, ev, "BREAKPOINT stop");
	rec_free(&ev->hdr);
	get_regs(&s, h, stop_id, &regs);
	EXPECT_EQ(regs.rip, (uintptr_t)bp_target, "GET_REGS rip at the breakpoint");

	/* Resuming at our breakpoint steps over it: every hit is a new call. */
	for (int i = 0; i < 3; i++) {
		uint64_t c0 = 0, c1 = 0;

		read_mem(&s, pid, (uintptr_t)&spin_count, &c0, 8);
		EXPECT_EQ(resume(&s, h, stop_id, NTRACE_RESUME_CONT, 0), 0,
			  "RESUME (cont) at the breakpoint");
		ev = wait_stop(&s, h, 0);
		CHECK(ev && ev->reason == NTRACE_STOP_BREAKPOINT && ev->pc == (uintptr_t)bp_target,
		      "the breakpoint hits again (step-over %d)", i);
		stop_id = ev ? ev->stop_id : 0;
		rec_free(&ev->hdr);
		read_mem(&s, pid, (uintptr_t)&spin_count, &c1, 8);
		EXPECT_EQ(c1, c0 + 1, "... one more call of bp_target");
	}
	{
		char path[64];
		int fd;

		EXPECT_EQ(resume(&s, h, stop_id, NTRACE_RESUME_STEP, 0), 0,
			  "RESUME (step) at the breakpoint");
		ev = wait_stop(&s, h, 0);
		CHECK(ev && ev->reason == NTRACE_STOP_STEP && ev->pc > (uintptr_t)bp_target &&
			      ev->pc <= (uintptr_t)bp_target + 15,
		      "STEP stop one instruction past the breakpoint");
		stop_id = ev ? ev->stop_id : 0;
		check_stop_regs(&s, ev, "STEP stop (our TF hidden)");
		rec_free(&ev->hdr);
		snprintf(path, sizeof(path), "/proc/%d/mem", pid);
		fd = open(path, O_RDONLY);
		b = 0;
		CHECK(fd >= 0 && pread(fd, &b, 1, (uintptr_t)bp_target) == 1 && b == 0xcc,
		      "the int3 is back in memory after the step-over (%#x)", b);
		close(fd);
		resume(&s, h, stop_id, NTRACE_RESUME_CONT, 0);
		ev = wait_stop(&s, h, NTRACE_STOP_BREAKPOINT);
		CHECK(ev != NULL, "and it hits again");
		stop_id = ev ? ev->stop_id : 0;
		rec_free(&ev->hdr);
	}

	/* Step off the breakpoint: remove it, step one instruction. */
	EXPECT_EQ(bp_cmd(&s, pid, (uintptr_t)bp_target, NTRACE_CMD_CLEAR_BP), 0, "CLEAR_BP");
	EXPECT_EQ(bp_cmd(&s, pid, (uintptr_t)bp_target, NTRACE_CMD_CLEAR_BP), -ENOENT,
		  "CLEAR_BP twice: ENOENT");
	read_mem(&s, pid, (uintptr_t)bp_target, &b, 1);
	EXPECT_EQ(b, orig, "the original byte is back in memory");
	EXPECT_EQ(resume(&s, h, stop_id, NTRACE_RESUME_STEP, 0), 0, "RESUME (step)");
	ev = wait_stop(&s, h, 0);
	CHECK(ev && ev->reason == NTRACE_STOP_STEP, "STOP event: reason STEP");
	CHECK(ev && ev->pc > (uintptr_t)bp_target && ev->pc <= (uintptr_t)bp_target + 15,
	      "one step advanced by one instruction (pc %#llx, bp_target %p)",
	      ev ? (unsigned long long)ev->pc : 0ULL, (void *)bp_target);
	stop_id = ev ? ev->stop_id : 0;
	rec_free(&ev->hdr);
	get_regs(&s, h, stop_id, &regs);
	CHECK(!(regs.eflags & 0x100), "TF is not visible after the step");

	/*
	 * Signals: intercepted, suppressed with sig 0, passed with NTRACE_SIG_PASS. A signal
	 * sent while the thread is stopped is reported as soon as it is resumed; the breakpoint
	 * at bp_target then proves the thread went back to user mode (past any handler).
	 */
	kill(pid, SIGUSR1);
	resume(&s, h, stop_id, NTRACE_RESUME_CONT, 0);
	ev = wait_stop(&s, h, 0);
	CHECK(ev && ev->reason == NTRACE_STOP_SIGNAL && ev->signo == SIGUSR1,
	      "STOP event: SIGNAL SIGUSR1");
	CHECK(ev && ((siginfo_t *)ev->siginfo)->si_signo == SIGUSR1 &&
		      ((siginfo_t *)ev->siginfo)->si_pid == getpid(),
	      "stop siginfo: si_signo SIGUSR1, si_pid of the sender");
	stop_id = ev ? ev->stop_id : 0;
	rec_free(&ev->hdr);
	{
		struct ntrace_cmd_siginfo c = { .handle = h, .stop_id = stop_id };

		rep = call(&s, &c, sizeof(c), NTRACE_CMD_GET_SIGINFO);
		CHECK(rep && !rep->error && ((siginfo_t *)(rep + 1))->si_signo == SIGUSR1,
		      "GET_SIGINFO");
		rec_free(&rep->hdr);
	}
	bp_cmd(&s, pid, (uintptr_t)bp_target, NTRACE_CMD_SET_BP);
	EXPECT_EQ(resume(&s, h, stop_id, NTRACE_RESUME_CONT, 0), 0, "RESUME suppressing SIGUSR1");
	ev = wait_stop(&s, h, 0);
	CHECK(ev && ev->reason == NTRACE_STOP_BREAKPOINT, "next stop: the breakpoint");
	stop_id = ev ? ev->stop_id : 0;
	rec_free(&ev->hdr);
	n = -1;
	read_mem(&s, pid, (uintptr_t)&usr1_count, &n, sizeof(n));
	EXPECT_EQ(n, 0, "the suppressed SIGUSR1 never reached its handler");
	kill(pid, SIGUSR1);
	resume(&s, h, stop_id, NTRACE_RESUME_CONT, 0);
	ev = wait_stop(&s, h, 0);
	CHECK(ev && ev->reason == NTRACE_STOP_SIGNAL, "SIGUSR1 sent at a breakpoint stop: SIGNAL");
	stop_id = ev ? ev->stop_id : 0;
	rec_free(&ev->hdr);
	EXPECT_EQ(resume(&s, h, stop_id, NTRACE_RESUME_CONT, NTRACE_SIG_PASS), 0,
		  "RESUME passing SIGUSR1");
	ev = wait_stop(&s, h, 0);
	CHECK(ev && ev->reason == NTRACE_STOP_BREAKPOINT && ev->pc == (uintptr_t)bp_target,
	      "after the handler the breakpoint hits again");
	stop_id = ev ? ev->stop_id : 0;
	rec_free(&ev->hdr);
	read_mem(&s, pid, (uintptr_t)&usr1_count, &n, sizeof(n));
	EXPECT_EQ(n, 1, "the passed SIGUSR1 ran its handler once");
	bp_cmd(&s, pid, (uintptr_t)bp_target, NTRACE_CMD_CLEAR_BP);

	/* Resume with a different signal: SIGUSR1 injected at a non-signal stop. */
	EXPECT_EQ(resume(&s, h, stop_id, NTRACE_RESUME_CONT, SIGUSR1), 0, "RESUME injecting SIGUSR1");
	stop_cmd(&s, pid, h);
	ev = wait_stop(&s, h, NTRACE_STOP_REQUESTED);
	stop_id = ev ? ev->stop_id : 0;
	rec_free(&ev->hdr);
	bp_cmd(&s, pid, (uintptr_t)bp_target, NTRACE_CMD_SET_BP);
	resume(&s, h, stop_id, NTRACE_RESUME_CONT, 0);
	ev = wait_stop(&s, h, 0);
	CHECK(ev && ev->reason == NTRACE_STOP_BREAKPOINT,
	      "the injected signal is not intercepted again (next stop: breakpoint)");
	stop_id = ev ? ev->stop_id : 0;
	rec_free(&ev->hdr);
	read_mem(&s, pid, (uintptr_t)&usr1_count, &n, sizeof(n));
	EXPECT_EQ(n, 2, "the injected SIGUSR1 ran its handler");
	bp_cmd(&s, pid, (uintptr_t)bp_target, NTRACE_CMD_CLEAR_BP);

	/* Hardware write watchpoint on spin_count (bp_target increments it). */
	{
		struct ntrace_cmd_bp w = { .pid = pid, .kind = NTRACE_BP_WRITE,
					   .addr = (uintptr_t)&spin_count, .len = 8 };
		uint64_t c0 = 0, c1 = 0;

		w.len = 3;
		EXPECT_EQ(call_err(&s, &w, sizeof(w), NTRACE_CMD_SET_BP), -EINVAL,
			  "watchpoint of length 3: EINVAL");
		w.len = 8;
		w.kind = NTRACE_BP_ACCESS + 1;
		EXPECT_EQ(call_err(&s, &w, sizeof(w), NTRACE_CMD_SET_BP), -EINVAL,
			  "SET_BP of an unknown kind: EINVAL");
		w.kind = NTRACE_BP_WRITE;
		EXPECT_EQ(call_err(&s, &w, sizeof(w), NTRACE_CMD_CLEAR_BP), -ENOENT,
			  "CLEAR_BP of an unknown watchpoint: ENOENT");
		EXPECT_EQ(call_err(&s, &w, sizeof(w), NTRACE_CMD_SET_BP), 0, "SET_BP write watchpoint");
		read_mem(&s, pid, (uintptr_t)&spin_count, &c0, 8);
		resume(&s, h, stop_id, NTRACE_RESUME_CONT, 0);
		ev = wait_stop(&s, h, 0);
		CHECK(ev && ev->reason == NTRACE_STOP_WATCH && ev->data[0] == (uintptr_t)&spin_count &&
			      ev->data[1] == NTRACE_BP_WRITE && ev->signo == SIGTRAP,
		      "STOP event: WATCH, data[0] the watched address, data[1] WRITE");
		CHECK(ev && ev->pc > (uintptr_t)bp_target && ev->pc < (uintptr_t)bp_target + 32,
		      "the watch stop is just after the write in bp_target");
		stop_id = ev ? ev->stop_id : 0;
		rec_free(&ev->hdr);
		read_mem(&s, pid, (uintptr_t)&spin_count, &c1, 8);
		EXPECT_EQ(c1, c0 + 1, "the watched write happened once");
		resume(&s, h, stop_id, NTRACE_RESUME_CONT, 0);
		ev = wait_stop(&s, h, 0);
		CHECK(ev && ev->reason == NTRACE_STOP_WATCH, "the next write stops again");
		stop_id = ev ? ev->stop_id : 0;
		rec_free(&ev->hdr);
		EXPECT_EQ(call_err(&s, &w, sizeof(w), NTRACE_CMD_CLEAR_BP), 0, "CLEAR_BP watchpoint");
		resume(&s, h, stop_id, NTRACE_RESUME_CONT, 0);
		stop_cmd(&s, pid, h);
		ev = wait_stop(&s, h, 0);
		CHECK(ev && ev->reason == NTRACE_STOP_REQUESTED, "after CLEAR_BP no watch stop comes");
		stop_id = ev ? ev->stop_id : 0;
		rec_free(&ev->hdr);
	}

	/* Steps over a syscall instruction land right after it, with or without a breakpoint. */
	{
		static const struct {
			const char *at;
			int steps;
			const char *what;
		} runs[] = {
			{ sc_at, 1, "STEP from a breakpoint on `syscall` stops right after it" },
			{ sc_insn, 2, "two STEPs from the `mov` before `syscall` stop right after it" },
		};

		for (int i = 0; i < 2; i++) {
			uint64_t pc = 0;

			bp_cmd(&s, pid, (uintptr_t)runs[i].at, NTRACE_CMD_SET_BP);
			resume(&s, h, stop_id, NTRACE_RESUME_CONT, 0);
			ev = wait_stop(&s, h, NTRACE_STOP_BREAKPOINT);
			stop_id = ev ? ev->stop_id : 0;
			rec_free(&ev->hdr);
			if (i == 1)
				bp_cmd(&s, pid, (uintptr_t)runs[i].at, NTRACE_CMD_CLEAR_BP);
			for (int k = 0; k < runs[i].steps; k++) {
				resume(&s, h, stop_id, NTRACE_RESUME_STEP, 0);
				ev = wait_stop(&s, h, 0);
				pc = ev && ev->reason == NTRACE_STOP_STEP ? ev->pc : 0;
				stop_id = ev ? ev->stop_id : 0;
				rec_free(&ev->hdr);
			}
			tap(pc == (uintptr_t)sc_after, "%s (pc %#llx, want %p)", runs[i].what,
			    (unsigned long long)pc, (void *)sc_after);
			if (i == 0)
				bp_cmd(&s, pid, (uintptr_t)runs[i].at, NTRACE_CMD_CLEAR_BP);
		}
	}

	/* Exit: the child exits with 42, the session sees PROC_EXIT. */
	n = 42;
	write_mem(&s, pid, (uintptr_t)&exit_code_var, &n, sizeof(n));
	resume(&s, h, stop_id, NTRACE_RESUME_CONT, 0);
	{
		struct ntrace_ev_proc_exit *pe = (void *)wait_type(&s, NTRACE_EV_PROC_EXIT);

		CHECK(pe && WIFEXITED(pe->wstatus) && WEXITSTATUS(pe->wstatus) == 42 &&
			      pe->thread.tgid == pid,
		      "PROC_EXIT: exited with 42 (wstatus %#x)", pe ? pe->wstatus : -1);
		rec_free(&pe->hdr);
	}
	/* PROC_EXIT comes once the process is a zombie: waitpid needs no wait. */
	st = -1;
	CHECK(waitpid(pid, &st, WNOHANG) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 42,
	      "waitpid agrees at once: exit 42");
	EXPECT_EQ(pid_cmd(&s, pid, NTRACE_CMD_LIST_THREADS), -ESRCH, "the exited pid is gone: ESRCH");
	close_session(&s);
}

static void test_kill_and_close(void)
{
	struct ntrace_ev_stop *ev;
	struct session s;
	pid_t a, b, c;
	int pa[2], st;
	uint64_t h;

	/* KILL a stopped target: SIGKILL wins over the stop. */
	a = spawn(0, -1);
	open_session(&s);
	hello(&s, NULL);
	attach(&s, a, NTRACE_ATTACH_STOP, &h);
	ev = wait_stop(&s, h, NTRACE_STOP_ATTACH);
	CHECK(ev != NULL, "stopped before KILL");
	rec_free(&ev->hdr);
	EXPECT_EQ(pid_cmd(&s, a, NTRACE_CMD_KILL), 0, "KILL a stopped target");
	{
		struct ntrace_ev_proc_exit *pe = (void *)wait_type(&s, NTRACE_EV_PROC_EXIT);

		CHECK(pe && WIFSIGNALED(pe->wstatus) && WTERMSIG(pe->wstatus) == SIGKILL,
		      "PROC_EXIT after KILL: killed by SIGKILL");
		rec_free(&pe->hdr);
	}
	st = -1;
	CHECK(waitpid(a, &st, WNOHANG) == a && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
	      "waitpid at once: SIGKILL");

	close_session(&s);

	/*
	 * Close with stopped targets: the attached one runs on, the KILL_ON_CLOSE one dies.
	 * Both are forked before the session is opened: a debuggee holding the session fd
	 * would keep the session alive after our close.
	 */
	if (pipe(pa))
		return;
	b = spawn(0, pa[1]);
	c = spawn(0, -1);
	read_byte(pa[0]);
	open_session(&s);
	hello(&s, NULL);
	attach(&s, b, NTRACE_ATTACH_STOP, &h);
	ev = wait_stop(&s, h, NTRACE_STOP_ATTACH);
	rec_free(&ev->hdr);
	attach(&s, c, NTRACE_ATTACH_STOP | NTRACE_ATTACH_KILL_ON_CLOSE, &h);
	ev = wait_stop(&s, h, NTRACE_STOP_ATTACH);
	CHECK(ev != NULL, "two targets stopped before close");
	rec_free(&ev->hdr);
	/* While stopped, b writes nothing: drain whatever it wrote before. */
	drain(pa[0]);
	errno = 0;
	CHECK(syscall(SYS_delete_module, "ntrace", O_NONBLOCK) == -1 && errno == EWOULDBLOCK,
	      "rmmod refused while a session holds stopped targets (errno %d)", errno);
	close_session(&s);
	CHECK(read_byte(pa[0]), "after close the attached target runs again");
	st = reap(c);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "after close the KILL_ON_CLOSE target is killed");
	kill(b, SIGKILL);
	reap(b);
	close(pa[0]);
	close(pa[1]);
}

static void test_blocked_read(void)
{
	struct ntrace_ev_stop *ev;
	struct session s;
	int p[2], st;
	uint64_t h;
	pid_t pid;

	if (pipe(p))
		return;
	pid = spawn(2, p[0]);
	open_session(&s);
	hello(&s, NULL);
	/* Let the child block in read(): it cannot have data, so any time is fine. */
	attach(&s, pid, 0, &h);
	usleep(200000);
	EXPECT_EQ(stop_cmd(&s, pid, 0), 0, "STOP a thread blocked in read()");
	ev = wait_stop(&s, h, NTRACE_STOP_REQUESTED);
	CHECK(ev != NULL, "it stops");
	resume(&s, h, ev ? ev->stop_id : 0, NTRACE_RESUME_CONT, 0);
	rec_free(&ev->hdr);
	CHECK(write(p[1], "\x21", 1) == 1, "write the byte it waits for");
	st = reap(pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0x21, "read() restarted transparently (exit %#x)", st);
	close_session(&s);
	close(p[0]);
	close(p[1]);
}

static void test_threads(void)
{
	struct ntrace_ev_stop *ev, *ev2;
	struct ntrace_ev_thread *tn;
	struct ntrace_cmd_set_options o = { 0 };
	struct session s;
	uint64_t h, h2 = 0;
	int n = 7, st;
	pid_t pid;

	pid = spawn(1, -1);
	open_session(&s);
	hello(&s, NULL);
	attach(&s, pid, NTRACE_ATTACH_STOP | NTRACE_ATTACH_KILL_ON_CLOSE, &h);
	ev = wait_stop(&s, h, NTRACE_STOP_ATTACH);
	o.pid = pid;
	o.events = NTRACE_EVENT_CLONE | NTRACE_EVENT_THREAD_REPORT;
	o.stop_signals = ~0ULL;
	EXPECT_EQ(call_err(&s, &o, sizeof(o), NTRACE_CMD_SET_OPTIONS), 0,
		  "SET_OPTIONS clone stops and thread reports");
	o.events = NTRACE_EVENT_SYSCALL_ENTRY;
	EXPECT_EQ(call_err(&s, &o, sizeof(o), NTRACE_CMD_SET_OPTIONS), -EOPNOTSUPP,
		  "SET_OPTIONS syscall-entry stops: EOPNOTSUPP (no such cap)");
	o.events = NTRACE_EVENT_CLONE | NTRACE_EVENT_THREAD_REPORT;
	call_err(&s, &o, sizeof(o), NTRACE_CMD_SET_OPTIONS);
	write_mem(&s, pid, (uintptr_t)&exit_code_var, &n, sizeof(n));
	resume(&s, h, ev ? ev->stop_id : 0, NTRACE_RESUME_CONT, 0);
	rec_free(&ev->hdr);
	tn = (void *)wait_type(&s, NTRACE_EV_THREAD_NEW);
	CHECK(tn && tn->data == (int64_t)h && tn->thread.tgid == pid && tn->thread.tid != pid,
	      "THREAD_NEW report names the new thread and its parent");
	ev = wait_stop(&s, h, NTRACE_STOP_CLONE);
	CHECK(ev && tn && ev->data[0] == tn->thread.handle && (pid_t)ev->data[1] == tn->thread.tid,
	      "CLONE stop of the parent: data[0] new handle, data[1] new tid");
	if (tn)
		h2 = tn->thread.handle;
	rec_free(&tn->hdr);
	ev2 = wait_stop(&s, h2, NTRACE_STOP_NEW_THREAD);
	CHECK(ev2 != NULL, "NEW_THREAD stop of the new thread");
	resume(&s, h, ev ? ev->stop_id : 0, NTRACE_RESUME_CONT, 0);
	resume(&s, h2, ev2 ? ev2->stop_id : 0, NTRACE_RESUME_CONT, 0);
	rec_free(&ev->hdr);
	rec_free(&ev2->hdr);
	EXPECT_EQ(stop_cmd(&s, pid, 0), 0, "STOP every thread of the process");
	ev = wait_stop(&s, h, NTRACE_STOP_REQUESTED);
	ev2 = wait_stop(&s, h2, NTRACE_STOP_REQUESTED);
	CHECK(ev && ev2, "both threads report REQUESTED stops");
	{
		struct ntrace_cmd_pid c = { .pid = pid };
		struct ntrace_reply *r = call(&s, &c, sizeof(c), NTRACE_CMD_LIST_THREADS);
		struct ntrace_thread_list_reply *l = r ? (void *)(r + 1) : NULL;
		struct ntrace_thread_info *ti = l ? (void *)(l + 1) : NULL;

		CHECK(l && l->count == 2 && ti[0].state == NTRACE_THREAD_STOPPED &&
			      ti[1].state == NTRACE_THREAD_STOPPED && ti[0].stop_id && ti[1].stop_id,
		      "LIST_THREADS: two stopped threads with stop ids");
		rec_free(&r->hdr);
	}
	rec_free(&ev->hdr);
	rec_free(&ev2->hdr);
	pid_cmd(&s, pid, NTRACE_CMD_KILL);
	{
		struct ntrace_hdr *te = wait_type(&s, NTRACE_EV_THREAD_EXIT);
		struct ntrace_ev_proc_exit *pe = (void *)wait_type(&s, NTRACE_EV_PROC_EXIT);

		CHECK(te && pe && WIFSIGNALED(pe->wstatus), "THREAD_EXIT and PROC_EXIT after KILL");
		rec_free(te);
		rec_free(&pe->hdr);
	}
	st = reap(pid);
	CHECK(WIFSIGNALED(st), "waitpid: killed");
	close_session(&s);
}

/* The userspace LAUNCH composition: fork, ATTACH STOP_AT_EXEC|KILL_ON_CLOSE, then exec. */
static void test_exec(const char *self, const char *suid)
{
	struct ntrace_ev_stop *ev;
	struct user_regs_struct regs;
	struct session s;
	int go[2], st;
	uint64_t h;
	pid_t pid;
	char c;

	if (pipe(go))
		return;
	pid = fork();
	if (!pid) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(98);
		execl(self, self, "--exec-again", (char *)NULL);
		_exit(97);
	}
	close(go[0]);
	open_session(&s);
	hello(&s, NULL);
	EXPECT_EQ(attach(&s, pid, NTRACE_ATTACH_STOP_AT_EXEC | NTRACE_ATTACH_KILL_ON_CLOSE, &h), 0,
		  "ATTACH STOP_AT_EXEC to a waiting child");
	CHECK(write(go[1], "g", 1) == 1, "release the child to exec");
	ev = wait_stop(&s, h, 0);
	CHECK(ev && ev->reason == NTRACE_STOP_LAUNCH, "STOP event after exec: reason LAUNCH");
	EXPECT_EQ(get_regs(&s, h, ev ? ev->stop_id : 0, &regs), 0, "GET_REGS at the exec stop");
	EXPECT_EQ(regs.rip, ev ? ev->pc : 1, "rip is the new image's entry (stop pc)");
	{
		struct ntrace_cmd_set_options o = { .pid = pid, .events = NTRACE_EVENT_EXEC,
						    .stop_signals = ~0ULL };

		EXPECT_EQ(call_err(&s, &o, sizeof(o), NTRACE_CMD_SET_OPTIONS), 0,
			  "SET_OPTIONS exec stops");
	}
	resume(&s, h, ev ? ev->stop_id : 0, NTRACE_RESUME_CONT, 0);
	rec_free(&ev->hdr);
	ev = wait_stop(&s, h, 0);
	CHECK(ev && ev->reason == NTRACE_STOP_EXEC && ev->data[0] == (uint64_t)pid,
	      "the image execs again: STOP EXEC, data[0] = former tid");
	resume(&s, h, ev ? ev->stop_id : 0, NTRACE_RESUME_CONT, 0);
	rec_free(&ev->hdr);
	{
		struct ntrace_ev_proc_exit *pe = (void *)wait_type(&s, NTRACE_EV_PROC_EXIT);

		CHECK(pe && WIFEXITED(pe->wstatus) && WEXITSTATUS(pe->wstatus) == 5,
		      "the exec'd image ran to exit 5");
		rec_free(&pe->hdr);
	}
	st = reap(pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 5, "waitpid: exit 5");
	close(go[1]);
	close_session(&s);

	/* Unprivileged: pid 1 is refused, an own child is allowed, a setuid exec revokes. */
	pid = fork();
	if (!pid) {
		struct ntrace_ev_detached *d;
		int bad = 0;
		pid_t kid;

		if (setgid(NOBODY) || setuid(NOBODY))
			_exit(90);
		/* The uid change made us undumpable; a normal login would not be. */
		prctl(PR_SET_DUMPABLE, 1);
		open_session(&s);
		hello(&s, NULL);
		if (attach(&s, 1, 0, NULL) != -EACCES)
			bad |= 1;
		if (pipe(go))
			_exit(91);
		kid = fork();
		if (!kid) {
			if (read(go[0], &c, 1) != 1)
				_exit(98);
			execl(suid, "busybox", "true", (char *)NULL);
			_exit(97);
		}
		if (attach(&s, kid, NTRACE_ATTACH_STOP_AT_EXEC, &h) != 0)
			bad |= 2;
		if (write(go[1], "g", 1) != 1)
			bad |= 4;
		d = (void *)wait_type(&s, NTRACE_EV_DETACHED);
		if (!d || d->reason != NTRACE_DETACHED_PRIVILEGE || d->pid != kid)
			bad |= 8;
		st = reap(kid);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			bad |= 32;
		/* It ran to its end: any stop would be queued by now. */
		{
			struct stop_match any = { 0, 0 };
			struct pollfd p = { .fd = s.fd, .events = POLLIN };
			struct rec *r;

			if (poll(&p, 1, 0) == 1)
				pump(&s);
			for (r = s.stash; r; r = r->next)
				if (match_stop(&r->h, &any))
					bad |= 16;
		}
		_exit(bad);
	}
	st = reap(pid);
	EXPECT_EQ(WIFEXITED(st) ? WEXITSTATUS(st) : 255, 0,
		  "as nobody: ATTACH pid 1 is EACCES, own child OK, setuid exec gives DETACHED(PRIVILEGE) and no stop (bitmask of failures)");
}

/* stop_signals filter and DETACH. */
static void test_filter_detach(void)
{
	struct ntrace_cmd_set_options o = { 0 };
	struct ntrace_ev_detached *d;
	struct ntrace_ev_stop *ev;
	uint8_t b = 0, orig = *(volatile uint8_t *)bp_target;
	char path[64];
	struct session s;
	int p[2], n = -1, fd;
	uint64_t h;
	pid_t pid;

	if (pipe(p))
		return;
	pid = spawn(0, p[1]);
	CHECK(read_byte(p[0]), "the debuggee is ready (its SIGUSR1 handler installed)");
	open_session(&s);
	hello(&s, NULL);
	attach(&s, pid, NTRACE_ATTACH_STOP, &h);
	ev = wait_stop(&s, h, NTRACE_STOP_ATTACH);
	o.pid = pid;
	o.stop_signals = ~0ULL & ~(1ULL << (SIGUSR1 - 1));
	EXPECT_EQ(call_err(&s, &o, sizeof(o), NTRACE_CMD_SET_OPTIONS), 0,
		  "SET_OPTIONS: every signal but SIGUSR1 stops");
	kill(pid, SIGUSR1);
	bp_cmd(&s, pid, (uintptr_t)bp_target, NTRACE_CMD_SET_BP);
	resume(&s, h, ev ? ev->stop_id : 0, NTRACE_RESUME_CONT, 0);
	rec_free(&ev->hdr);
	ev = wait_stop(&s, h, 0);
	CHECK(ev && ev->reason == NTRACE_STOP_BREAKPOINT, "SIGUSR1 did not stop; the breakpoint did");
	read_mem(&s, pid, (uintptr_t)&usr1_count, &n, sizeof(n));
	EXPECT_EQ(n, 1, "SIGUSR1 was delivered silently");
	rec_free(&ev->hdr);

	EXPECT_EQ(pid_cmd(&s, pid, NTRACE_CMD_DETACH), 0, "DETACH a process stopped at a breakpoint");
	d = (void *)wait_type(&s, NTRACE_EV_DETACHED);
	CHECK(d && d->pid == pid && d->reason == NTRACE_DETACHED_REQUEST,
	      "DETACHED event, reason REQUEST");
	rec_free(&d->hdr);
	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	fd = open(path, O_RDONLY);
	CHECK(fd >= 0 && pread(fd, &b, 1, (uintptr_t)bp_target) == 1 && b == orig,
	      "DETACH removed the breakpoint from memory");
	close(fd);
	drain(p[0]);
	CHECK(read_byte(p[0]), "the detached process runs on");
	EXPECT_EQ(pid_cmd(&s, pid, NTRACE_CMD_LIST_THREADS), -ESRCH, "a detached pid is unknown: ESRCH");
	EXPECT_EQ(attach(&s, pid, 0, &h), 0, "it can be attached again");
	close_session(&s);
	kill(pid, SIGKILL);
	reap(pid);
	close(p[0]);
	close(p[1]);
}

static void test_foreign_writer(void)
{
	struct session s;
	pid_t pid;
	int st;

	open_session(&s);
	hello(&s, NULL);
	pid = fork();
	if (!pid) {
		struct ntrace_cmd_hello c = { { sizeof(c), NTRACE_CMD_HELLO, 0, 1 }, 1, 1, 0 };

		_exit(write(s.fd, &c, sizeof(c)) < 0 && errno == EPERM ? 0 : 1);
	}
	st = reap(pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "a process other than the opener gets EPERM");
	close_session(&s);
}

/*
 * NTRACE_EVENT_SYSCALL_EXIT with a filter: a getppid() loop stops at each getppid exit with
 * the syscall and its return value, its sleeps' syscalls not reported; without the event no
 * syscall stop comes before a requested one. Also the sys_exit tracepoint's users.
 */
static void test_syscall_exit(void)
{
	struct ntrace_cmd_set_options o = { 0 };
	struct ntrace_hello_reply hr = { 0 };
	struct user_regs_struct regs = { 0 };
	struct ntrace_ev_stop *ev;
	struct session s;
	int i, n = 0, err;
	uint64_t h;
	pid_t pid = fork();

	if (!pid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;) {
			syscall(SYS_getppid);
			usleep(1000);
		}
	}
	open_session(&s);
	hello(&s, &hr);
	CHECK((hr.caps & NTRACE_CAP_SYSCALL_EXIT_STOP) && (hr.caps & NTRACE_CAP_SYSCALL_FILTER),
	      "HELLO offers SYSCALL_EXIT_STOP and SYSCALL_FILTER (%#llx)", (unsigned long long)hr.caps);
	attach(&s, pid, NTRACE_ATTACH_STOP | NTRACE_ATTACH_KILL_ON_CLOSE, &h);
	ev = wait_stop(&s, h, NTRACE_STOP_ATTACH);
	o.pid = pid;
	o.events = NTRACE_EVENT_SYSCALL_EXIT;
	o.stop_signals = ~0ULL;
	o.syscalls[SYS_getppid / 64] = 1ULL << (SYS_getppid % 64);
	err = call_err(&s, &o, sizeof(o), NTRACE_CMD_SET_OPTIONS);
	EXPECT_EQ(err, 0, "SET_OPTIONS syscall-exit stops, getppid only");
	for (i = 0; i < 3 && ev && !err; i++) {
		resume(&s, h, ev->stop_id, NTRACE_RESUME_CONT, 0);
		rec_free(&ev->hdr);
		ev = wait_stop(&s, h, 0);
		if (ev && ev->reason == NTRACE_STOP_SYSCALL_EXIT && ev->data[0] == SYS_getppid &&
		    ev->data[1] == (uint64_t)getpid())
			n++;
	}
	EXPECT_EQ(n, 3, "3 stops in a row, each SYSCALL_EXIT of getppid returning our pid");
	EXPECT_EQ(get_regs(&s, h, ev ? ev->stop_id : 0, &regs), 0, "GET_REGS at it");
	CHECK(regs.rax == (uint64_t)getpid() && regs.orig_rax == SYS_getppid,
	      "rax is the return value, orig_rax the syscall (%#llx, %lld)",
	      (unsigned long long)regs.rax, (long long)regs.orig_rax);
	o.events = 0;
	EXPECT_EQ(call_err(&s, &o, sizeof(o), NTRACE_CMD_SET_OPTIONS), 0,
		  "SET_OPTIONS without syscall-exit stops");
	resume(&s, h, ev ? ev->stop_id : 0, NTRACE_RESUME_CONT, 0);
	rec_free(&ev->hdr);
	usleep(100000);
	EXPECT_EQ(stop_cmd(&s, pid, 0), 0, "STOP");
	ev = wait_stop(&s, h, 0);
	CHECK(ev && ev->reason == NTRACE_STOP_REQUESTED, "the next stop is the requested one (%u)",
	      ev ? ev->reason : 0);
	rec_free(&ev->hdr);
	close_session(&s);
	reap(pid);
}

/*
 * Finding: module unload after the module_put at the end of a task_work callback (--unload,
 * the module loaded with test_put_delay_ms, which busy-waits after that put). A stopped thread
 * is resumed, so its callback ends; the session is closed and the module removed at once:
 * rmmod must wait until the callback has left the module's text (synchronize_rcu_tasks() in
 * module_exit), not free it under it, which oopses the guest (oops=panic).
 */
static void test_unload(void)
{
	struct ntrace_ev_stop *ev;
	struct session s;
	long tries = 0;
	int ret;
	pid_t pid = spawn(0, -1);

	open_session(&s);
	hello(&s, NULL);
	EXPECT_EQ(attach(&s, pid, NTRACE_ATTACH_STOP, NULL), 0, "unload: ATTACH with a stop");
	ev = wait_stop(&s, 0, NTRACE_STOP_ATTACH);
	EXPECT_EQ(ev ? resume(&s, ev->thread.handle, ev->stop_id, NTRACE_RESUME_CONT, 0) : -1, 0,
		  "unload: RESUME, the stop's callback ends in its delay after the module_put");
	rec_free(&ev->hdr);
	close_session(&s);
	/* The callback's module reference is gone before its delay: rmmod proceeds at once. */
	while ((ret = syscall(SYS_delete_module, "ntrace", O_NONBLOCK)) && errno == EWOULDBLOCK &&
	       tries++ < 30000)
		usleep(1000);
	EXPECT_EQ(ret, 0, "unload: rmmod while the callback still runs after its module_put");
	CHECK(kill(pid, 0) == 0 && proc_state(pid) != 'Z',
	      "unload: the resumed target runs on, the kernel intact");
	kill(pid, SIGKILL);
	reap(pid);
}

int main(int argc, char **argv)
{
	/* "security" (or "security:NAME"), "cond", "syscall", "fork": that group alone */
	const char *only = getenv("NTRACE_SELFTEST_ONLY");
	const char *self = argc > 1 ? argv[1] : "/ntrace_selftest";
	const char *suid = argc > 2 ? argv[2] : "/suid-busybox";

	if (argc == 3 && !strcmp(argv[1], "--exit"))
		return atoi(argv[2]);
	if (argc == 2 && !strcmp(argv[1], "--exec-again")) {
		execl("/proc/self/exe", "again", "--exit", "5", (char *)NULL);
		return 96;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n");
	if (argc == 2 && !strcmp(argv[1], "--unload")) {
		test_unload();
		printf("1..%d\n# %d failed\n", testno, failures);
		return failures ? 1 : 0;
	}
	if (!only || !*only) {
		test_protocol();
		test_debug();
		test_kill_and_close();
		test_blocked_read();
		test_filter_detach();
		test_threads();
		test_range_hw_siginfo();
		test_allstop_watch_inherit();
		test_fork_child_bps();
		test_vfork_child_bps();
		test_read_watch();
		test_exec(self, suid);
		test_foreign_writer();
	}
	if (!only || !*only || !strncmp(only, "security", 8))
		test_security(self, suid);
	if (!only || !*only || !strcmp(only, "cond"))
		test_cond();
	if (!only || !*only || !strcmp(only, "syscall"))
		test_syscall_exit();
	if (!only || !*only || !strcmp(only, "fork"))
		test_fork(suid);
	CHECK((stops_seen > 0 || (only && *only)) && !stops_without_regs,
	      "every STOP record carried NTRACE_STOPF_REGS and 216 register bytes (%d of %d did not)",
	      stops_without_regs, stops_seen);
	printf("1..%d\n# %d failed\n", testno, failures);
	return failures ? 1 : 0;
}
