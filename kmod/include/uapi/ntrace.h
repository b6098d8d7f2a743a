/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * ntrace: a tracing engine reached through one file descriptor.
 *
 * One ABI, two providers: the kernel module (/dev/ntrace) and the userspace engine inside the
 * node addon (ptrace behind a SOCK_SEQPACKET socketpair). Both speak exactly these bytes.
 *
 * Transport
 *   - write(2) carries one or more command records; read(2) returns reply and event records,
 *     whole records only (a buffer smaller than the next record gets EINVAL, the fanotify rule).
 *     On the socketpair provider one read returns one record.
 *   - poll: POLLIN while a record is queued; POLLOUT always; O_NONBLOCK reads give EAGAIN.
 *   - Every record starts with struct ntrace_hdr, is 8-byte aligned and its len is a multiple of
 *     8. Readers skip record types they do not know by len. Fields are fixed width, no pointers.
 *   - Each command yields exactly one NTRACE_REPLY whose hdr.seq echoes the command's seq (the
 *     client's cookie). Events carry the provider's own counter in hdr.seq; a gap means loss,
 *     which is also announced by NTRACE_EV_LOST.
 *   - Unused and reserved fields must be zero (EINVAL otherwise), so they can be given meaning
 *     later. A command shorter than its struct is zero-extended; a longer one must have a zero
 *     tail unless the struct says it carries a variable payload (copy_struct_from_user rule).
 *   - Type numbers start away from 0 so that a zeroed buffer is never a valid record.
 *
 * Session
 *   - The first command must be HELLO (anything else: EPROTO). HELLO may be repeated until the
 *     first LAUNCH or ATTACH, to probe without reopening (the userfaultfd lesson).
 *   - Thread handles are u64, never reused within a session. Each stop of a thread gets a new
 *     stop_id; commands that act on a stopped thread quote it and fail with ESTALE once that stop
 *     is over. stop_id 0 means "the current stop, whichever it is" for callers that do not care.
 *   - Closing the fd ends the session: breakpoints are removed, processes attached with
 *     NTRACE_ATTACH_KILL_ON_CLOSE (all launched ones) are killed, the others detached running.
 *   - Stops are never lost: a stopped thread cannot produce another stop until resumed, and each
 *     thread owns one stop slot. Non-stop reports (THREAD_NEW, ...) go through a bounded queue;
 *     on overflow they are dropped, counted, and an NTRACE_EV_LOST record follows. A thread's
 *     THREAD_NEW and THREAD_EXIT are dropped independently: a consumer that falls behind a
 *     process creating threads may get a THREAD_EXIT (or a stop) of a handle it never saw
 *     announced, always after the LOST record that counts the THREAD_NEW, and should list the
 *     threads again (LIST_THREADS) after a LOST rather than trust its own view.
 *
 * Errors are negative errno values in struct ntrace_reply.error.
 */
#ifndef _UAPI_LINUX_NTRACE_H
#define _UAPI_LINUX_NTRACE_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define NTRACE_ABI_VERSION 1
#define NTRACE_DEVICE "/dev/ntrace"

/* Alignment of every record and of every record length. */
#define NTRACE_ALIGN 8
#define NTRACE_RECORD_ALIGN(n) (((n) + NTRACE_ALIGN - 1) & ~(__u32)(NTRACE_ALIGN - 1))

struct ntrace_hdr {
	__u32 len;   /* whole record, header included, multiple of 8 */
	__u16 type;  /* NTRACE_CMD_*, NTRACE_REPLY or NTRACE_EV_* */
	__u16 flags; /* per type; zero unless stated */
	__u64 seq;   /* command: client cookie; reply: echoed; event: provider counter */
};

/* A thread as named in events and replies. handle is the session-unique name. */
struct ntrace_thread {
	__u64 handle;
	__s32 tgid;  /* in the opener's pid namespace */
	__s32 tid;
};

