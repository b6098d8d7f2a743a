// SPDX-License-Identifier: GPL-2.0-only
/*
 * ntrace: debug-register breakpoints (NTRACE_BP_HW execute, NTRACE_BP_WRITE, NTRACE_BP_ACCESS)
 * as user perf breakpoints, one per thread of the process present when it is set, inherited
 * (attr.inherit_thread) by the threads those create later. The perf handler runs in #DB
 * context in the thread that hit it; it only queues a stop (TWA_RESUME). For an execute
 * breakpoint the x86 handler sets EFLAGS.RF, so resuming from the stop does not hit it again.
 *
 * x86 has no read-only watchpoint: NTRACE_BP_READ is a read/write one whose hits are
 * reported only when the watched value is unchanged (as the userspace provider and gdbserver
 * do). The thread compares in its own context, before it parks (nt_hw_read_changed).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hw_breakpoint.h>
#include <linux/mm.h>
#include <linux/perf_event.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "ntrace_internal.h"

struct nt_hw_ev {
	struct nt_thread *t; /* referenced while registered */
	struct perf_event *ev;
};

struct nt_hw {
	struct list_head node; /* proc->hws: changed under cmd_lock and the session lock */
	u64 addr;
	u32 len;
	u32 kind;
	u32 refs;
	u32 n;
	u64 value; /* NTRACE_BP_READ: last value seen, under the session lock */
	struct nt_exprs *exprs; /* under the session lock */
	struct nt_hw_ev evs[];
};

static struct nt_hw *nt_hw_find(struct nt_proc *proc, u64 addr, u32 len, u32 kind)
{
	struct nt_hw *hw;

	list_for_each_entry(hw, &proc->hws, node)
		if (hw->addr == addr && hw->len == len && hw->kind == kind)
			return hw;
	return NULL;
}

/* The watch kind a read/write perf breakpoint stands for: ACCESS wins over READ. session lock held. */
static u32 nt_hw_kind(struct nt_proc *proc, struct perf_event *bp)
{
	if (bp->attr.bp_type == HW_BREAKPOINT_W)
		return NTRACE_BP_WRITE;
	if (!nt_hw_find(proc, bp->attr.bp_addr, bp->attr.bp_len, NTRACE_BP_ACCESS) &&
	    nt_hw_find(proc, bp->attr.bp_addr, bp->attr.bp_len, NTRACE_BP_READ))
		return NTRACE_BP_READ;
	return NTRACE_BP_ACCESS;
}

static void nt_hw_handler(struct perf_event *bp, struct perf_sample_data *data,
			  struct pt_regs *regs)
{
	struct nt_session *s;
	struct nt_thread *t;
	unsigned long flags;

	/*
	 * The debug registers also fire on kernel accesses to the user address (copy_to_user
	 * in a syscall, nt_hw_read_changed): only the thread's own instructions count.
	 */
	if (!user_mode(regs))
		return;
	/* Inherited copies share the creator's context: find the thread by task. */
	t = nt_lock_task(current, &flags);
	if (!t)
		return;
	s = t->s;
	if (t && t->proc) {
		if (bp->attr.bp_type == HW_BREAKPOINT_X) {
			t->hwbp_addr = bp->attr.bp_addr;
			nt_queue_stop(t, NT_P_HWBP, TWA_RESUME);
		} else {
			t->watch_addr = bp->attr.bp_addr;
			t->watch_kind = nt_hw_kind(t->proc, bp);
			nt_queue_stop(t, NT_P_WATCH, TWA_RESUME);
		}
	}
	spin_unlock_irqrestore(&s->lock, flags);
}

static void nt_hw_free(struct nt_hw *hw)
{
	u32 i;

	for (i = 0; i < hw->n; i++) {
		unregister_hw_breakpoint(hw->evs[i].ev); /* no handler runs after this */
		nt_thread_put(hw->evs[i].t);
	}
	nt_exprs_put(hw->exprs);
	kfree(hw);
}

/* session lock held. */
static void nt_hw_unlist(struct nt_proc *proc, struct nt_hw *hw)
{
	list_del(&hw->node);
	if (hw->exprs)
		proc->expr_bytes -= hw->exprs->bytes;
}

