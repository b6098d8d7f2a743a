// SPDX-License-Identifier: GPL-2.0-only
/*
 * ntrace_selftest: the helpers every test file shares (selftest.h): TAP, the debuggee code,
 * and the session helpers that speak the ntrace records over /dev/ntrace.
 */
#include "selftest.h"

int failures, testno;

void tap(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - ", ok ? "ok" : "not ok", ++testno);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!ok)
		failures++;
}

/* ------------------------------------------------------------ debuggee code */

volatile uint64_t magic = 0x1122334455667788ULL;
volatile int exit_code_var;     /* the debuggee exits with this once nonzero */
volatile int usr1_count;
volatile uint64_t spin_count;
volatile uint64_t thread_count; /* written by thread_body only */
volatile uint64_t range_count;
volatile int usr1_value; /* si_value of the last SIGUSR1 */
volatile uint64_t store_only; /* only ever stored to (kind 0), for READ watchpoints */

__attribute__((noinline)) void bp_target(void)
{
	spin_count++;
	__asm__ volatile("nop; nop; nop; nop" ::: "memory");
}

/* A syscall at known addresses, for stepping over it. */
extern const char sc_insn[], sc_at[], sc_after[];
__attribute__((noinline)) void do_syscall(void)
{
	__asm__ volatile(".globl sc_insn\nsc_insn: mov $39, %%eax\n" /* getpid */
			 ".globl sc_at\nsc_at: syscall\n"
			 ".globl sc_after\nsc_after: nop\n"
			 ::: "rax", "rcx", "r11", "memory");
}

/* A loop of known extent, for RANGE_STEP and execute breakpoints: 9 instructions. */
extern const char rs_start[], rs_end[];
__attribute__((noinline)) void range_target(void)
{
	__asm__ volatile(".globl rs_start\nrs_start: nop\nnop\nmov $3, %%ecx\n"
			 "1: dec %%ecx\njnz 1b\n"
			 ".globl rs_end\nrs_end: nop\n" ::: "rcx", "memory");
	range_count++;
}

__attribute__((noinline)) void thread_tick(void)
{
	thread_count++;
}

void on_usr1(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	usr1_value = si->si_value.sival_int;
	usr1_count++;
}

static void *thread_body(void *arg)
{
	(void)arg;
	for (;;) {
		bp_target();
		thread_tick();
	}
	return NULL;
}

/* fork() for a debuggee: 0 in the child, which dies with its parent and holds no fd above 2
 * but @keep (debuggees must not hold session fds: a session ends when its last fd closes). */
pid_t fork_quiet(int keep)
{
	pid_t pid = fork();

	if (pid)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (int i = 3; i < 64; i++)
		if (i != keep)
			close(i);
	return 0;
}

/* kind 0: spin calling bp_target; 1: also start a thread once exit_code_var == 7;
 * 2: block in read() on fd and exit with the byte read. */
pid_t spawn(int kind, int fd)
{
	pid_t pid = fork_quiet(fd);

	if (pid)
		return pid;
	{
		struct sigaction sa = { .sa_sigaction = on_usr1, .sa_flags = SA_SIGINFO | SA_RESTART };

		sigaction(SIGUSR1, &sa, NULL);
	}
	if (kind == 3) { /* range_target in a loop */
		for (;;) {
			range_target();
			if (exit_code_var)
				_exit(exit_code_var);
		}
	}
	if (kind == 4) { /* once exit_code_var is set: fork a child that runs bp_target */
		pid_t c;
		int st;

		while (!exit_code_var)
			usleep(1000);
		c = fork();
		if (c == 0) {
			bp_target();
			_exit(3);
		}
		if (c < 0 || waitpid(c, &st, 0) != c)
			_exit(98);
		_exit(WIFEXITED(st) ? 40 + WEXITSTATUS(st) : WIFSIGNALED(st) ? 60 + WTERMSIG(st) : 97);
	}
	if (kind == 5) { /* once exit_code_var is set: a vfork child runs bp_target, then we do */
		pid_t c;
		int st;

		while (!exit_code_var)
			usleep(1000);
		c = vfork();
		if (c == 0) {
			bp_target();
			_exit(3);
		}
		if (c < 0 || waitpid(c, &st, 0) != c)
			_exit(98);
		bp_target(); /* the breakpoint is back in the parent */
		_exit(WIFEXITED(st) ? 40 + WEXITSTATUS(st) : WIFSIGNALED(st) ? 60 + WTERMSIG(st) : 97);
	}
	if (kind == 2) {
		unsigned char c = 0;

		while (read(fd, &c, 1) < 0 && errno == EINTR)
			;
		_exit(c);
	}
	if (fd >= 0 && write(fd, "r", 1) != 1) /* ready: past the setup above */
		_exit(99);
	for (;;) {
		int v;

		bp_target();
		if (kind == 0) {
			store_only = spin_count;
			do_syscall();
		}
		v = exit_code_var; /* read once: the debugger writes it at any point */
		if (kind == 1 && v == 7) {
			pthread_t th;

			exit_code_var = 0;
			pthread_create(&th, NULL, thread_body, NULL);
			continue;
		}
		if (v)
			_exit(v);
		if (fd >= 0 && (spin_count & 0xfffff) == 0)
			if (write(fd, "x", 1) < 0)
				_exit(99);
	}
}

