/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ntrace_selftest: shared helpers (selftest_lib.c) of the test files. TAP output, session
 * helpers that drive /dev/ntrace directly, and the debuggee code the tests fork: debuggees run
 * code of this same static binary, so their addresses are known to the tests.
 */
#ifndef NTRACE_SELFTEST_H
#define NTRACE_SELFTEST_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "uapi/ntrace.h"

#define TIMEOUT_MS 30000 /* a failure guard under TCG, not a measurement */
#define NOBODY 65534

extern int failures, testno;
void tap(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define CHECK(cond, ...) tap(!!(cond), __VA_ARGS__)
#define EXPECT_EQ(a, b, what)                                                            \
	do {                                                                             \
		long long _a = (long long)(a), _b = (long long)(b);                      \
		tap(_a == _b, "%s (got %lld, want %lld)", what, _a, _b);                 \
	} while (0)

/* Debuggee code and data (selftest_lib.c). */
extern volatile uint64_t magic;
extern volatile int exit_code_var;
extern volatile int usr1_count;
extern volatile uint64_t spin_count;
extern volatile uint64_t thread_count;
extern volatile uint64_t range_count;
extern volatile int usr1_value;
extern volatile uint64_t store_only;
extern const char sc_insn[], sc_at[], sc_after[];
extern const char rs_start[], rs_end[];
void bp_target(void);
void do_syscall(void);
void range_target(void);
void thread_tick(void);
void on_usr1(int sig, siginfo_t *si, void *uc);
pid_t fork_quiet(int keep);
pid_t spawn(int kind, int fd);

/* Sessions. */
struct rec {
	struct rec *next;
	struct ntrace_hdr h; /* followed by the rest */
};

struct session {
	int fd;
	uint64_t seq;
	struct rec *stash; /* events read while waiting for something else */
};

typedef int (*match_fn)(const struct ntrace_hdr *h, const void *arg);

struct stop_match {
	uint64_t handle; /* 0: any */
	uint32_t reason; /* 0: any */
};

/* NTRACE_STOPF_REGS: every STOP record read by wait_stop carries the 216-byte GPR block. */
extern int stops_seen, stops_without_regs;

int open_session(struct session *s);
void close_session(struct session *s);
int pump(struct session *s);
struct ntrace_hdr *wait_for(struct session *s, match_fn fn, const void *arg);
void rec_free(struct ntrace_hdr *h);
int match_reply(const struct ntrace_hdr *h, const void *arg);
int match_stop(const struct ntrace_hdr *h, const void *arg);
struct ntrace_reply *call(struct session *s, void *cmd, uint32_t len, uint16_t type);
int call_err(struct session *s, void *cmd, uint32_t len, uint16_t type);
int hello(struct session *s, struct ntrace_hello_reply *out);
int attach(struct session *s, pid_t pid, uint32_t flags, uint64_t *handle);
int pid_cmd(struct session *s, pid_t pid, uint16_t type);
int stop_cmd(struct session *s, pid_t pid, uint64_t handle);
int resume(struct session *s, uint64_t handle, uint64_t stop_id, uint32_t mode, int sig);
int get_regs(struct session *s, uint64_t handle, uint64_t stop_id, struct user_regs_struct *regs);
int set_regs(struct session *s, uint64_t handle, uint64_t stop_id,
	     const struct user_regs_struct *regs);
int read_mem(struct session *s, pid_t pid, uint64_t addr, void *out, uint32_t len);
int write_mem(struct session *s, pid_t pid, uint64_t addr, const void *data, uint32_t len);
int bp_cmd(struct session *s, pid_t pid, uint64_t addr, uint16_t type);
int hw_cmd(struct session *s, pid_t pid, uint32_t kind, uint64_t addr, uint32_t len,
	   uint16_t type);
int regs_raw(struct session *s, uint16_t type, uint64_t handle, uint64_t stop_id, uint32_t regset,
	     void *buf, uint32_t len);
uint64_t read_u64(struct session *s, pid_t pid, const volatile void *addr);
struct ntrace_ev_stop *wait_stop(struct session *s, uint64_t handle, uint32_t reason);
void check_stop_regs(struct session *s, const struct ntrace_ev_stop *ev, const char *what);
struct ntrace_hdr *wait_type(struct session *s, uint16_t type);
int read_byte(int fd);
void drain(int fd);
int reap(pid_t pid);
char proc_state(pid_t pid); /* from /proc/<pid>/stat */
int wait_state(pid_t pid, char want);

int write_param(const char *name, const char *value);
int read_param(const char *name);
int as_nobody(int (*fn)(const char *), const char *arg);

/* Test groups by file. */
void test_security(const char *self, const char *suid);
void test_cond(void);
void test_fork(const char *suid);

#endif /* NTRACE_SELFTEST_H */