/* ---------------------------------------------------------------- commands (0x01xx) */
enum ntrace_cmd_type {
	NTRACE_CMD_HELLO = 0x0101,
	NTRACE_CMD_LAUNCH = 0x0102,
	NTRACE_CMD_ATTACH = 0x0103,
	NTRACE_CMD_DETACH = 0x0104,
	NTRACE_CMD_KILL = 0x0105,
	NTRACE_CMD_SET_OPTIONS = 0x0106,
	NTRACE_CMD_STOP = 0x0107,
	NTRACE_CMD_RESUME = 0x0108,
	NTRACE_CMD_GET_REGS = 0x0109,
	NTRACE_CMD_SET_REGS = 0x010a,
	NTRACE_CMD_READ_MEM = 0x010b,
	NTRACE_CMD_WRITE_MEM = 0x010c,
	NTRACE_CMD_GET_SIGINFO = 0x010d,
	NTRACE_CMD_SET_SIGINFO = 0x010e,
	NTRACE_CMD_SET_BP = 0x010f,
	NTRACE_CMD_CLEAR_BP = 0x0110,
	NTRACE_CMD_LIST_THREADS = 0x0111,
};

/* ---------------------------------------------------------------- replies (0x0200) */
#define NTRACE_REPLY 0x0200

struct ntrace_reply {
	struct ntrace_hdr hdr;  /* hdr.seq = the command's seq */
	__s32 error;            /* 0 or -errno */
	__u32 cmd_type;         /* the command answered */
	/* followed by the command's reply payload when error == 0 */
};

/* ---------------------------------------------------------------- events (0x03xx) */
enum ntrace_event_type {
	NTRACE_EV_STOP = 0x0301,
	NTRACE_EV_THREAD_NEW = 0x0302,
	NTRACE_EV_THREAD_EXIT = 0x0303,
	NTRACE_EV_PROC_EXIT = 0x0304,
	NTRACE_EV_DETACHED = 0x0305,
	NTRACE_EV_LOST = 0x0306,
	NTRACE_EV_OUTPUT = 0x0307,  /* text of a breakpoint command (agent printf) */
};

/* ---------------------------------------------------------------- HELLO */
/* Capability bits: what the provider can do. A missing bit is an honest "cannot". */
#define NTRACE_CAP_LAUNCH             (1ULL << 0)  /* NTRACE_CMD_LAUNCH */
#define NTRACE_CAP_SW_BREAK           (1ULL << 1)  /* engine-owned int3 breakpoints */
#define NTRACE_CAP_HW_BREAK           (1ULL << 2)  /* debug-register execute breakpoints */
#define NTRACE_CAP_HW_WATCH           (1ULL << 3)  /* debug-register watchpoints */
#define NTRACE_CAP_RANGE_STEP         (1ULL << 4)  /* NTRACE_RESUME_RANGE_STEP */
#define NTRACE_CAP_SYSCALL_ENTRY_STOP (1ULL << 5)  /* live stop before a syscall runs */
#define NTRACE_CAP_SYSCALL_EXIT_STOP  (1ULL << 6)
#define NTRACE_CAP_EXIT_STOP_LIVE     (1ULL << 7)  /* stop at exit with memory still mapped */
#define NTRACE_CAP_FORK_EVENTS        (1ULL << 8)
#define NTRACE_CAP_VFORK_EVENTS       (1ULL << 9)  /* both VFORK and VFORK_DONE stops */
#define NTRACE_CAP_EXEC_EVENTS        (1ULL << 10)
#define NTRACE_CAP_CLONE_EVENTS       (1ULL << 11)
#define NTRACE_CAP_XSTATE             (1ULL << 12) /* NTRACE_REGSET_XSTATE */
#define NTRACE_CAP_SIGINFO_WRITE      (1ULL << 13)
#define NTRACE_CAP_ALL_STOP           (1ULL << 14) /* NTRACE_OPT_ALL_STOP */
#define NTRACE_CAP_SIGNAL_FILTER      (1ULL << 15) /* stop_sigs honoured in the engine */
#define NTRACE_CAP_COND_BYTECODE      (1ULL << 16) /* agent-expression conditions on SET_BP */
#define NTRACE_CAP_SYSCALL_FILTER     (1ULL << 17)
#define NTRACE_CAP_STOP_REGS          (1ULL << 18) /* STOP records carry the GPRs (below) */

#define NTRACE_BACKEND_KMOD   1
#define NTRACE_BACKEND_PTRACE 2

struct ntrace_cmd_hello {
	struct ntrace_hdr hdr;
	__u32 abi_min;
	__u32 abi_max;
	__u64 features;  /* reserved: must be 0 in ABI 1 */
};

