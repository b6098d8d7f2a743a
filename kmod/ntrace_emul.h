/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ntrace_emul: runs, outside the CPU, the instruction under one of our breakpoints, for the few
 * that start gcc's function bodies (push %reg, endbr64, nop, mov between a register and a
 * register or memory), so a resume from a breakpoint needs no step-over: the int3 stays in
 * place, no other thread can pass the address unseen, and no step trap follows (uprobes
 * emulates some of these too). Freestanding C shared by both providers, like ntrace_ax: the
 * module runs it on the trapping thread's pt_regs, the userspace engine on PTRACE_GETREGS's
 * image; memory is reached through callbacks.
 *
 * Only x86-64 code in 64-bit mode. The caller decides when emulation is allowed (no signal to
 * deliver first, no debug-register watchpoint a memory access here would fail to trigger).
 */
#ifndef _NTRACE_EMUL_H
#define _NTRACE_EMUL_H

#include <linux/types.h>

/* Bytes of the instruction the emulator may look at (the longest form it runs is 8). */
#define NTRACE_EMUL_INSN_MAX 8

struct ntrace_emul_env {
	/* The 16 general registers in encoding order: rax rcx rdx rbx rsp rbp rsi rdi r8-r15. */
	__u64 *gpr[16];
	__u64 ip; /* in: the instruction's address; out: the next one's */
	int mem;  /* nonzero: forms that access memory may be run */
	void *ctx;
	/* 0 on success; anything else: the access faulted (the instruction is then not run). */
	int (*read_mem)(void *ctx, __u64 addr, void *buf, __u32 len);
	int (*write_mem)(void *ctx, __u64 addr, const void *buf, __u32 len);
};

/*
 * Runs the instruction whose first bytes are @insn (the breakpoint's saved byte first, then the
 * program's bytes). Returns its length when it was run (registers, ip and memory updated), 0
 * when it is not one of the forms handled or a memory access faulted: then nothing changed.
 */
unsigned int ntrace_emul_insn(const __u8 insn[NTRACE_EMUL_INSN_MAX], struct ntrace_emul_env *env);

#endif