/* ------------------------------------------------------------ session helpers */

int open_session(struct session *s)
{
	memset(s, 0, sizeof(*s));
	s->fd = open(NTRACE_DEVICE, O_RDWR | O_CLOEXEC);
	return s->fd;
}

void close_session(struct session *s)
{
	while (s->stash) {
		struct rec *r = s->stash;

		s->stash = r->next;
		free(r);
	}
	close(s->fd);
}

/* Read one batch of records into the stash; 0 on timeout. */
int pump(struct session *s)
{
	static uint64_t buf[65536 / 8];
	struct pollfd p = { .fd = s->fd, .events = POLLIN };
	ssize_t n, off = 0;

	if (poll(&p, 1, TIMEOUT_MS) != 1)
		return 0;
	n = read(s->fd, buf, sizeof(buf));
	if (n <= 0)
		return 0;
	while (off < n) {
		struct ntrace_hdr *h = (struct ntrace_hdr *)((char *)buf + off);
		struct rec *r = malloc(offsetof(struct rec, h) + h->len), **tail = &s->stash;

		memcpy(&r->h, h, h->len);
		r->next = NULL;
		while (*tail)
			tail = &(*tail)->next;
		*tail = r;
		off += h->len;
	}
	return 1;
}

/* The first stashed or future record that matches; caller frees. NULL on timeout. */
struct ntrace_hdr *wait_for(struct session *s, match_fn fn, const void *arg)
{
	for (;;) {
		struct rec **pp;

		for (pp = &s->stash; *pp; pp = &(*pp)->next) {
			if (fn(&(*pp)->h, arg)) {
				struct rec *r = *pp;

				*pp = r->next;
				return &r->h;
			}
		}
		if (!pump(s))
			return NULL;
	}
}

void rec_free(struct ntrace_hdr *h)
{
	if (h)
		free((char *)h - offsetof(struct rec, h));
}

int match_reply(const struct ntrace_hdr *h, const void *arg)
{
	return h->type == NTRACE_REPLY && h->seq == *(const uint64_t *)arg;
}

/* Send one command; returns its reply (caller frees) or NULL. */
struct ntrace_reply *call(struct session *s, void *cmd, uint32_t len, uint16_t type)
{
	struct ntrace_hdr *h = cmd;
	uint64_t seq = ++s->seq;

	h->len = len;
	h->type = type;
	h->flags = 0;
	h->seq = seq;
	if (write(s->fd, cmd, len) != (ssize_t)len)
		return NULL;
	return (struct ntrace_reply *)wait_for(s, match_reply, &seq);
}

/* A command's error (0 or -errno); -9999 when no reply came. */
int call_err(struct session *s, void *cmd, uint32_t len, uint16_t type)
{
	struct ntrace_reply *r = call(s, cmd, len, type);
	int err = r ? r->error : -9999;

	rec_free(&r->hdr);
	return err;
}

int hello(struct session *s, struct ntrace_hello_reply *out)
{
	struct ntrace_cmd_hello c = { .abi_min = 1, .abi_max = 1 };
	struct ntrace_reply *r = call(s, &c, sizeof(c), NTRACE_CMD_HELLO);
	int err = r ? r->error : -9999;

	if (r && !err && out)
		memcpy(out, r + 1, sizeof(*out));
	rec_free(&r->hdr);
	return err;
}

int attach(struct session *s, pid_t pid, uint32_t flags, uint64_t *handle)
{
	struct ntrace_cmd_attach c = { .pid = pid, .flags = flags };
	struct ntrace_reply *r = call(s, &c, sizeof(c), NTRACE_CMD_ATTACH);
	int err = r ? r->error : -9999;

	if (r && !err && handle) {
		struct ntrace_thread_list_reply *l = (void *)(r + 1);
		struct ntrace_thread_info *ti = (void *)(l + 1);

		*handle = l->count ? ti[0].thread.handle : 0;
	}
	rec_free(&r->hdr);
	return err;
}

