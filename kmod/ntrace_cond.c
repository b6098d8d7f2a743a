// SPDX-License-Identifier: GPL-2.0-only
/*
 * ntrace: breakpoint conditions and commands (NTRACE_CAP_COND_BYTECODE), GDB agent
 * expressions run by the evaluator shared with the userspace provider (ntrace_ax.c).
 *
 * SET_BP verifies them and hangs them on the breakpoint (struct nt_exprs, immutable, shared by
 * reference). A hit is filtered in the thread's own context by the stop loop, before anything
 * is published: preemptible, with no lock held, so an expression's memory reads are plain
 * copy_from_user on current's own mm and may fault pages in. A hit whose conditions are all
 * false, or whose commands (dprintf's agent printf) ran, resumes as it was going (over the
 * int3 for a software breakpoint) and wakes nobody; the commands' text goes out as OUTPUT
 * reports.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kref.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/ptrace.h>
#include <linux/regset.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/user.h>

#include "ntrace_ax.h"
#include "ntrace_internal.h"

static void nt_exprs_free(struct kref *ref)
{
	kfree(container_of(ref, struct nt_exprs, ref));
}

void nt_exprs_put(struct nt_exprs *x)
{
	if (x)
		kref_put(&x->ref, nt_exprs_free);
}

/* session lock held (the breakpoint's pointer is stable there). */
struct nt_exprs *nt_exprs_get(struct nt_exprs *x)
{
	if (x)
		kref_get(&x->ref);
	return x;
}

/*
 * SET_BP's list: struct ntrace_bp_expr items back to back, each verified. *out is NULL for an
 * empty list (an unconditional breakpoint without commands).
 */
int nt_exprs_parse(const u8 *data, u32 len, struct nt_exprs **out)
{
	struct ntrace_bp_expr e;
	struct nt_exprs *x;
	u32 off = 0, n = 0, longest = 0, i;
	u8 *work, *code;
	int v;

	*out = NULL;
	if (!len)
		return 0;
	if (len > NT_MAX_EXPR_BYTES)
		return -ENOSPC;
	/* First pass: the shape, to size one allocation for the items and their code. */
	while (off < len) {
		if (len - off < sizeof(e))
			return -EINVAL;
		memcpy(&e, data + off, sizeof(e));
		off += sizeof(e);
		if (e.flags || (e.type != NTRACE_BP_EXPR_COND && e.type != NTRACE_BP_EXPR_CMD) ||
		    !e.len || e.len > len - off || e.len > NTRACE_AX_MAX_LEN)
			return -EINVAL;
		off += e.len;
		longest = max(longest, e.len);
		n++;
	}
	x = kzalloc(struct_size(x, items, n) + len, GFP_KERNEL_ACCOUNT);
	if (!x)
		return -ENOMEM;
	work = kvmalloc(NTRACE_AX_VERIFY_WORK(longest), GFP_KERNEL_ACCOUNT);
	if (!work) {
		kfree(x);
		return -ENOMEM;
	}
	kref_init(&x->ref);
	x->bytes = len;
	code = (u8 *)&x->items[n];
	/* Conditions first, then commands, each in the order given. */
	for (i = 0; i < 2; i++) {
		u16 type = i ? NTRACE_BP_EXPR_CMD : NTRACE_BP_EXPR_COND;

		for (off = 0; off < len; off += e.len) {
			memcpy(&e, data + off, sizeof(e));
			off += sizeof(e);
			if (e.type != type)
				continue;
			v = ntrace_ax_verify(data + off, e.len, i ? 0 : NTRACE_AX_WANT_VALUE, work,
					     NTRACE_AX_VERIFY_WORK(longest), NULL);
			if (v != NTRACE_AX_V_OK) {
				pr_debug("agent expression refused: %s\n", ntrace_ax_verdict_name(v));
				kvfree(work);
				kfree(x);
				return -EINVAL;
			}
			memcpy(code, data + off, e.len);
			x->items[x->n].code = code;
			x->items[x->n].len = e.len;
			x->n++;
			if (!i)
				x->nconds++;
			code += e.len;
		}
	}
	kvfree(work);
	*out = x;
	return 0;
}

struct nt_ax_ctx {
	struct nt_thread *t;
	bool have_regs;
	struct user_regs_struct regs;
};