struct ntrace_hello_reply {
	__u32 abi;          /* chosen version */
	__u32 backend;      /* NTRACE_BACKEND_* */
	__u64 features;     /* granted: 0 in ABI 1 */
	__u64 caps;         /* NTRACE_CAP_* */
	__u32 max_record;   /* largest record either side may send */
	__u32 queue_bytes;  /* report queue bound */
	__u32 hw_slots;     /* debug-register slots (4 on x86-64) */
	__u32 xstate_size;  /* bytes of NTRACE_REGSET_XSTATE, 0 without it */
	__u64 xcr0;         /* enabled xsave features, 0 without xstate */
};

/* ---------------------------------------------------------------- LAUNCH */
/*
 * Starts a process that the session traces from its first instruction: the provider forks,
 * the child execs `path` with argv/envp in `cwd` (empty: inherit), and the first event is a STOP
 * with reason NTRACE_STOP_LAUNCH on the new image's entry point. A launched process is always
 * killed on close. Strings follow the struct, each NUL-terminated: path, cwd, argv[argc],
 * envp[envc]; strings_len counts them all; the record is padded to 8 with zeros.
 * The child keeps the opener's stdin/stdout/stderr.
 */
#define NTRACE_LAUNCH_NO_ASLR   (1U << 0)  /* personality(ADDR_NO_RANDOMIZE) */
#define NTRACE_LAUNCH_NEW_PGRP  (1U << 1)  /* setpgid(0, 0) in the child, which then takes
                                            * the foreground of its terminal, if any */

struct ntrace_cmd_launch {
	struct ntrace_hdr hdr;
	__u32 flags;
	__u32 argc;
	__u32 envc;
	__u32 strings_len;
	/* __u8 strings[strings_len]; */
};

struct ntrace_launch_reply {
	struct ntrace_thread thread;  /* the new process's only thread */
};

/* ---------------------------------------------------------------- ATTACH / DETACH / KILL */
#define NTRACE_ATTACH_STOP          (1U << 0) /* stop every thread: STOP/NTRACE_STOP_ATTACH each */
#define NTRACE_ATTACH_KILL_ON_CLOSE (1U << 1)
#define NTRACE_ATTACH_STOP_AT_EXEC  (1U << 2) /* next exec stops with NTRACE_STOP_LAUNCH */

struct ntrace_cmd_attach {
	struct ntrace_hdr hdr;
	__s32 pid;
	__u32 flags;
};

/* Reply of ATTACH and LIST_THREADS. */
#define NTRACE_THREAD_RUNNING 0
#define NTRACE_THREAD_STOPPED 1
#define NTRACE_THREAD_EXITING 2

struct ntrace_thread_info {
	struct ntrace_thread thread;
	__u64 stop_id;  /* current stop, 0 while running */
	__u32 state;    /* NTRACE_THREAD_* */
	__u32 reserved;
};

struct ntrace_thread_list_reply {
	__u32 count;
	__u32 reserved;
	/* struct ntrace_thread_info threads[count]; */
};

/* DETACH, KILL, LIST_THREADS: a process. */
struct ntrace_cmd_pid {
	struct ntrace_hdr hdr;
	__s32 pid;
	__u32 reserved;
};

/* ---------------------------------------------------------------- SET_OPTIONS */
/* Events that stop the thread that produced them (otherwise: non-stop report or nothing). */
#define NTRACE_EVENT_CLONE         (1ULL << 0)
#define NTRACE_EVENT_FORK          (1ULL << 1)
#define NTRACE_EVENT_VFORK         (1ULL << 2)
#define NTRACE_EVENT_VFORK_DONE    (1ULL << 3)
#define NTRACE_EVENT_EXEC          (1ULL << 4)
#define NTRACE_EVENT_EXIT          (1ULL << 5) /* live exit stop, needs CAP_EXIT_STOP_LIVE */
#define NTRACE_EVENT_SYSCALL_ENTRY (1ULL << 6)
#define NTRACE_EVENT_SYSCALL_EXIT  (1ULL << 7)
#define NTRACE_EVENT_THREAD_REPORT (1ULL << 8) /* THREAD_NEW/THREAD_EXIT reports */

/*
 * NTRACE_OPT_ALL_STOP: when a thread of the process stops for any reason other than a
 * request, an attach or a new thread's first stop (NTRACE_STOP_NEW_THREAD: no event of the
 * run, the others run on), the engine stops every other thread of that process before the
 * first STOP record is readable; the others' STOP records follow (NTRACE_STOP_REQUESTED, or
 * their own event, which the client keeps pending). All-stop without a round trip per thread.
 */
