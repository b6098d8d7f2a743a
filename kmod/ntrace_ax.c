// SPDX-License-Identifier: GPL-2.0-only
/*
 * ntrace_ax: GDB agent expressions (GDB manual, appendix "Agent Expressions"), verified at
 * set time and evaluated with a budget. Freestanding: shared by ntrace.ko and the userspace
 * engine (see ntrace_ax.h). Semantics follow gdbserver's evaluator (gdbserver/ax.cc): stack
 * items are 64-bit, if_goto/goto take absolute 16-bit big-endian targets, constants are
 * big-endian, memory is read little-endian and zero-extended, `end` yields the top of stack.
 */
#include "ntrace_ax.h"

/* Opcodes gdb emits (gdbsupport/ax.def) that this evaluator runs. */
enum {
	OP_ADD = 0x02, OP_SUB, OP_MUL, OP_DIV_S, OP_DIV_U, OP_REM_S, OP_REM_U, OP_LSH, OP_RSH_S,
	OP_RSH_U,
	OP_LOG_NOT = 0x0e, OP_BIT_AND, OP_BIT_OR, OP_BIT_XOR, OP_BIT_NOT, OP_EQUAL, OP_LESS_S,
	OP_LESS_U, OP_EXT, OP_REF8, OP_REF16, OP_REF32, OP_REF64,
	OP_IF_GOTO = 0x20, OP_GOTO, OP_CONST8, OP_CONST16, OP_CONST32, OP_CONST64, OP_REG, OP_END,
	OP_DUP, OP_POP, OP_ZERO_EXT, OP_SWAP, OP_GETV, OP_SETV,
	OP_PICK = 0x32, OP_ROT, OP_PRINTF,
	OP_COUNT
};

/*
 * Per opcode: operand bytes, items popped, items pushed; imm 0xff marks an opcode that is not
 * run (trace collection and floating point, which gdb never puts in a condition or printf).
 * printf's operands and pops depend on its operands; pick needs arg + 1 items.
 */
struct ax_op {
	__u8 imm, pop, push;
};

#define NO_OP { 0xff, 0, 0 }
static const struct ax_op ax_ops[OP_COUNT] = {
	[0x00] = NO_OP, [0x01] = NO_OP,
	[OP_ADD] = { 0, 2, 1 }, [OP_SUB] = { 0, 2, 1 }, [OP_MUL] = { 0, 2, 1 },
	[OP_DIV_S] = { 0, 2, 1 }, [OP_DIV_U] = { 0, 2, 1 }, [OP_REM_S] = { 0, 2, 1 },
	[OP_REM_U] = { 0, 2, 1 }, [OP_LSH] = { 0, 2, 1 }, [OP_RSH_S] = { 0, 2, 1 },
	[OP_RSH_U] = { 0, 2, 1 },
	[0x0c] = NO_OP, [0x0d] = NO_OP,
	[OP_LOG_NOT] = { 0, 1, 1 }, [OP_BIT_AND] = { 0, 2, 1 }, [OP_BIT_OR] = { 0, 2, 1 },
	[OP_BIT_XOR] = { 0, 2, 1 }, [OP_BIT_NOT] = { 0, 1, 1 }, [OP_EQUAL] = { 0, 2, 1 },
	[OP_LESS_S] = { 0, 2, 1 }, [OP_LESS_U] = { 0, 2, 1 }, [OP_EXT] = { 1, 1, 1 },
	[OP_REF8] = { 0, 1, 1 }, [OP_REF16] = { 0, 1, 1 }, [OP_REF32] = { 0, 1, 1 },
	[OP_REF64] = { 0, 1, 1 },
	[0x1b] = NO_OP, [0x1c] = NO_OP, [0x1d] = NO_OP, [0x1e] = NO_OP, [0x1f] = NO_OP,
	[OP_IF_GOTO] = { 2, 1, 0 }, [OP_GOTO] = { 2, 0, 0 }, [OP_CONST8] = { 1, 0, 1 },
	[OP_CONST16] = { 2, 0, 1 }, [OP_CONST32] = { 4, 0, 1 }, [OP_CONST64] = { 8, 0, 1 },
	[OP_REG] = { 2, 0, 1 }, [OP_END] = { 0, 0, 0 }, [OP_DUP] = { 0, 1, 2 },
	[OP_POP] = { 0, 1, 0 }, [OP_ZERO_EXT] = { 1, 1, 1 }, [OP_SWAP] = { 0, 2, 2 },
	[OP_GETV] = { 2, 0, 1 }, [OP_SETV] = { 2, 1, 1 },
	[0x2e] = NO_OP, [0x2f] = NO_OP, [0x30] = NO_OP, [0x31] = NO_OP,
	[OP_PICK] = { 1, 0, 1 }, [OP_ROT] = { 0, 3, 3 }, [OP_PRINTF] = { 3, 2, 0 },
};

