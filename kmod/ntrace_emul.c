// SPDX-License-Identifier: GPL-2.0-only
/*
 * ntrace_emul: the instruction under a breakpoint, run without the CPU (see ntrace_emul.h).
 * Forms (Intel SDM vol. 2): nop (90), endbr64 (f3 0f 1e fa), push r64 (50+r, 41 50+r),
 * mov r/m,r and mov r,r/m (89, 8b), mov r/m,imm32 (c7 /0), mov r32,imm32 (b8+r) and lea (8d),
 * in 32- and 64-bit operand size (REX.W), with every 64-bit addressing form: register, [base],
 * [base+disp8/32], [rip+disp32], SIB with index and scale. None of these changes the flags.
 * Anything else, or a prefix other than REX, is left to a step-over.
 */
#include "ntrace_emul.h"

static __u32 emul_le32(const __u8 *p)
{
	return (__u32)p[0] | (__u32)p[1] << 8 | (__u32)p[2] << 16 | (__u32)p[3] << 24;
}

/* The effective address of the modrm at @p (mod != 3). Returns the bytes used, 0 if invalid. */
static unsigned int emul_addr(const __u8 *p, unsigned int avail, unsigned int rex,
			      const struct ntrace_emul_env *env, __u64 *addr, int *rip_rel)
{
	unsigned int mod = p[0] >> 6, rm = p[0] & 7, used = 1, base, index;
	__u64 a = 0;

	*rip_rel = 0;
	if (rm == 4) {
		__u8 sib = p[1];

		if (avail < 2)
			return 0;
		used = 2;
		index = ((sib >> 3) & 7) | (rex & 2 ? 8 : 0);
		base = (sib & 7) | (rex & 1 ? 8 : 0);
		if (index != 4) /* rsp as index means none (r12 is an index with REX.X) */
			a = *env->gpr[index] << (sib >> 6);
		if ((sib & 7) == 5 && mod == 0) {
			if (avail < used + 4)
				return 0;
			a += (__u64)(__s64)(__s32)emul_le32(p + used);
			*addr = a;
			return used + 4;
		}
		a += *env->gpr[base];
	} else if (rm == 5 && mod == 0) {
		if (avail < 5)
			return 0;
		*rip_rel = 1; /* relative to the next instruction: the caller adds its end */
		*addr = (__u64)(__s64)(__s32)emul_le32(p + 1);
		return 5;
	} else {
		a = *env->gpr[rm | (rex & 1 ? 8 : 0)];
	}
	if (mod == 1) {
		if (avail < used + 1)
			return 0;
		a += (__u64)(__s64)(__s8)p[used];
		used += 1;
	} else if (mod == 2) {
		if (avail < used + 4)
			return 0;
		a += (__u64)(__s64)(__s32)emul_le32(p + used);
		used += 4;
	}
	*addr = a;
	return used;
}

unsigned int ntrace_emul_insn(const __u8 insn[NTRACE_EMUL_INSN_MAX], struct ntrace_emul_env *env)
{
	unsigned int rex = 0, pos = 0, len, reg, op, size, mlen = 0;
	int rip_rel = 0;
	__u64 addr = 0, v = 0, *r;

	if (insn[0] == 0x90) { /* nop */
		len = 1;
		goto done;
	}
	if (insn[0] == 0xf3 && insn[1] == 0x0f && insn[2] == 0x1e && insn[3] == 0xfa) {
		len = 4; /* endbr64 */
		goto done;
	}
	if ((insn[0] & 0xf8) == 0x50 || (insn[0] == 0x41 && (insn[1] & 0xf8) == 0x50)) {
		/* push %reg (REX.B for r8-r15); push %rsp stores the old rsp */
		unsigned int n = insn[0] == 0x41 ? 8 + (insn[1] & 7) : insn[0] & 7;
		__u64 sp = *env->gpr[4] - 8;

		if (!env->mem)
			return 0;
		v = *env->gpr[n];
		if (env->write_mem(env->ctx, sp, &v, 8))
			return 0;
		*env->gpr[4] = sp;
		len = insn[0] == 0x41 ? 2 : 1;
		goto done;
	}

	if ((insn[0] & 0xf0) == 0x40)
		rex = insn[pos++];
	op = insn[pos++];
	if ((op & 0xf8) == 0xb8 && !(rex & 8)) { /* mov $imm32, r32 (zero-extended) */
		*env->gpr[(op & 7) | (rex & 1 ? 8 : 0)] = emul_le32(insn + pos);
		len = pos + 4;
		goto done;
	}
	if (op != 0x89 && op != 0x8b && op != 0x8d && op != 0xc7)
		return 0;
	size = rex & 8 ? 8 : 4;
	reg = ((insn[pos] >> 3) & 7) | (rex & 4 ? 8 : 0);
	if (op == 0xc7 && (insn[pos] & 0x38) != 0)
		return 0; /* c7 /0 only */

	if ((insn[pos] >> 6) == 3) { /* register operand */
		__u64 *rm = env->gpr[(insn[pos] & 7) | (rex & 1 ? 8 : 0)];

		pos++;
		if (op == 0x8d)
			return 0; /* lea needs memory */
		if (op == 0xc7) {
			if (pos + 4 > NTRACE_EMUL_INSN_MAX)
				return 0;
			v = (__u64)(__s64)(__s32)emul_le32(insn + pos);
			pos += 4;
			*rm = size == 8 ? v : (__u32)v;
		} else if (op == 0x89) {
			*rm = size == 8 ? *env->gpr[reg] : (__u32)*env->gpr[reg];
		} else {
			*env->gpr[reg] = size == 8 ? *rm : (__u32)*rm;
		}
		len = pos;
		goto done;
	}

	mlen = emul_addr(insn + pos, NTRACE_EMUL_INSN_MAX - pos, rex, env, &addr, &rip_rel);
	if (!mlen)
		return 0;
	pos += mlen;
	if (op == 0xc7) {
		if (pos + 4 > NTRACE_EMUL_INSN_MAX)
			return 0;
		v = (__u64)(__s64)(__s32)emul_le32(insn + pos);
		pos += 4;
	}
	len = pos;
	if (rip_rel)
		addr += env->ip + len;
	r = env->gpr[reg];
	if (op == 0x8d) { /* lea: the address itself, no access */
		*r = size == 8 ? addr : (__u32)addr;
		goto done;
	}
	if (!env->mem)
		return 0;
	if (op == 0x8b) {
		if (env->read_mem(env->ctx, addr, &v, size))
			return 0;
		*r = size == 8 ? v : (__u32)v; /* little-endian host: the low bytes were read */
		goto done;
	}
	if (op == 0x89)
		v = *r;
	if (env->write_mem(env->ctx, addr, &v, size))
		return 0;
done:
	env->ip += len;
	return len;
}