#define NTRACE_OPT_ALL_STOP   (1U << 0)

struct ntrace_cmd_set_options {
	struct ntrace_hdr hdr;
	__s32 pid;
	__u32 flags;          /* NTRACE_OPT_* */
	__u64 events;         /* NTRACE_EVENT_* */
	__u64 stop_signals;   /* bit (sig - 1): stop and report; clear: deliver silently,
			       * except to a thread resumed with STEP or RANGE_STEP: it reports
			       * every signal, as gdbserver (the client steps around the handler) */
	__u64 syscalls[8];    /* bit n: syscall n is reported (all ones: every syscall) */
};

/* ---------------------------------------------------------------- STOP / RESUME */
/* STOP: asynchronous; the reply means "requested" and a STOP event follows for each thread
 * that was running (NTRACE_STOP_REQUESTED). handle 0: every thread of pid. */
struct ntrace_cmd_stop {
	struct ntrace_hdr hdr;
	__u64 handle;
	__s32 pid;
	__u32 reserved;
};

#define NTRACE_RESUME_CONT       0
#define NTRACE_RESUME_STEP       1 /* one instruction, then NTRACE_STOP_STEP */
#define NTRACE_RESUME_RANGE_STEP 2 /* step while range_start <= pc < range_end */
#define NTRACE_RESUME_SYSCALL    3 /* continue to the next syscall entry or exit */

#define NTRACE_SIG_PASS (-1)      /* deliver the signal this stop was for, if any */

/*
 * A thread resumed at one of the engine's software breakpoints steps over it first, but only
 * when its STOP was that breakpoint's hit (NTRACE_STOP_BREAKPOINT; or another stop that came
 * while the engine stepped it over a hit of its own: conditions false, commands run), its pc
 * is still the one that STOP reported, and the resume delivers no signal. Otherwise it hits the
 * breakpoint at once: a thread stopped at that pc for another reason (a stop request, a step's
 * end, an event) and a breakpoint set there afterwards (gdb puts one at a stopped thread's pc
 * to catch it there: gdbserver never steps over a breakpoint gdb expects to hit, gdb does its
 * own step-overs); a pc SET_REGS moved onto a breakpoint (gdb's `jump`, skipping a permanent
 * int3); a thread whose signal handler returns there (or whose signal is ignored): gdb
 * continues with a signal from a breakpoint to come back to it. A single step that delivers a
 * signal ends at the handler's first instruction with NTRACE_STOP_STEP.
 */

struct ntrace_cmd_resume {
	struct ntrace_hdr hdr;
	__u64 handle;
	__u64 stop_id;
	__u32 mode;         /* NTRACE_RESUME_* */
	__s32 sig;          /* 0: none (suppress), > 0: deliver, NTRACE_SIG_PASS */
	__u64 range_start;
	__u64 range_end;
};

/* ---------------------------------------------------------------- registers */
/* Regset numbers are the ELF note types; bytes exactly as PTRACE_GETREGSET gives them. */
#define NTRACE_REGSET_GPR    1      /* NT_PRSTATUS: struct user_regs_struct, 216 bytes */
#define NTRACE_REGSET_FPR    2      /* NT_PRFPREG: fxsave, 512 bytes */
#define NTRACE_REGSET_XSTATE 0x202  /* NT_X86_XSTATE: xsave area, hello.xstate_size bytes */

struct ntrace_cmd_regs {
	struct ntrace_hdr hdr;
	__u64 handle;
	__u64 stop_id;
	__u32 regset;
	__u32 len;          /* SET_REGS: payload bytes; GET_REGS: 0 */
	/* SET_REGS: __u8 data[len]; */
};
/* GET_REGS reply: __u32 len; __u32 reserved; __u8 data[len]; */
struct ntrace_regs_reply {
	__u32 len;
	__u32 reserved;
};

/* ---------------------------------------------------------------- memory */
/* READ_MEM shows the original bytes under engine breakpoints; WRITE_MEM under a breakpoint
 * updates the saved byte and keeps the breakpoint. Writes reach read-only mappings (text). */
struct ntrace_cmd_mem {
	struct ntrace_hdr hdr;
	__s32 pid;
	__u32 len;          /* READ: bytes wanted (<= max_record - 32); WRITE: payload bytes */
	__u64 addr;
	/* WRITE_MEM: __u8 data[len]; */
};
/* Reply: bytes transferred, short at the first unreadable page (EIO only when none was). */
struct ntrace_mem_reply {
	__u32 len;
	__u32 reserved;
	/* READ_MEM: __u8 data[len]; */
};