/* ------------------------------------------------------------ printf formats */

/*
 * One conversion of a printf format, as gdb's format_pieces (gdbsupport/format.cc) reads it:
 * %[flags][width][.precision][length]conv with flags from "-+ #0", length h, hh, l, ll, z,
 * and conv one of d i u o x X c s p. The format's escapes (\n, \t, ...) are still raw: gdb
 * sends the string as typed and the agent processes them.
 */
struct ax_spec {
	unsigned int left : 1, plus : 1, space : 1, alt : 1, zero : 1, has_prec : 1;
	unsigned int width, prec;
	char len; /* 0, 'h', 'H' (hh), 'l', 'L' (ll), 'z' */
	char conv;
};

#define AX_WIDTH_MAX 1024

/* Parses the spec after a '%' at f[*i]; returns 0 and advances *i, or -1. */
static int parse_spec(const char *f, __u32 n, __u32 *i, struct ax_spec *s)
{
	__u32 p = *i;
	char c;

	*s = (struct ax_spec){ 0 };
	for (; p < n; p++) {
		c = f[p];
		if (c == '-')
			s->left = 1;
		else if (c == '+')
			s->plus = 1;
		else if (c == ' ')
			s->space = 1;
		else if (c == '#')
			s->alt = 1;
		else if (c == '0')
			s->zero = 1;
		else
			break;
	}
	for (; p < n && f[p] >= '0' && f[p] <= '9'; p++) {
		s->width = s->width * 10 + (f[p] - '0');
		if (s->width > AX_WIDTH_MAX)
			return -1;
	}
	if (p < n && f[p] == '.') {
		s->has_prec = 1;
		for (p++; p < n && f[p] >= '0' && f[p] <= '9'; p++) {
			s->prec = s->prec * 10 + (f[p] - '0');
			if (s->prec > AX_WIDTH_MAX)
				return -1;
		}
	}
	if (p < n && f[p] == 'h') {
		s->len = 'h';
		if (++p < n && f[p] == 'h') {
			s->len = 'H';
			p++;
		}
	} else if (p < n && f[p] == 'l') {
		s->len = 'l';
		if (++p < n && f[p] == 'l') {
			s->len = 'L';
			p++;
		}
	} else if (p < n && f[p] == 'z') {
		s->len = 'z';
		p++;
	}
	if (p >= n)
		return -1;
	c = f[p];
	switch (c) {
	case 'd': case 'i': case 'u': case 'o': case 'x': case 'X':
		break;
	case 'c': case 's': case 'p':
		if (s->len)
			return -1; /* wide characters and strings: not in the agent */
		break;
	default:
		return -1;
	}
	s->conv = c;
	*i = p + 1;
	return 0;
}

/* The character an escape \c stands for (format_pieces' list), or -1. */
static int unescape(char c)
{
	switch (c) {
	case '\\': return '\\';
	case 'a': return '\a';
	case 'b': return '\b';
	case 'e': return 0x1b;
	case 'f': return '\f';
	case 'n': return '\n';
	case 'r': return '\r';
	case 't': return '\t';
	case 'v': return '\v';
	case '"': return '"';
	default: return -1;
	}
}

/* Counts the arguments a format wants; -1 when it cannot be printed. */
static int format_args(const char *f, __u32 n)
{
	struct ax_spec s;
	__u32 i = 0;
	int args = 0;

	while (i < n) {
		char c = f[i++];

		if (c == '\\') {
			if (i >= n || unescape(f[i]) < 0)
				return -1;
			i++;
		} else if (c == '%') {
			if (i < n && f[i] == '%') {
				i++;
				continue;
			}
			if (parse_spec(f, n, &i, &s))
				return -1;
			args++;
		}
	}
	return args;
}

/* ------------------------------------------------------------ verifier */