int pid_cmd(struct session *s, pid_t pid, uint16_t type)
{
	struct ntrace_cmd_pid c = { .pid = pid };

	return call_err(s, &c, sizeof(c), type);
}

int stop_cmd(struct session *s, pid_t pid, uint64_t handle)
{
	struct ntrace_cmd_stop c = { .pid = pid, .handle = handle };

	return call_err(s, &c, sizeof(c), NTRACE_CMD_STOP);
}

int resume(struct session *s, uint64_t handle, uint64_t stop_id, uint32_t mode, int sig)
{
	struct ntrace_cmd_resume c = { .handle = handle, .stop_id = stop_id, .mode = mode,
				       .sig = sig };

	return call_err(s, &c, sizeof(c), NTRACE_CMD_RESUME);
}

int get_regs(struct session *s, uint64_t handle, uint64_t stop_id,
		    struct user_regs_struct *regs)
{
	struct ntrace_cmd_regs c = { .handle = handle, .stop_id = stop_id,
				     .regset = NTRACE_REGSET_GPR };
	struct ntrace_reply *r = call(s, &c, sizeof(c), NTRACE_CMD_GET_REGS);
	int err = r ? r->error : -9999;

	if (r && !err) {
		struct ntrace_regs_reply *rr = (void *)(r + 1);

		err = rr->len == sizeof(*regs) ? 0 : -1000 - (int)rr->len;
		if (!err)
			memcpy(regs, rr + 1, sizeof(*regs));
	}
	rec_free(&r->hdr);
	return err;
}

int set_regs(struct session *s, uint64_t handle, uint64_t stop_id,
		    const struct user_regs_struct *regs)
{
	struct {
		struct ntrace_cmd_regs c;
		struct user_regs_struct regs;
	} m = { .c = { .handle = handle, .stop_id = stop_id, .regset = NTRACE_REGSET_GPR,
		       .len = sizeof(*regs) },
		.regs = *regs };

	return call_err(s, &m, sizeof(m), NTRACE_CMD_SET_REGS);
}

/* Returns bytes read or -errno. */
int read_mem(struct session *s, pid_t pid, uint64_t addr, void *out, uint32_t len)
{
	struct ntrace_cmd_mem c = { .pid = pid, .len = len, .addr = addr };
	struct ntrace_reply *r = call(s, &c, sizeof(c), NTRACE_CMD_READ_MEM);
	int ret = r ? r->error : -9999;

	if (r && !ret) {
		struct ntrace_mem_reply *mr = (void *)(r + 1);

		memcpy(out, mr + 1, mr->len);
		ret = mr->len;
	}
	rec_free(&r->hdr);
	return ret;
}

int write_mem(struct session *s, pid_t pid, uint64_t addr, const void *data, uint32_t len)
{
	struct {
		struct ntrace_cmd_mem c;
		uint8_t data[64];
	} m = { .c = { .pid = pid, .len = len, .addr = addr } };
	struct ntrace_reply *r;
	int ret;

	memcpy(m.data, data, len);
	r = call(s, &m, NTRACE_RECORD_ALIGN(sizeof(m.c) + len), NTRACE_CMD_WRITE_MEM);
	ret = r ? r->error : -9999;
	if (r && !ret)
		ret = ((struct ntrace_mem_reply *)(r + 1))->len;
	rec_free(&r->hdr);
	return ret;
}

int bp_cmd(struct session *s, pid_t pid, uint64_t addr, uint16_t type)
{
	struct ntrace_cmd_bp c = { .pid = pid, .kind = NTRACE_BP_SW, .addr = addr };

	return call_err(s, &c, sizeof(c), type);
}

int match_stop(const struct ntrace_hdr *h, const void *arg)
{
	const struct stop_match *m = arg;
	const struct ntrace_ev_stop *ev = (const void *)h;

	return h->type == NTRACE_EV_STOP && (!m->handle || ev->thread.handle == m->handle) &&
	       (!m->reason || ev->reason == m->reason);
}

int stops_seen, stops_without_regs;

struct ntrace_ev_stop *wait_stop(struct session *s, uint64_t handle, uint32_t reason)
{
	struct stop_match m = { handle, reason };
	struct ntrace_ev_stop *ev = (struct ntrace_ev_stop *)wait_for(s, match_stop, &m);

	if (ev) {
		stops_seen++;
		if (!(ev->hdr.flags & NTRACE_STOPF_REGS) ||
		    ev->hdr.len != sizeof(*ev) + NTRACE_STOP_REGS_SIZE)
			stops_without_regs++;
	}
	return ev;
}