/* ---------------------------------------------------------------- siginfo */
#define NTRACE_SIGINFO_SIZE 128
struct ntrace_cmd_siginfo {
	struct ntrace_hdr hdr;
	__u64 handle;
	__u64 stop_id;
	/* SET_SIGINFO: __u8 siginfo[128]; */
};
/* GET_SIGINFO reply: __u8 siginfo[128]; (EINVAL when the stop has no signal) */

/* ---------------------------------------------------------------- breakpoints */
#define NTRACE_BP_SW     0  /* int3, owned by the engine; len ignored */
#define NTRACE_BP_HW     1  /* execute, debug register */
#define NTRACE_BP_WRITE  2  /* watch writes, len 1/2/4/8, naturally aligned */
#define NTRACE_BP_READ   3  /* x86 has no read-only watch: reported only if value unchanged */
#define NTRACE_BP_ACCESS 4  /* read or write */

/*
 * Breakpoints belong to a process (all its threads) and are keyed by (pid, kind, addr, len).
 * Setting one twice is a reference count.
 *
 * With NTRACE_CAP_COND_BYTECODE, SET_BP may carry GDB agent expressions (GDB manual, "Agent
 * Expressions"): cond_len bytes after the struct, a sequence of items, each a struct
 * ntrace_bp_expr followed by its len bytes of bytecode, back to back (the record is padded to
 * 8 with zeros after the last). Each SET_BP sets the breakpoint's whole list (none: an
 * unconditional breakpoint without commands), as gdb's Z packets do; with
 * NTRACE_SETBP_REPLACE in hdr.flags it only replaces the list of an existing breakpoint
 * (ENOENT if there is none) and adds no reference. Expressions are verified when set (EINVAL
 * for malformed or unsupported bytecode). At a hit, the engine evaluates them in the stopped
 * thread's context, before anything is reported:
 *   - conditions: the hit counts only if one yields non-zero, or fails (an unreadable
 *     address, the instruction budget spent): a failure lets the debugger decide;
 *   - commands (when the hit counts): run in order; printf output becomes NTRACE_EV_OUTPUT
 *     records. A breakpoint with commands does not stop (gdb's dprintf-style agent), unless
 *     a command fails.
 * A hit that does not count, or whose commands ran, resumes the thread as it was going (over
 * the breakpoint) with no STOP. Without the cap, cond_len must be 0 and flags 0.
 */
#define NTRACE_SETBP_REPLACE 0x0001 /* hdr.flags of SET_BP */

#define NTRACE_BP_EXPR_COND 1 /* a condition */
#define NTRACE_BP_EXPR_CMD  2 /* a command */

struct ntrace_bp_expr {
	__u32 len;    /* bytes of bytecode that follow */
	__u16 type;   /* NTRACE_BP_EXPR_* */
	__u16 flags;  /* 0 */
};

struct ntrace_cmd_bp {
	struct ntrace_hdr hdr;
	__s32 pid;
	__u32 kind;   /* NTRACE_BP_* */
	__u64 addr;
	__u32 len;
	__u32 cond_len;
	/* __u8 exprs[cond_len]; struct ntrace_bp_expr items */
};

/* ---------------------------------------------------------------- events */
enum ntrace_stop_reason {
	NTRACE_STOP_ATTACH = 1,        /* stopped by ATTACH with NTRACE_ATTACH_STOP */
	NTRACE_STOP_REQUESTED = 2,     /* STOP command, or all-stop of a sibling */
	NTRACE_STOP_SIGNAL = 3,        /* signo, siginfo; about to be delivered */
	NTRACE_STOP_BREAKPOINT = 4,    /* data[0] = address; pc already rewound to it */
	NTRACE_STOP_STEP = 5,          /* single-step or range-step finished */
	NTRACE_STOP_WATCH = 6,         /* data[0] = data address, data[1] = NTRACE_BP_* kind */
	NTRACE_STOP_HW_BREAKPOINT = 7, /* data[0] = address */
	NTRACE_STOP_SYSCALL_ENTRY = 8, /* data[0] = nr, data[1..6] = args */
	NTRACE_STOP_SYSCALL_EXIT = 9,  /* data[0] = nr, data[1] = return value */
	NTRACE_STOP_CLONE = 10,        /* data[0] = new handle, data[1] = new tid */
	NTRACE_STOP_FORK = 11,         /* data[0] = child handle, data[1] = child pid */
	NTRACE_STOP_VFORK = 12,        /* data[0] = child handle, data[1] = child pid */
	NTRACE_STOP_VFORK_DONE = 13,
	NTRACE_STOP_EXEC = 14,         /* data[0] = former tid (exec from a non-leader) */
	NTRACE_STOP_EXIT = 15,         /* live exit stop; data[0] = wait status */
	NTRACE_STOP_LAUNCH = 16,       /* first instruction after LAUNCH or STOP_AT_EXEC */
	NTRACE_STOP_NEW_THREAD = 17,   /* a new thread, stopped before its first instruction */
};