/* work[] per code byte: [0] 1 at an instruction start, [1] min depth, [2] max depth. */
#define W_START(w, pc) ((w)[3 * (pc)])
#define W_MIN(w, pc) ((w)[3 * (pc) + 1])
#define W_MAX(w, pc) ((w)[3 * (pc) + 2])
#define W_UNSEEN 0xff

static __u32 be16(const __u8 *p)
{
	return ((__u32)p[0] << 8) | p[1];
}

/* Size of the instruction at pc (already known to be in bounds when called from eval). */
static int insn_size(const __u8 *code, __u32 len, __u32 pc, __u32 *size)
{
	__u8 op = code[pc];
	__u32 sz;

	if (op >= OP_COUNT || ax_ops[op].imm == 0xff)
		return NTRACE_AX_V_OPCODE;
	sz = 1 + ax_ops[op].imm;
	if (pc + sz > len)
		return NTRACE_AX_V_TRUNCATED;
	if (op == OP_PRINTF) {
		__u32 slen = be16(code + pc + 2);

		if (slen == 0 || pc + sz + slen > len)
			return NTRACE_AX_V_TRUNCATED;
		sz += slen;
	}
	*size = sz;
	return 0;
}

/* Merges depth range [lo, hi] into the state of pc; returns 1 when it changed. */
static int merge(__u8 *w, __u32 pc, unsigned int lo, unsigned int hi)
{
	int changed = 0;

	if (W_MIN(w, pc) == W_UNSEEN) {
		W_MIN(w, pc) = lo;
		W_MAX(w, pc) = hi;
		return 1;
	}
	if (lo < W_MIN(w, pc)) {
		W_MIN(w, pc) = lo;
		changed = 1;
	}
	if (hi > W_MAX(w, pc)) {
		W_MAX(w, pc) = hi;
		changed = 1;
	}
	return changed;
}

static int check_operands(const __u8 *code, __u32 pc, __u32 size)
{
	__u8 op = code[pc];

	if (op == OP_EXT || op == OP_ZERO_EXT) {
		if (code[pc + 1] == 0 || code[pc + 1] > 64)
			return NTRACE_AX_V_OPERAND;
	} else if (op == OP_PRINTF) {
		const char *fmt = (const char *)code + pc + 4;
		__u32 slen = size - 4, k;

		/* One NUL, at the end (ax_string). */
		if (fmt[slen - 1] != '\0')
			return NTRACE_AX_V_FORMAT;
		for (k = 0; k + 1 < slen; k++)
			if (fmt[k] == '\0')
				return NTRACE_AX_V_FORMAT;
		if (format_args(fmt, slen - 1) != code[pc + 1])
			return NTRACE_AX_V_FORMAT;
	}
	return 0;
}

int ntrace_ax_verify(const __u8 *code, __u32 len, unsigned int flags, __u8 *w, __u32 work_len,
		     unsigned int *max_depth)
{
	__u32 pc, size, i;
	unsigned int deepest = 0;
	int changed, err, seen_end = 0;

	if (len == 0)
		return NTRACE_AX_V_EMPTY;
	if (len > NTRACE_AX_MAX_LEN)
		return NTRACE_AX_V_TOO_LONG;
	if (work_len < NTRACE_AX_VERIFY_WORK(len))
		return NTRACE_AX_V_WORK;
	for (i = 0; i < len; i++) {
		W_START(w, i) = 0;
		W_MIN(w, i) = W_UNSEEN;
		W_MAX(w, i) = W_UNSEEN;
	}
	/* Pass 1: decode linearly; every byte belongs to exactly one instruction. */
	for (pc = 0; pc < len; pc += size) {
		err = insn_size(code, len, pc, &size);
		if (!err)
			err = check_operands(code, pc, size);
		if (err)
			return err;
		W_START(w, pc) = 1;
	}
	for (pc = 0; pc < len; pc += size) {
		__u8 op = code[pc];

		insn_size(code, len, pc, &size);
		if (op == OP_IF_GOTO || op == OP_GOTO) {
			__u32 to = be16(code + pc + 1);

			if (to >= len || !W_START(w, to))
				return NTRACE_AX_V_JUMP;
		}
	}
	/*
	 * Pass 2: stack depth as a [min, max] range per instruction, propagated to a fixpoint.
	 * Ranges only widen and are bounded (0..NTRACE_AX_STACK_MAX), so this ends.
	 */
	merge(w, 0, 0, 0);
	do {
		changed = 0;
		for (pc = 0; pc < len; pc += size) {
			__u8 op = code[pc];
			unsigned int lo, hi, pop, push;

			insn_size(code, len, pc, &size);
			if (W_MIN(w, pc) == W_UNSEEN)
				continue;
			lo = W_MIN(w, pc);
			hi = W_MAX(w, pc);
			pop = ax_ops[op].pop;
			push = ax_ops[op].push;
			if (op == OP_PRINTF)
				pop = 2 + code[pc + 1];
			else if (op == OP_PICK)
				pop = code[pc + 1] + 1, push = pop + 1;
			if (lo < pop)
				return NTRACE_AX_V_UNDERFLOW;
			lo = lo - pop + push;
			hi = hi - pop + push;
			if (hi > NTRACE_AX_STACK_MAX)
				return NTRACE_AX_V_OVERFLOW;
			if (hi > deepest)
				deepest = hi;
			if (op == OP_END) {
				seen_end = 1;
				if ((flags & NTRACE_AX_WANT_VALUE) && lo == 0)
					return NTRACE_AX_V_NO_VALUE;
				continue;
			}
			if (op == OP_GOTO || op == OP_IF_GOTO)
				changed |= merge(w, be16(code + pc + 1), lo, hi);
			if (op == OP_GOTO)
				continue;
			if (pc + size >= len)
				return NTRACE_AX_V_FALLOFF;
			changed |= merge(w, pc + size, lo, hi);
		}
	} while (changed);
	if (!seen_end)
		return NTRACE_AX_V_NO_END;
	if (max_depth)
		*max_depth = deepest;
	return NTRACE_AX_V_OK;
}