/* SET_BP / CLEAR_BP for the watch kinds. cmd_lock held. */
int nt_hw_set(struct nt_proc *proc, u64 addr, u32 len, u32 kind, bool set)
{
	struct perf_event_attr attr;
	struct nt_thread *t;
	unsigned long flags;
	struct nt_hw *hw;
	u32 n = 0, i;
	int err = 0;

	if (kind == NTRACE_BP_HW)
		len = 0; /* an execute breakpoint has no length: (pid, kind, addr) is the key */
	else if ((len != 1 && len != 2 && len != 4 && len != 8) || addr % len)
		return -EINVAL;
	hw = nt_hw_find(proc, addr, len, kind);
	if (!set) {
		if (!hw)
			return -ENOENT;
		if (!--hw->refs) {
			spin_lock_irqsave(&proc->s->lock, flags);
			nt_hw_unlist(proc, hw);
			spin_unlock_irqrestore(&proc->s->lock, flags);
			nt_hw_free(hw);
		}
		return 0;
	}
	if (hw) {
		hw->refs++;
		return 0;
	}

	spin_lock_irqsave(&proc->s->lock, flags);
	list_for_each_entry(t, &proc->threads, pnode)
		n++;
	spin_unlock_irqrestore(&proc->s->lock, flags);
	hw = kzalloc(struct_size(hw, evs, n), GFP_KERNEL_ACCOUNT);
	if (!hw)
		return -ENOMEM;
	spin_lock_irqsave(&proc->s->lock, flags);
	list_for_each_entry(t, &proc->threads, pnode) {
		if (hw->n == n)
			break;
		kref_get(&t->ref);
		hw->evs[hw->n++].t = t;
	}
	spin_unlock_irqrestore(&proc->s->lock, flags);
	hw->addr = addr;
	hw->len = len;
	hw->kind = kind;
	hw->refs = 1;

	hw_breakpoint_init(&attr);
	attr.bp_addr = addr;
	attr.bp_len = kind == NTRACE_BP_HW ? sizeof(long) : len; /* x86: X length is sizeof(long) */
	attr.bp_type = kind == NTRACE_BP_HW ? HW_BREAKPOINT_X :
		       kind == NTRACE_BP_WRITE ? HW_BREAKPOINT_W : HW_BREAKPOINT_RW;
	if (kind == NTRACE_BP_READ && hw->n &&
	    access_process_vm(hw->evs[0].t->task, addr, &hw->value, len, FOLL_FORCE) != len)
		hw->value = 0;
	attr.disabled = 0;
	attr.inherit = 1; /* threads created later get their copy; */
	attr.inherit_thread = 1; /* forked processes do not */
	/* Listed before the first hit can come: the handler looks the kind up. */
	spin_lock_irqsave(&proc->s->lock, flags);
	list_add_tail(&hw->node, &proc->hws);
	spin_unlock_irqrestore(&proc->s->lock, flags);
	for (i = 0; i < hw->n; i++) {
		struct perf_event *ev = register_user_hw_breakpoint(&attr, nt_hw_handler,
								    hw->evs[i].t,
								    hw->evs[i].t->task);

		if (IS_ERR(ev)) {
			err = PTR_ERR(ev); /* ENOSPC: the four debug registers are taken */
			break;
		}
		hw->evs[i].ev = ev;
	}
	if (err) {
		u32 registered = i;

		spin_lock_irqsave(&proc->s->lock, flags);
		list_del(&hw->node);
		spin_unlock_irqrestore(&proc->s->lock, flags);
		for (; i < hw->n; i++)
			nt_thread_put(hw->evs[i].t);
		hw->n = registered;
		nt_hw_free(hw);
		return err;
	}
	return 0;
}

void nt_hw_release_all(struct nt_proc *proc)
{
	struct nt_hw *hw, *tmp;
	unsigned long flags;

	nt_hw_fork_drop(proc); /* never adopted: the session closed first */
	list_for_each_entry_safe(hw, tmp, &proc->hws, node) {
		spin_lock_irqsave(&proc->s->lock, flags);
		nt_hw_unlist(proc, hw);
		spin_unlock_irqrestore(&proc->s->lock, flags);
		nt_hw_free(hw);
	}
}

/*
 * A followed fork child (ntrace_fork.c): perf breakpoints are not inherited across fork, so
 * the parent's are noted in the fork hook and registered on the child when a command adopts
 * it (under cmd_lock, as every change of proc->hws), which is before the child runs its first
 * instruction: it is stopped (NEW_THREAD) until a command resumes it.
 */