/*
 * STOP record flags (hdr.flags). With NTRACE_STOPF_REGS the record is followed by the stopped
 * thread's general registers as NTRACE_REGSET_GPR returns them (struct user_regs_struct, 216
 * bytes), read at the stop: hdr.len = sizeof(struct ntrace_ev_stop) + 216. A debugger then needs
 * no GET_REGS round trip to report a stop (gdb's expedited registers). Providers with
 * NTRACE_CAP_STOP_REGS set it on every STOP they can; readers that do not know it skip by len.
 */
#define NTRACE_STOPF_REGS 0x0001
#define NTRACE_STOP_REGS_SIZE 216

struct ntrace_ev_stop {
	struct ntrace_hdr hdr;
	struct ntrace_thread thread;
	__u64 stop_id;
	__u32 reason;       /* enum ntrace_stop_reason */
	__s32 signo;        /* signal of the stop (SIGTRAP for traps), 0 when none */
	__u64 pc;
	__u64 sp;
	__u64 data[7];
	__u8 siginfo[NTRACE_SIGINFO_SIZE]; /* valid for NTRACE_STOP_SIGNAL */
};

struct ntrace_ev_thread {      /* THREAD_NEW (data = parent handle) and THREAD_EXIT */
	struct ntrace_hdr hdr;
	struct ntrace_thread thread;
	__s64 data;                /* THREAD_NEW: parent handle; THREAD_EXIT: exit code */
};

/* Sent once the process is gone (a zombie or reaped), as waitpid(2) would see it: its files
 * are closed and its pid no longer runs. */
struct ntrace_ev_proc_exit {
	struct ntrace_hdr hdr;
	struct ntrace_thread thread;  /* the last thread seen; handle may be 0 */
	__s32 wstatus;                /* as waitpid(2): WIFEXITED/WIFSIGNALED apply */
	__u32 reserved;
};

#define NTRACE_DETACHED_REQUEST   1  /* DETACH command */
#define NTRACE_DETACHED_PRIVILEGE 2  /* exec of a setuid or unreadable image */
#define NTRACE_DETACHED_GONE      3  /* vanished without an exit status */

struct ntrace_ev_detached {
	struct ntrace_hdr hdr;
	__s32 pid;
	__u32 reason;
};

struct ntrace_ev_lost {
	struct ntrace_hdr hdr;
	__u64 count;
	__u64 first_seq;
};

/*
 * Text printed by a breakpoint command (agent printf) of the thread's hit, which did not stop
 * it. A report: it goes through the bounded queue and may be lost (NTRACE_EV_LOST). The text
 * (not NUL-terminated) follows, padded to 8 with zeros.
 */
#define NTRACE_OUTPUT_TRUNCATED 0x0001 /* flags: the command printed more than fitted */

struct ntrace_ev_output {
	struct ntrace_hdr hdr;
	struct ntrace_thread thread;
	__u64 addr;   /* the breakpoint */
	__u32 len;    /* bytes of text */
	__u32 flags;  /* NTRACE_OUTPUT_* */
	/* __u8 text[len]; */
};

/* ---------------------------------------------------------------- kmod ioctls (optional) */
/* Fast path, kmod only: one synchronous command without the read/write round trip. */
struct ntrace_ioc_call {
	__u64 cmd_ptr;
	__u64 reply_ptr;
	__u32 cmd_len;
	__u32 reply_cap;
};
#define NTRACE_IOC_MAGIC 'N'
#define NTRACE_IOC_CALL _IOWR(NTRACE_IOC_MAGIC, 0x01, struct ntrace_ioc_call)

#endif /* _UAPI_LINUX_NTRACE_H */