/* current's own memory: the thread evaluates in its own context. */
static int nt_ax_read(void *ctx, __u64 addr, void *buf, __u32 len)
{
	return copy_from_user(buf, u64_to_user_ptr(addr), len) ? -EFAULT : 0;
}

static int nt_ax_reg(void *ctx, unsigned int regnum, __u64 *val)
{
	struct nt_ax_ctx *c = ctx;

	if (!c->have_regs) {
		const struct user_regset *gpr = nt_find_regset(NTRACE_REGSET_GPR);

		if (!gpr || gpr->n * gpr->size != sizeof(c->regs) ||
		    regset_get(current, gpr, sizeof(c->regs), &c->regs) != sizeof(c->regs))
			return -EIO;
		if (READ_ONCE(c->t->tf_set))
			c->regs.flags &= ~X86_EFLAGS_TF; /* ours, hidden as from GET_REGS */
		c->have_regs = true;
	}
	return ntrace_ax_user_reg((const __u64 *)&c->regs, regnum, val);
}

/* One command's printf text as an OUTPUT report (droppable: the reader may be slow). */
static int nt_run_command(struct nt_thread *t, const struct nt_expr *e, struct ntrace_ax_env *env,
			  u64 addr)
{
	struct ntrace_ev_output *ev;
	unsigned long flags;
	struct nt_rec *r;
	__u64 v;
	int ret;

	r = nt_rec_alloc(sizeof(*ev) + NT_OUTPUT_MAX, NTRACE_EV_OUTPUT, GFP_KERNEL_ACCOUNT);
	if (!r)
		return -ENOMEM; /* stop: the debugger sees the hit it could not be told about */
	ev = (struct ntrace_ev_output *)r->data;
	env->out = (char *)(ev + 1);
	env->out_cap = NT_OUTPUT_MAX;
	env->out_len = 0;
	env->out_truncated = 0;
	env->budget = NTRACE_AX_DEFAULT_BUDGET;
	ret = ntrace_ax_eval(e->code, e->len, env, &v);
	env->out = NULL;
	if (!env->out_len) {
		kfree(r);
		return ret;
	}
	ev->addr = addr;
	ev->len = env->out_len;
	ev->flags = env->out_truncated ? NTRACE_OUTPUT_TRUNCATED : 0;
	r->len = NTRACE_RECORD_ALIGN(sizeof(*ev) + env->out_len);
	ev->hdr.len = r->len;
	spin_lock_irqsave(&t->s->lock, flags);
	if (t->proc) {
		nt_fill_thread(t->proc->s, t, &ev->thread);
		nt_emit(t->proc->s, r);
		r = NULL;
	}
	spin_unlock_irqrestore(&t->s->lock, flags);
	kfree(r);
	return ret;
}

/*
 * Does this hit count? Any condition true, or failing (unreadable memory, the budget spent),
 * makes it count (gdbserver's gdb_condition_true_at_breakpoint: the debugger then decides).
 * A counted hit with commands runs them and stops only if one fails.
 */
static bool nt_exprs_want_stop(struct nt_thread *t, const struct nt_exprs *x, u64 addr)
{
	struct nt_ax_ctx c = { .t = t };
	struct ntrace_ax_env env = {
		.ctx = &c,
		.read_mem = nt_ax_read,
		.get_reg = nt_ax_reg,
	};
	bool hit = !x->nconds;
	u32 i;
	__u64 v;

	for (i = 0; i < x->nconds && !hit; i++) {
		v = 0;
		env.budget = NTRACE_AX_DEFAULT_BUDGET;
		if (ntrace_ax_eval(x->items[i].code, x->items[i].len, &env, &v) != NTRACE_AX_OK ||
		    v)
			hit = true;
		cond_resched();
	}
	if (!hit)
		return false;
	if (x->nconds == x->n)
		return true;
	for (i = x->nconds; i < x->n; i++) {
		if (nt_run_command(t, &x->items[i], &env, addr) != NTRACE_AX_OK)
			return true; /* a failed command stops, so the debugger sees it */
		cond_resched();
	}
	return false;
}

/*
 * Testing only (the selftest's cond_cleared_hit): a software breakpoint's hit sleeps this long
 * before it is judged (in TASK_IDLE: /proc shows the thread in state 'I'), so that a CLEAR_BP
 * can complete between the int3 trap and the judgment. Writable by root; 0 (the default):
 * nothing.
 */
