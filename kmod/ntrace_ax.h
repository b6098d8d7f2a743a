/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ntrace_ax: a verifier and evaluator of GDB agent expressions (GDB manual, appendix "Agent
 * Expressions"), the bytecode of gdb's target-side breakpoint conditions and of dprintf's
 * agent style. Freestanding C shared by both providers: the kernel module compiles it into
 * ntrace.ko, the userspace engine into the node addon. It needs no libc and no kernel API;
 * memory, registers and trace state variables are reached through callbacks.
 *
 * Expressions are verified once, when the breakpoint is set (ntrace_ax_verify): known opcodes
 * with their operands inside the code, jump targets on instruction boundaries, a bounded stack
 * depth on every path, no path running off the end, and an `end` reachable. Evaluation
 * (ntrace_ax_eval) then runs with an instruction budget, so an expression that loops cannot
 * hold a thread, and still checks every bound, so unverified code cannot escape either.
 */
#ifndef _NTRACE_AX_H
#define _NTRACE_AX_H

#include <linux/types.h>

/* Deepest stack an expression may need (gdbserver allows 100; gdb's conditions use a few). */
#define NTRACE_AX_STACK_MAX 64
/* Longest expression accepted, in bytes (jump targets are 16-bit). */
#define NTRACE_AX_MAX_LEN 16384
/* Bytes of scratch ntrace_ax_verify needs for an expression of len bytes. */
#define NTRACE_AX_VERIFY_WORK(len) (3 * (len))
/* Instructions one evaluation may execute before it is cut. */
#define NTRACE_AX_DEFAULT_BUDGET 100000

/* ntrace_ax_verify flags */
#define NTRACE_AX_WANT_VALUE 1 /* a condition: every `end` leaves a value on the stack */

/* Verifier verdicts (0: accepted). */
enum ntrace_ax_verdict {
	NTRACE_AX_V_OK = 0,
	NTRACE_AX_V_EMPTY,	/* no bytes */
	NTRACE_AX_V_TOO_LONG,	/* over NTRACE_AX_MAX_LEN */
	NTRACE_AX_V_OPCODE,	/* unknown or unsupported opcode */
	NTRACE_AX_V_TRUNCATED,	/* an operand runs past the end */
	NTRACE_AX_V_OPERAND,	/* a bad operand (ext 0, ext 65, ...) */
	NTRACE_AX_V_JUMP,	/* a jump target outside the code or inside an instruction */
	NTRACE_AX_V_UNDERFLOW,	/* some path pops an empty stack */
	NTRACE_AX_V_OVERFLOW,	/* some path needs more than NTRACE_AX_STACK_MAX */
	NTRACE_AX_V_FALLOFF,	/* some path runs past the last instruction */
	NTRACE_AX_V_NO_END,	/* no `end` is reachable */
	NTRACE_AX_V_NO_VALUE,	/* a condition's `end` can be reached with an empty stack */
	NTRACE_AX_V_FORMAT,	/* a printf format it cannot print, or a wrong argument count */
	NTRACE_AX_V_WORK,	/* the scratch area is too small */
};

/* Evaluation results (0: a value). Any non-zero result makes a condition true. */
enum ntrace_ax_result {
	NTRACE_AX_OK = 0,
	NTRACE_AX_E_MEM,	/* a memory read failed */
	NTRACE_AX_E_REG,	/* a register it cannot read */
	NTRACE_AX_E_BUDGET,	/* the instruction budget ran out */
	NTRACE_AX_E_DIV0,	/* division or remainder by zero */
	NTRACE_AX_E_TSV,	/* a trace state variable it cannot read or write */
	NTRACE_AX_E_INVALID,	/* malformed code (only unverified code gets this) */
};

struct ntrace_ax_env {
	void *ctx;
	/* Reads len bytes at addr into buf: 0, or non-zero when any byte is unreadable. */
	int (*read_mem)(void *ctx, __u64 addr, void *buf, __u32 len);
	/* Reads register regnum (gdb's numbering): 0, or non-zero when it has none. */
	int (*get_reg)(void *ctx, unsigned int regnum, __u64 *val);
	/* Trace state variables (getv/setv); NULL: none. */
	int (*get_tsv)(void *ctx, unsigned int num, __u64 *val);
	int (*set_tsv)(void *ctx, unsigned int num, __u64 val);
	/* printf appends its text here (NULL: printf prints nothing); out_len grows. */
	char *out;
	__u32 out_cap;
	__u32 out_len;
	__u32 out_truncated; /* set when text did not fit */
	/* Instructions left; each executed instruction takes one. */
	__u32 budget;
};

/*
 * Checks code before it is ever run. work: NTRACE_AX_VERIFY_WORK(len) bytes of scratch.
 * Returns an enum ntrace_ax_verdict; *max_depth (if not NULL) gets the deepest stack.
 */
int ntrace_ax_verify(const __u8 *code, __u32 len, unsigned int flags, __u8 *work, __u32 work_len,
		     unsigned int *max_depth);

/* Runs code; on NTRACE_AX_OK *value is the top of the stack at `end` (0 if it is empty). */
int ntrace_ax_eval(const __u8 *code, __u32 len, struct ntrace_ax_env *env, __u64 *value);

/* Names of verdicts and results, for messages and tests. */
const char *ntrace_ax_verdict_name(int verdict);
const char *ntrace_ax_result_name(int result);

/*
 * gdb's amd64 register regnum read from a struct user_regs_struct image (27 little-endian
 * u64: NT_PRSTATUS, the layout of NTRACE_REGSET_GPR and of STOP records' registers).
 * 0, or non-zero for a register that image does not hold (x87, SSE, AVX...).
 */
int ntrace_ax_user_reg(const __u64 *user_regs, unsigned int regnum, __u64 *val);

#endif /* _NTRACE_AX_H */