/* ------------------------------------------------------------ printf output */

static void out_char(struct ntrace_ax_env *env, char c)
{
	if (!env->out)
		return;
	if (env->out_len >= env->out_cap) {
		env->out_truncated = 1;
		return;
	}
	env->out[env->out_len++] = c;
}

static void out_pad(struct ntrace_ax_env *env, char c, unsigned int n)
{
	while (n--)
		out_char(env, c);
}

/* Text of known length n with the spec's width (and precision as a maximum). */
static void out_text(struct ntrace_ax_env *env, const struct ax_spec *s, const char *t,
		     unsigned int n)
{
	if (s->has_prec && s->prec < n)
		n = s->prec;
	if (!s->left && s->width > n)
		out_pad(env, ' ', s->width - n);
	for (unsigned int k = 0; k < n; k++)
		out_char(env, t[k]);
	if (s->left && s->width > n)
		out_pad(env, ' ', s->width - n);
}

/* An integer conversion of magnitude v (already truncated to the argument's type). */
static void out_int(struct ntrace_ax_env *env, const struct ax_spec *s, __u64 v, int neg)
{
	static const char lower[] = "0123456789abcdef", upper[] = "0123456789ABCDEF";
	const char *digits = s->conv == 'X' ? upper : lower;
	unsigned int base = 10, nd = 0, zeros = 0, np = 0, total;
	char buf[24], prefix[2];

	if (s->conv == 'x' || s->conv == 'X' || s->conv == 'p')
		base = 16;
	else if (s->conv == 'o')
		base = 8;
	if (neg)
		prefix[np++] = '-';
	else if ((s->conv == 'd' || s->conv == 'i') && s->plus)
		prefix[np++] = '+';
	else if ((s->conv == 'd' || s->conv == 'i') && s->space)
		prefix[np++] = ' ';
	/* Digits, least significant first; precision 0 prints nothing for 0 (C99). */
	if (v != 0 || !s->has_prec || s->prec != 0) {
		do {
			buf[nd++] = digits[v % base];
			v /= base;
		} while (v);
	}
	if (s->has_prec && s->prec > nd)
		zeros = s->prec - nd;
	if (s->alt && base == 8 && zeros == 0 && (nd == 0 || buf[nd - 1] != '0'))
		zeros = 1;
	if (s->conv == 'p' || (s->alt && base == 16 && !(nd == 1 && buf[0] == '0') && nd)) {
		prefix[0] = '0';
		prefix[1] = s->conv == 'X' ? 'X' : 'x';
		np = 2;
	}
	total = np + zeros + nd;
	if (s->width > total && !s->left && !(s->zero && !s->has_prec))
		out_pad(env, ' ', s->width - total);
	for (unsigned int k = 0; k < np; k++)
		out_char(env, prefix[k]);
	if (s->width > total && !s->left && s->zero && !s->has_prec)
		out_pad(env, '0', s->width - total);
	out_pad(env, '0', zeros);
	while (nd)
		out_char(env, buf[--nd]);
	if (s->width > total && s->left)
		out_pad(env, ' ', s->width - total);
}

