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

/* ------------------------------------------------------------ instruction lengths */

/* One-byte map: bit set when the opcode has a modrm byte (Intel SDM vol. 2, table A-2). */
static const __u32 modrm_1[8] = {
	0x0f0f0f0f, 0x0f0f0f0f, /* 00-3f: the ALU r/m forms */
	0x00000000, 0x00000a08, /* 40-7f: 63 movsxd, 69 and 6b imul */
	0x0000ffff, 0x00000000, /* 80-bf: 80-8f */
	0xff0f00c3, 0xc0c00000, /* c0-ff: c0 c1 c6 c7, d0-d3, d8-df; f6 f7, fe ff */
};

static int bit(const __u32 *map, unsigned int op)
{
	return (map[op >> 5] >> (op & 31)) & 1;
}

/* Two-byte map (0f xx): opcodes without modrm, or refused, are listed in decode_0f. */
static int decode_0f(__u8 op, int *modrm, unsigned int *imm)
{
	*modrm = 1;
	*imm = 0;
	switch (op) {
	case 0x05: case 0x06: case 0x07: case 0x08: case 0x09: case 0x30: case 0x31:
	case 0x32: case 0x33: case 0x77: case 0xa0: case 0xa1: case 0xa2: case 0xa8:
	case 0xa9:
		*modrm = 0; /* syscall, clts, sysret, invd, wbinvd, msr, tsc, pmc, emms, push/pop */
		return 0;
	case 0x0b: case 0x0e: case 0x0f: case 0x34: case 0x35: case 0x37: case 0xaa:
	case 0xb9: case 0xff: case 0x04: case 0x0a: case 0x0c: case 0x24: case 0x25:
	case 0x26: case 0x27: case 0x36: case 0x39: case 0x3b: case 0x3c: case 0x3d:
	case 0x3e: case 0x3f: case 0x7a: case 0x7b:
		return -1; /* ud, femms, 3dnow, sysenter/exit, getsec, rsm, invalid */
	case 0x70: case 0x71: case 0x72: case 0x73: case 0xa4: case 0xac: case 0xba:
	case 0xc2: case 0xc4: case 0xc5: case 0xc6:
		*imm = 1;
		return 0;
	default:
		if (op >= 0x80 && op <= 0x8f)
			return -1; /* jcc rel32 */
		if (op >= 0xc8 && op <= 0xcf)
			*modrm = 0; /* bswap */
		return 0;
	}
}

