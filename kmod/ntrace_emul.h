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

/* What ntrace_insn_decode found (see there). */
struct ntrace_insn {
	unsigned int len;	/* bytes of the instruction */
	unsigned int disp_off;	/* rip_rel: offset of its 32-bit displacement */
	int rip_rel;		/* a [rip+disp32] memory operand */
	int rel_branch;		/* 1: jmp rel32 (e9), 2: call rel32 (e8); rel at len - 4 */
};

/*
 * Decodes the length of the x86-64 instruction at @p (@avail bytes readable) for copying it
 * elsewhere (an in-process jump pad): legacy, REX and the 0f, 0f 38 and 0f 3a maps. Returns
 * 0 and fills @out when the instruction runs the same at another address once a [rip+disp32]
 * operand is adjusted (or, for rel_branch, its target recomputed); -1 for anything else:
 * relative jumps other than jmp/call rel32, returns, interrupts, indirect calls (they push the
 * copy's address), VEX/EVEX/XOP, invalid or unknown opcodes, a truncated instruction.
 */
int ntrace_insn_decode(const __u8 *p, unsigned int avail, struct ntrace_insn *out);