/* %s: the string at addr in the tracee, read in small aligned chunks (never across a page). */
static int out_string(struct ntrace_ax_env *env, const struct ax_spec *s, __u64 addr)
{
	unsigned int n = 0, limit = s->has_prec ? s->prec : 0xffffffffu;
	__u32 start = env->out_len, stored, end, k;
	__u8 chunk[64];
	int done = 0;

	if (addr == 0) {
		out_text(env, s, "(null)", 6);
		return NTRACE_AX_OK;
	}
	while (!done && n < limit && env->out && !env->out_truncated) {
		__u32 want = 64 - (addr & 63);

		if (want > limit - n)
			want = limit - n;
		if (env->read_mem(env->ctx, addr, chunk, want))
			return NTRACE_AX_E_MEM;
		for (k = 0; k < want; k++) {
			if (chunk[k] == 0) {
				done = 1;
				break;
			}
			out_char(env, chunk[k]);
			n++;
		}
		addr += want;
	}
	if (s->width <= n || !env->out)
		return NTRACE_AX_OK;
	if (s->left) {
		out_pad(env, ' ', s->width - n);
		return NTRACE_AX_OK;
	}
	/* Right-justified: shift what was stored right by the padding, within the space. */
	stored = env->out_len - start;
	end = start + (s->width - n) + stored;
	if (end > env->out_cap) {
		end = env->out_cap;
		env->out_truncated = 1;
	}
	for (k = end; k > start + (s->width - n); k--)
		env->out[k - 1] = env->out[k - 1 - (s->width - n)];
	for (k = start; k < start + (s->width - n) && k < end; k++)
		env->out[k] = ' ';
	env->out_len = end;
	return NTRACE_AX_OK;
}

/* printf with nargs args (args[0] first), as gdb's dprintf-style agent sends it. */
static int ax_printf(struct ntrace_ax_env *env, const char *f, __u32 n, const __u64 *args,
		     unsigned int nargs)
{
	struct ax_spec s;
	unsigned int a = 0;
	__u32 i = 0;
	int err;

	while (i < n) {
		char c = f[i++];

		if (c == '\\') {
			if (i >= n || unescape(f[i]) < 0)
				return NTRACE_AX_E_INVALID;
			out_char(env, (char)unescape(f[i++]));
			continue;
		}
		if (c != '%') {
			out_char(env, c);
			continue;
		}
		if (i < n && f[i] == '%') {
			out_char(env, '%');
			i++;
			continue;
		}
		if (parse_spec(f, n, &i, &s) || a >= nargs)
			return NTRACE_AX_E_INVALID;
		{
			__u64 v = args[a++];
			int is_signed = s.conv == 'd' || s.conv == 'i';
			int neg = 0;

			switch (s.conv) {
			case 's':
				err = out_string(env, &s, v);
				if (err)
					return err;
				continue;
			case 'c': {
				char ch = (char)v;

				s.has_prec = 0; /* no precision for %c */
				out_text(env, &s, &ch, 1);
				continue;
			}
			case 'p':
				/* glibc prints a null pointer as "(nil)" (gdbserver's printf). */
				if (v == 0)
					out_text(env, &s, "(nil)", 5);
				else
					out_int(env, &s, v, 0);
				continue;
			default:
				break;
			}
			/* Truncate to the argument's C type (int unless a length says otherwise). */
			switch (s.len) {
			case 'H':
				v = is_signed ? (__u64)(__s64)(__s8)v : (__u8)v;
				break;
			case 'h':
				v = is_signed ? (__u64)(__s64)(__s16)v : (__u16)v;
				break;
			case 0:
				v = is_signed ? (__u64)(__s64)(__s32)v : (__u32)v;
				break;
			default:
				break;
			}
			if (is_signed && (__s64)v < 0) {
				neg = 1;
				v = (__u64)0 - v;
			}
			out_int(env, &s, v, neg);
		}
	}
	return NTRACE_AX_OK;
}

/* ------------------------------------------------------------ evaluator */

static __u64 sign_extend(__u64 v, unsigned int bits)
{
	__u64 m;

	if (bits >= 64)
		return v;
	m = (__u64)1 << (bits - 1);
	v &= ((__u64)1 << bits) - 1;
	return (v ^ m) - m;
}

