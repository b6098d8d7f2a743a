/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A 32-bit (ia32 compat) debuggee for ntrace_selftest: spins in a loop of known shape, no libc
 * (the host has no 32-bit one). Built with gcc -m32 -nostdlib -static by run-qemu.sh.
 */
	.text
	.globl _start
_start:
	movl $0x1234, %eax
1:	incl %ebx
	nop
	jmp 1b