static unsigned int nt_test_judge_delay_ms;
module_param_named(test_judge_delay_ms, nt_test_judge_delay_ms, uint, 0644);
MODULE_PARM_DESC(test_judge_delay_ms,
		 "testing only: a breakpoint hit sleeps before it is judged (ms)");

/*
 * The stop loop's filter, before any reason is taken: breakpoint, hw breakpoint and watch
 * hits whose expressions say no (and READ watch hits that were writes) are dropped, the
 * thread resuming as it was going; other pending reasons (a STOP request) stay. Runs in the
 * thread's own context with no lock held.
 */
void nt_filter_hits(struct nt_thread *t)
{
	struct pt_regs *regs = task_pt_regs(current);
	static const u32 bits[] = { NT_P_BREAKPOINT, NT_P_HWBP, NT_P_WATCH };
	struct nt_exprs *x;
	unsigned long flags;
	u32 kind = 0, mode;
	unsigned int i;
	u64 addr = 0;
	bool drop, removing;

	if (!(READ_ONCE(t->pending) & (NT_P_BREAKPOINT | NT_P_HWBP | NT_P_WATCH)))
		return; /* set only by this thread's own traps, which cannot run now */
	if (unlikely(READ_ONCE(nt_test_judge_delay_ms)) &&
	    (READ_ONCE(t->pending) & NT_P_BREAKPOINT))
		schedule_timeout_idle(msecs_to_jiffies(READ_ONCE(nt_test_judge_delay_ms)));
	for (i = 0; i < ARRAY_SIZE(bits); i++) {
		x = NULL;
		removing = false;
		spin_lock_irqsave(&t->s->lock, flags);
		if (!t->proc || !(t->pending & bits[i])) {
			spin_unlock_irqrestore(&t->s->lock, flags);
			continue;
		}
		switch (bits[i]) {
		case NT_P_BREAKPOINT: {
			struct nt_bp *bp = nt_bp_find(t->proc, t->bp_addr);

			addr = t->bp_addr;
			/*
			 * A breakpoint CLEAR_BP, DETACH or a close is taking out, or has taken out
			 * since the trap (the die notifier claimed the int3 only with it listed, so
			 * the byte at the rewound pc is the original now): its hit goes and the
			 * thread runs the instruction, as gdbserver cancels a hit on a breakpoint
			 * since removed. One cleared and set again is found here and judged anew.
			 */
			removing = !bp || bp->removing;
			x = !removing ? nt_exprs_get(bp->exprs) : NULL;
			break;
		}
		case NT_P_HWBP:
			addr = t->hwbp_addr;
			x = nt_hw_exprs_get(t->proc, addr, NTRACE_BP_HW);
			break;
		case NT_P_WATCH:
			addr = t->watch_addr;
			kind = t->watch_kind;
			x = nt_hw_exprs_get(t->proc, addr, kind);
			break;
		}
		spin_unlock_irqrestore(&t->s->lock, flags);

		/* x86 has no read-only watchpoint: a changed value was a write, not a read. */
		drop = removing || (bits[i] == NT_P_WATCH && kind == NTRACE_BP_READ &&
				    nt_hw_read_changed(t, addr));
		if (!drop && x)
			drop = !nt_exprs_want_stop(t, x, addr);
		nt_exprs_put(x);
		if (!drop)
			continue;

		spin_lock_irqsave(&t->s->lock, flags);
		t->pending &= ~bits[i];
		/* A step the thread was doing goes on (a range step meets breakpoints inside). */
		mode = !t->tf_set  ? NTRACE_RESUME_CONT :
		       t->range_step ? NTRACE_RESUME_RANGE_STEP :
				       NTRACE_RESUME_STEP;
		spin_unlock_irqrestore(&t->s->lock, flags);
		/*
		 * A software breakpoint's int3 has not run its instruction: step over it, unless
		 * it is going or gone (the thread meets whatever is at the pc now: the original
		 * byte, or the int3 of one set again, a hit of its own). Watch and hw breakpoint
		 * traps need nothing (x86 set RF for an execute breakpoint).
		 */
		if (bits[i] == NT_P_BREAKPOINT && !removing && regs->ip == addr &&
		    !(mode == NTRACE_RESUME_CONT && nt_emulate_bp(t, regs)))
			nt_start_stepover(t, regs, mode);
	}
}