int ntrace_ax_eval(const __u8 *code, __u32 len, struct ntrace_ax_env *env, __u64 *value)
{
	__u64 st[NTRACE_AX_STACK_MAX];
	unsigned int sp = 0;
	__u32 pc = 0, size;
	__u64 a, b;
	__u8 bytes[8];
	int err;

	*value = 0;
	if (len > NTRACE_AX_MAX_LEN)
		return NTRACE_AX_E_INVALID;
	for (;;) {
		__u8 op;
		unsigned int k, pop, push;

		if (pc >= len || insn_size(code, len, pc, &size))
			return NTRACE_AX_E_INVALID;
		if (env->budget == 0)
			return NTRACE_AX_E_BUDGET;
		env->budget--;
		op = code[pc];
		pop = ax_ops[op].pop;
		push = ax_ops[op].push;
		if (op == OP_PRINTF)
			pop = 2 + code[pc + 1];
		else if (op == OP_PICK)
			pop = code[pc + 1] + 1, push = pop + 1;
		if (sp < pop || sp - pop + push > NTRACE_AX_STACK_MAX)
			return NTRACE_AX_E_INVALID;
		/* Binary operators: a is the deeper item, b the top. */
		if (pop >= 2) {
			a = st[sp - 2];
			b = st[sp - 1];
		} else if (pop == 1) {
			a = 0;
			b = st[sp - 1];
		} else {
			a = b = 0;
		}
		switch (op) {
		case OP_ADD:
			st[sp - 2] = a + b;
			break;
		case OP_SUB:
			st[sp - 2] = a - b;
			break;
		case OP_MUL:
			st[sp - 2] = a * b;
			break;
		case OP_DIV_S:
			if (b == 0)
				return NTRACE_AX_E_DIV0;
			/* INT64_MIN / -1 overflows in C: the two's complement answer is INT64_MIN. */
			st[sp - 2] = (__s64)b == -1 ? (__u64)0 - a : (__u64)((__s64)a / (__s64)b);
			break;
		case OP_DIV_U:
			if (b == 0)
				return NTRACE_AX_E_DIV0;
			st[sp - 2] = a / b;
			break;
		case OP_REM_S:
			if (b == 0)
				return NTRACE_AX_E_DIV0;
			st[sp - 2] = (__s64)b == -1 ? 0 : (__u64)((__s64)a % (__s64)b);
			break;
		case OP_REM_U:
			if (b == 0)
				return NTRACE_AX_E_DIV0;
			st[sp - 2] = a % b;
			break;
		case OP_LSH:
			st[sp - 2] = b >= 64 ? 0 : a << b;
			break;
		case OP_RSH_S:
			st[sp - 2] = b >= 64 ? ((__s64)a < 0 ? ~(__u64)0 : 0)
					     : (__u64)((__s64)a >> b);
			break;
		case OP_RSH_U:
			st[sp - 2] = b >= 64 ? 0 : a >> b;
			break;
		case OP_LOG_NOT:
			st[sp - 1] = !b;
			break;
		case OP_BIT_AND:
			st[sp - 2] = a & b;
			break;
		case OP_BIT_OR:
			st[sp - 2] = a | b;
			break;
		case OP_BIT_XOR:
			st[sp - 2] = a ^ b;
			break;
		case OP_BIT_NOT:
			st[sp - 1] = ~b;
			break;
		case OP_EQUAL:
			st[sp - 2] = a == b;
			break;
		case OP_LESS_S:
			st[sp - 2] = (__s64)a < (__s64)b;
			break;
		case OP_LESS_U:
			st[sp - 2] = a < b;
			break;
		case OP_EXT:
		case OP_ZERO_EXT:
			k = code[pc + 1];
			if (k == 0 || k > 64)
				return NTRACE_AX_E_INVALID;
			if (op == OP_EXT)
				st[sp - 1] = sign_extend(b, k);
			else if (k < 64)
				st[sp - 1] = b & (((__u64)1 << k) - 1);
			break;
		case OP_REF8:
		case OP_REF16:
		case OP_REF32:
		case OP_REF64: {
			unsigned int n = 1u << (op - OP_REF8);

			if (env->read_mem(env->ctx, b, bytes, n))
				return NTRACE_AX_E_MEM;
			a = 0;
			for (k = n; k > 0; k--)
				a = (a << 8) | bytes[k - 1];
			st[sp - 1] = a;
			break;
		}
		case OP_IF_GOTO:
			if (b) {
				sp--;
				pc = be16(code + pc + 1);
				continue;
			}
			break;
		case OP_GOTO:
			pc = be16(code + pc + 1);
			continue;
		case OP_CONST8:
		case OP_CONST16:
		case OP_CONST32:
		case OP_CONST64:
			a = 0;
			for (k = 1; k < size; k++)
				a = (a << 8) | code[pc + k];
			st[sp] = a;
			break;
		case OP_REG:
			if (env->get_reg(env->ctx, be16(code + pc + 1), &a))
				return NTRACE_AX_E_REG;
			st[sp] = a;
			break;
		case OP_END:
			*value = sp ? st[sp - 1] : 0;
			return NTRACE_AX_OK;
		case OP_DUP:
			st[sp] = b;
			break;
		case OP_POP:
			break;
		case OP_SWAP:
			st[sp - 2] = b;
			st[sp - 1] = a;
			break;
		case OP_GETV:
			if (!env->get_tsv || env->get_tsv(env->ctx, be16(code + pc + 1), &a))
				return NTRACE_AX_E_TSV;
			st[sp] = a;
			break;
		case OP_SETV:
			/* The value stays on the stack (gdbserver's setv). */
			if (!env->set_tsv || env->set_tsv(env->ctx, be16(code + pc + 1), b))
				return NTRACE_AX_E_TSV;
			break;
		case OP_PICK:
			st[sp] = st[sp - 1 - code[pc + 1]];
			break;
		case OP_ROT:
			/* a b c => c a b (gdbserver's rot) */
			a = st[sp - 1];
			st[sp - 1] = st[sp - 2];
			st[sp - 2] = st[sp - 3];
			st[sp - 3] = a;
			break;
		case OP_PRINTF: {
			/* Stack: arg[n-1] ... arg[0] channel function (gdb's gen_printf). */
			__u64 args[NTRACE_AX_STACK_MAX];
			unsigned int nargs = code[pc + 1];

			for (k = 0; k < nargs; k++)
				args[k] = st[sp - 3 - k];
			err = ax_printf(env, (const char *)code + pc + 4, size - 5, args, nargs);
			if (err)
				return err;
			break;
		}
		default:
			return NTRACE_AX_E_INVALID;
		}
		sp = sp - pop + push;
		pc += size;
	}
}