int ntrace_insn_decode(const __u8 *p, unsigned int avail, struct ntrace_insn *out)
{
	unsigned int pos = 0, imm = 0, osize = 4, max = avail < 15 ? avail : 15;
	int modrm = 0, asize32 = 0, rex_w = 0;
	__u8 op;

	out->len = 0;
	out->disp_off = 0;
	out->rip_rel = 0;
	out->rel_branch = 0;
	for (;; pos++) {
		if (pos >= max)
			return -1;
		op = p[pos];
		if (op == 0x66)
			osize = 2;
		else if (op == 0x67)
			asize32 = 1;
		else if (op != 0xf0 && op != 0xf2 && op != 0xf3 && op != 0x2e && op != 0x36 &&
			 op != 0x3e && op != 0x26 && op != 0x64 && op != 0x65)
			break;
	}
	if ((op & 0xf0) == 0x40) {
		rex_w = op & 8;
		if (++pos >= max)
			return -1;
		op = p[pos];
		if ((op & 0xf0) == 0x40 || op == 0x66 || op == 0x67 || op == 0xf0 || op == 0xf2 ||
		    op == 0xf3)
			return -1; /* a prefix after REX: not a form compilers emit */
	}
	if (rex_w)
		osize = 8;
	pos++;
	if (op == 0x0f) {
		if (pos >= max)
			return -1;
		op = p[pos++];
		if (op == 0x38 || op == 0x3a) {
			if (pos >= max)
				return -1;
			imm = op == 0x3a;
			pos++;
			modrm = 1;
		} else if (decode_0f(op, &modrm, &imm)) {
			return -1;
		}
	} else {
		modrm = bit(modrm_1, op);
		switch (op) {
		case 0x06: case 0x07: case 0x0e: case 0x16: case 0x17: case 0x1e: case 0x1f:
		case 0x27: case 0x2f: case 0x37: case 0x3f: case 0x60: case 0x61: case 0x62:
		case 0x82: case 0x9a: case 0xc2: case 0xc3: case 0xc4: case 0xc5: case 0xca:
		case 0xcb: case 0xcc: case 0xcd: case 0xce: case 0xcf: case 0xd4: case 0xd5:
		case 0xd6: case 0xea: case 0xf1: case 0xe0: case 0xe1: case 0xe2: case 0xe3:
		case 0xeb: case 0xf4:
			return -1; /* invalid in 64-bit mode, VEX/EVEX, returns, int, short jumps */
		case 0xe8: case 0xe9:
			if (pos != 1)
				return -1; /* prefixed (bnd, data16): not copied */
			out->rel_branch = op == 0xe9 ? 1 : 2;
			imm = 4;
			break;
		case 0x68: case 0x69: case 0x81: case 0xc7: case 0xa9:
			imm = osize == 2 ? 2 : 4;
			break;
		case 0x05: case 0x0d: case 0x15: case 0x1d: case 0x25: case 0x2d: case 0x35:
		case 0x3d:
			imm = osize == 2 ? 2 : 4;
			break;
		case 0x6a: case 0x6b: case 0x80: case 0x83: case 0xa8: case 0xc0: case 0xc1:
		case 0xc6: case 0xe4: case 0xe5: case 0xe6: case 0xe7:
			imm = 1;
			break;
		case 0x04: case 0x0c: case 0x14: case 0x1c: case 0x24: case 0x2c: case 0x34:
		case 0x3c:
			imm = 1;
			break;
		case 0xa0: case 0xa1: case 0xa2: case 0xa3:
			imm = asize32 ? 4 : 8; /* moffs */
			break;
		case 0xc8:
			imm = 3;
			break;
		case 0x8f:
			if (pos >= max || (p[pos] & 0x38) != 0)
				return -1; /* XOP */
			break;
		default:
			if (op >= 0x70 && op <= 0x7f)
				return -1; /* jcc rel8 */
			if (op >= 0xb0 && op <= 0xb7)
				imm = 1;
			else if (op >= 0xb8 && op <= 0xbf)
				imm = osize == 8 ? 8 : osize == 2 ? 2 : 4;
			break;
		}
		if (op == 0xf6 || op == 0xf7) {
			if (pos >= max)
				return -1;
			if (((p[pos] >> 3) & 7) < 2) /* test r/m, imm */
				imm = op == 0xf6 ? 1 : osize == 2 ? 2 : 4;
		}
		if (op == 0xff) {
			unsigned int r;

			if (pos >= max)
				return -1;
			r = (p[pos] >> 3) & 7;
			if (r == 2 || r == 3 || r == 7)
				return -1; /* indirect calls push the copy's address */
		}
		if (op == 0xc7 && pos < max && p[pos] == 0xf8)
			return -1; /* xbegin rel32 */
	}
	if (modrm) {
		__u8 m;
		unsigned int mod, rm;

		if (pos >= max)
			return -1;
		m = p[pos++];
		mod = m >> 6;
		rm = m & 7;
		if (mod != 3 && rm == 4) {
			if (pos >= max)
				return -1;
			if (mod == 0 && (p[pos] & 7) == 5)
				pos += 4; /* SIB with disp32 and no base */
			pos++;
		}
		if (mod == 0 && rm == 5) {
			if (asize32)
				return -1; /* eip-relative */
			out->rip_rel = 1;
			out->disp_off = pos;
			pos += 4;
		} else if (mod == 1) {
			pos += 1;
		} else if (mod == 2) {
			pos += 4;
		}
	}
	pos += imm;
	if (pos > max)
		return -1;
	out->len = pos;
	return 0;
}