/* The registers a STOP record carries equal what GET_REGS returns at that stop. */
void check_stop_regs(struct session *s, const struct ntrace_ev_stop *ev, const char *what)
{
	struct user_regs_struct regs;
	const struct user_regs_struct *sr = (const void *)(ev + 1);
	int err = -9999;

	_Static_assert(sizeof(regs) == NTRACE_STOP_REGS_SIZE, "user_regs_struct size");
	if (ev && (ev->hdr.flags & NTRACE_STOPF_REGS))
		err = get_regs(s, ev->thread.handle, ev->stop_id, &regs);
	CHECK(!err && !memcmp(sr, &regs, sizeof(regs)) && sr->rip == ev->pc && sr->rsp == ev->sp,
	      "%s: the STOP record's registers equal GET_REGS (err %d, rip %#llx)", what, err,
	      ev && !err ? (unsigned long long)sr->rip : 0ULL);
}

int match_type(const struct ntrace_hdr *h, const void *arg)
{
	return h->type == *(const uint16_t *)arg;
}

struct ntrace_hdr *wait_type(struct session *s, uint16_t type)
{
	return wait_for(s, match_type, &type);
}

/* One byte from a debuggee's pipe, bounded by TIMEOUT_MS; 1 on success. */
int read_byte(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char x;

	return poll(&p, 1, TIMEOUT_MS) == 1 && read(fd, &x, 1) == 1;
}

/* Discard what a debuggee wrote so far. */
void drain(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char x;

	while (poll(&p, 1, 0) == 1 && read(fd, &x, 1) == 1)
		;
}

/* The module's parameters (/sys/module/ntrace/parameters): 0 or -1; the value or -1. */
int write_param(const char *name, const char *value)
{
	char path[128];
	int fd, ok;

	snprintf(path, sizeof(path), "/sys/module/ntrace/parameters/%s", name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	ok = write(fd, value, strlen(value)) == (ssize_t)strlen(value);
	close(fd);
	return ok ? 0 : -1;
}

int read_param(const char *name)
{
	char path[128], buf[32];
	int fd, n;

	snprintf(path, sizeof(path), "/sys/module/ntrace/parameters/%s", name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return atoi(buf);
}

int reap(pid_t pid)
{
	int st = -1;

	return waitpid(pid, &st, 0) == pid ? st : -1;
}

/* ------------------------------------------------------------ tests */

int hw_cmd(struct session *s, pid_t pid, uint32_t kind, uint64_t addr, uint32_t len,
		  uint16_t type)
{
	struct ntrace_cmd_bp c = { .pid = pid, .kind = kind, .addr = addr, .len = len };

	return call_err(s, &c, sizeof(c), type);
}

uint64_t read_u64(struct session *s, pid_t pid, const volatile void *addr)
{
	uint64_t v = ~0ULL;

	read_mem(s, pid, (uintptr_t)addr, &v, sizeof(v));
	return v;
}

int regs_raw(struct session *s, uint16_t type, uint64_t handle, uint64_t stop_id,
		    uint32_t regset, void *buf, uint32_t len)
{
	struct {
		struct ntrace_cmd_regs c;
		uint8_t data[4096];
	} m = { .c = { .handle = handle, .stop_id = stop_id, .regset = regset } };
	struct ntrace_reply *r;
	int ret;

	if (type == NTRACE_CMD_SET_REGS) {
		m.c.len = len;
		memcpy(m.data, buf, len);
	}
	r = call(s, &m, type == NTRACE_CMD_SET_REGS ? NTRACE_RECORD_ALIGN(sizeof(m.c) + len) :
						      sizeof(m.c), type);
	ret = r ? r->error : -9999;
	if (r && !ret && type == NTRACE_CMD_GET_REGS) {
		struct ntrace_regs_reply *rr = (void *)(r + 1);

		ret = rr->len;
		memcpy(buf, rr + 1, rr->len < len ? rr->len : len);
	}
	rec_free(&r->hdr);
	return ret;
}

/* Process state letter from /proc/<pid>/stat. */
char proc_state(pid_t pid)
{
	char path[64], buf[256], *p;
	int fd, n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && p[1] ? p[2] : 0;
}

/* Polls until @pid is in state @want; 0 after TIMEOUT_MS. */
int wait_state(pid_t pid, char want)
{
	for (int i = 0; i < TIMEOUT_MS; i++) {
		if (proc_state(pid) == want)
			return 1;
		usleep(1000);
	}
	return 0;
}