int nt_hw_fork_copy(struct nt_proc *from, struct nt_proc *to, gfp_t gfp)
{
	struct nt_hw *hw;
	u32 n = 0;

	list_for_each_entry(hw, &from->hws, node)
		n++;
	if (!n)
		return 0;
	to->fork_hws = kcalloc(n, sizeof(*to->fork_hws), gfp);
	if (!to->fork_hws)
		return -ENOMEM;
	list_for_each_entry(hw, &from->hws, node) {
		struct nt_hw_spec *sp = &to->fork_hws[to->fork_nhws++];

		sp->addr = hw->addr;
		sp->len = hw->len;
		sp->kind = hw->kind;
		sp->refs = hw->refs;
		sp->exprs = nt_exprs_get(hw->exprs);
	}
	return 0;
}

void nt_hw_fork_drop(struct nt_proc *proc)
{
	u32 i;

	for (i = 0; i < proc->fork_nhws; i++)
		nt_exprs_put(proc->fork_hws[i].exprs);
	kfree(proc->fork_hws);
	proc->fork_hws = NULL;
	proc->fork_nhws = 0;
}

void nt_hw_fork_adopt(struct nt_proc *proc)
{
	struct nt_exprs *x;
	u32 i, r;

	for (i = 0; i < proc->fork_nhws; i++) {
		struct nt_hw_spec *sp = &proc->fork_hws[i];

		for (r = 0; r < sp->refs; r++)
			if (nt_hw_set(proc, sp->addr, sp->len, sp->kind, true))
				break; /* the child exited, or no debug register is left */
		x = sp->exprs;
		if (r && x && nt_hw_set_exprs(proc, sp->addr, sp->len, sp->kind, &x))
			x = sp->exprs; /* over the process's budget: unconditional */
		nt_exprs_put(x);
		proc->fork_hws[i].exprs = NULL;
	}
	nt_hw_fork_drop(proc);
}

static u32 nt_hw_key_len(u32 kind, u32 len)
{
	return kind == NTRACE_BP_HW ? 0 : len;
}

/* SET_BP's expressions for an existing watch or hw breakpoint (ENOENT). cmd_lock held. */
int nt_hw_set_exprs(struct nt_proc *proc, u64 addr, u32 len, u32 kind, struct nt_exprs **x)
{
	unsigned long flags;
	struct nt_hw *hw;
	int err = -ENOENT;

	spin_lock_irqsave(&proc->s->lock, flags);
	hw = nt_hw_find(proc, addr, nt_hw_key_len(kind, len), kind);
	if (hw)
		err = nt_exprs_swap(proc, &hw->exprs, x);
	spin_unlock_irqrestore(&proc->s->lock, flags);
	return err;
}

/* A reference to the expressions of the hit's watch or hw breakpoint, if any. */
struct nt_exprs *nt_hw_exprs_get(struct nt_proc *proc, u64 addr, u32 kind)
{
	struct nt_hw *hw;

	list_for_each_entry(hw, &proc->hws, node)
		if (hw->addr == addr && hw->kind == kind)
			return nt_exprs_get(hw->exprs);
	return NULL;
}

/*
 * A READ watchpoint hit of current at @addr: did the watched value change (a write, not a
 * read)? Runs in the thread's own context, where user memory may fault in.
 */
bool nt_hw_read_changed(struct nt_thread *t, u64 addr)
{
	unsigned long flags;
	struct nt_hw *hw;
	bool changed = false;
	u64 now = 0;
	u32 len = 0;

	spin_lock_irqsave(&t->s->lock, flags);
	if (t->proc) {
		list_for_each_entry(hw, &t->proc->hws, node) {
			if (hw->addr == addr && hw->kind == NTRACE_BP_READ) {
				len = hw->len;
				break;
			}
		}
	}
	spin_unlock_irqrestore(&t->s->lock, flags);
	if (!len || copy_from_user(&now, u64_to_user_ptr(addr), len))
		return false;
	spin_lock_irqsave(&t->s->lock, flags);
	hw = t->proc ? nt_hw_find(t->proc, addr, len, NTRACE_BP_READ) : NULL;
	if (hw) {
		changed = hw->value != now;
		hw->value = now;
	}
	spin_unlock_irqrestore(&t->s->lock, flags);
	return changed;
}