/* ------------------------------------------------------------ registers and names */

/*
 * gdb's amd64 numbering (gdb/amd64-tdep.c; the order of the target description) to the slot
 * of struct user_regs_struct: rax rbx rcx rdx rsi rdi rbp rsp r8..r15 rip eflags cs ss ds es
 * fs gs, then 57 orig_rax, 58 fs_base, 59 gs_base. eflags and the selectors are 32-bit.
 */
static const __s8 user_slot[24] = {
	10, 5, 11, 12, 13, 14, 4, 19, 9, 8, 7, 6, 3, 2, 1, 0, 16, 18, 17, 20, 23, 24, 25, 26,
};

int ntrace_ax_user_reg(const __u64 *user_regs, unsigned int regnum, __u64 *val)
{
	if (regnum < 24) {
		*val = user_regs[user_slot[regnum]];
		if (regnum >= 17)
			*val &= 0xffffffffu;
		return 0;
	}
	if (regnum >= 57 && regnum <= 59) {
		*val = user_regs[regnum == 57 ? 15 : regnum == 58 ? 21 : 22];
		return 0;
	}
	return 1;
}

const char *ntrace_ax_verdict_name(int v)
{
	static const char *const names[] = {
		"ok", "empty", "too long", "unknown opcode", "truncated operand",
		"bad operand", "bad jump target", "stack underflow", "stack overflow",
		"runs off the end", "no reachable end", "condition without a value",
		"bad printf format", "scratch too small",
	};

	if (v < 0 || v >= (int)(sizeof(names) / sizeof(names[0])))
		return "?";
	return names[v];
}

const char *ntrace_ax_result_name(int r)
{
	static const char *const names[] = {
		"ok", "memory", "register", "budget", "division by zero", "trace state variable",
		"invalid",
	};

	if (r < 0 || r >= (int)(sizeof(names) / sizeof(names[0])))
		return "?";
	return names[r];
}
