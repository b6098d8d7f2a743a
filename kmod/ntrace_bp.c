// SPDX-License-Identifier: GPL-2.0-only
/*
 * ntrace: software breakpoints in the target's memory: the rbtree of a process's int3s, the
 * step-over that resumes a thread from one (original byte, TF, re-insert), and the fork and
 * vfork children that must not run into them. Every int3 or original-byte write is ordered by
 * the session's bp_lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/ptrace.h>
#include <linux/rbtree.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/task_work.h>
#include <linux/uaccess.h>

#include "ntrace_emul.h"
#include "ntrace_internal.h"

static int nt_poke_self(u64 addr, u8 byte)
{
	return access_process_vm(current, addr, &byte, 1, FOLL_FORCE | FOLL_WRITE) == 1 ? 0 : -EIO;
}

/*
 * A child process of a traced process is not followed, and must not run into our int3s: it
 * would die of SIGTRAP. A forked child's memory is a copy: it restores the original bytes
 * itself, from a task_work that runs before its first instruction. A vfork child shares the
 * memory with its parent, which waits in the kernel until the child execs or exits: the child
 * takes the int3s out of the shared memory the same way, and hands the work to the parent,
 * which puts them back when it returns to user mode (gdbserver also detaches a vfork child
 * with the breakpoints removed). A CLONE_VM child that is not a vfork one is left alone.
 */
struct nt_unbp {
	struct callback_head work;
	struct task_struct *parent; /* referenced while shared */
	bool shared; /* same mm as the parent */
	u32 n;
	struct {
		u64 addr;
		u8 orig;
	} bps[];
};

static void nt_unbp_free(struct nt_unbp *u)
{
	if (u->parent)
		put_task_struct(u->parent);
	kfree(u);
	module_put(THIS_MODULE);
}

/* The vfork parent, back from the vfork: our breakpoints go back in. */
static void nt_rebp_fn(struct callback_head *cb)
{
	struct nt_unbp *u = container_of(cb, struct nt_unbp, work);
	struct nt_thread *t = NULL;
	unsigned long flags;
	u32 i;

	if (!(current->flags & PF_EXITING))
		t = nt_lock_task(current, &flags);
	if (t) {
		struct nt_session *s = t->s;

		if (t->proc)
			kref_get(&t->ref);
		else
			t = NULL;
		spin_unlock_irqrestore(&s->lock, flags);
	}
	if (t) {
		/* Only addresses still set: nt_reinsert_bp rechecks each one. */
		for (i = 0; i < u->n; i++)
			nt_reinsert_bp(t, u->bps[i].addr);
		nt_thread_put(t);
	}
	nt_unbp_free(u);
}

static void nt_unbp_fn(struct callback_head *cb)
{
	struct nt_unbp *u = container_of(cb, struct nt_unbp, work);
	u32 i;

	if (current->flags & PF_EXITING || (u->shared && !current->vfork_done)) {
		nt_unbp_free(u);
		return;
	}
	for (i = 0; i < u->n; i++)
		nt_poke_self(u->bps[i].addr, u->bps[i].orig);
	if (u->shared) {
		/* The parent sleeps in the vfork until we exec or exit; then it runs this. */
		init_task_work(&u->work, nt_rebp_fn);
		if (!task_work_add(u->parent, &u->work, TWA_RESUME))
			return;
	}
	nt_unbp_free(u);
}

void nt_fork_child(struct task_struct *parent, struct task_struct *child)
{
	struct nt_session *s;
	struct nt_unbp *u = NULL;
	struct nt_thread *pt;
	unsigned long flags;
	struct nt_bp *bp;
	u32 n = 0;

	if (!child->mm)
		return;
	pt = nt_lock_task(parent, &flags);
	if (!pt)
		return;
	s = pt->s;
	if (pt->proc) {
		n = pt->proc->nbps;
		if (n)
			u = kzalloc(struct_size(u, bps, n), GFP_ATOMIC);
		for (bp = u ? nt_bp_first_from(pt->proc, 0) : NULL; bp;
		     bp = rb_entry_safe(rb_next(&bp->rb), struct nt_bp, rb)) {
			u->bps[u->n].addr = bp->addr;
			u->bps[u->n].orig = bp->orig;
			u->n++;
		}
	}
	spin_unlock_irqrestore(&s->lock, flags);
	if (!u)
		return;
	u->shared = child->mm == parent->mm;
	if (u->shared) {
		get_task_struct(parent);
		u->parent = parent;
	}
	init_task_work(&u->work, nt_unbp_fn);
	__module_get(THIS_MODULE);
	if (task_work_add(child, &u->work, TWA_RESUME))
		nt_unbp_free(u);
}

/*
 * Testing only (the selftest's stepover_clear_set): the re-insert below sleeps this long
 * before and after its write of the int3, so that a CLEAR_BP before the write and a SET_BP
 * after it cannot miss the window (in TASK_IDLE: /proc shows the thread in state 'I', which
 * nothing else of ours uses). Writable by root; 0 (the default): nothing.
 */
static unsigned int nt_test_reinsert_delay_ms;
module_param_named(test_reinsert_delay_ms, nt_test_reinsert_delay_ms, uint, 0644);
MODULE_PARM_DESC(test_reinsert_delay_ms,
		 "testing only: the step-over's re-insert sleeps before and after its write (ms)");

static void nt_test_reinsert_delay(void)
{
	unsigned int ms = READ_ONCE(nt_test_reinsert_delay_ms);

	if (unlikely(ms))
		schedule_timeout_idle(msecs_to_jiffies(ms));
}

/*
 * Put the int3 back after a step-over, unless the debugger cleared that breakpoint
 * meanwhile. bp_lock orders this write with SET_BP/CLEAR_BP's (which would otherwise save
 * our 0xcc as the original byte) and keeps the breakpoint from being freed.
 */
void nt_reinsert_bp(struct nt_thread *t, u64 addr)
{
	unsigned long flags;
	struct nt_bp *bp;

	if (mutex_lock_killable(&t->s->bp_lock))
		return; /* dying: the image goes with it */
	spin_lock_irqsave(&t->s->lock, flags);
	bp = t->proc ? nt_bp_find(t->proc, addr) : NULL;
	if (bp && bp->removing)
		bp = NULL;
	spin_unlock_irqrestore(&t->s->lock, flags);
	if (bp) {
		nt_test_reinsert_delay();
		nt_poke_self(addr, 0xcc);
		nt_test_reinsert_delay();
	}
	mutex_unlock(&t->s->bp_lock);
}

/*
 * Store the byte at @addr of current's memory over itself: a cmpxchg of the byte there with
 * its own value, through the page FOLL_FORCE finds for a write (as access_process_vm's), so
 * memory does not change and no other writer's store in between can be lost, but the store
 * drops whatever translation an emulator kept of the old bytes (nt_refetch_bp). Not over an
 * int3. Sleeps (the target's mmap_lock).
 */
static void nt_restore_self(u64 addr)
{
	struct page *page;
	long n;
	u8 *p, v;

	if (mmap_read_lock_killable(current->mm))
		return;
	n = get_user_pages_remote(current->mm, addr, 1, FOLL_FORCE | FOLL_WRITE, &page, NULL,
				  NULL);
	mmap_read_unlock(current->mm);
	if (n != 1)
		return;
	p = (u8 *)kmap_local_page(page) + offset_in_page(addr);
	v = READ_ONCE(*p);
	if (v != 0xcc)
		cmpxchg(p, v, v);
	kunmap_local(p);
	put_page(page);
}

/*
 * The die notifier found no breakpoint of ours where a thread of ours executed an int3, and
 * the byte there no longer 0xcc: a CLEAR_BP took it out while this CPU still had the int3
 * (a stale fetch), and the thread retries the instruction. On hardware the retry fetches the
 * byte now in memory (the trap and its IRET serialize). An emulator can keep running the int3:
 * QEMU's TCG, whose write to a page of translated code first drops the page's translations and
 * then stores, lets another vCPU translate the old bytes anew in between and keeps that
 * translation until the next write to the page; the thread then traps there forever (the
 * conformance suite's agent test 'the breakpoint removed while threads run through its pad'
 * in the guest: four threads stopped making calls). Storing the byte that is there already
 * is that next write, and changes nothing in memory: under bp_lock, which orders every int3
 * and original-byte write of ours, and only while no breakpoint is listed at @addr (one set
 * again meanwhile is a hit of its own). A thread released since the trap meets the int3
 * again as a thread no longer ours (nt_restore_released).
 */
void nt_refetch_bp(struct nt_thread *t, u64 addr)
{
	unsigned long flags;
	bool listed;

	if (mutex_lock_killable(&t->s->bp_lock))
		return;
	spin_lock_irqsave(&t->s->lock, flags);
	listed = !t->proc || nt_bp_find(t->proc, addr);
	spin_unlock_irqrestore(&t->s->lock, flags);
	if (!listed)
		nt_restore_self(addr);
	mutex_unlock(&t->s->bp_lock);
}

/*
 * A thread no longer ours (DETACH or a close released it) met an int3 whose byte is no longer
 * in memory, shortly after we put bytes back: the die notifier retries the instruction and
 * queues this, which stores the byte over itself before the retry (nt_restore_self), as
 * nt_refetch_bp does for threads of ours. Without it, under QEMU's TCG a translation of the
 * int3 made while the byte went back stayed in use, and the thread died of SIGTRAP a second
 * later (selftest cond's 'released stream'; DETACH writing each byte twice did not prevent
 * it). No session orders this store with other writers, hence the cmpxchg. One at a time per
 * thread: it runs before the thread returns to user mode.
 */
struct nt_restore {
	struct callback_head work;
	u64 addr;
};

static void nt_restore_fn(struct callback_head *cb)
{
	struct nt_restore *w = container_of(cb, struct nt_restore, work);

	if (!(current->flags & PF_EXITING))
		nt_restore_self(w->addr);
	kfree(w);
	module_put(THIS_MODULE);
}

void nt_restore_released(u64 addr)
{
	struct nt_restore *w = kmalloc(sizeof(*w), GFP_ATOMIC);

	if (!w)
		return;
	w->addr = addr;
	init_task_work(&w->work, nt_restore_fn);
	__module_get(THIS_MODULE);
	if (task_work_add(current, &w->work, TWA_RESUME)) {
		kfree(w);
		module_put(THIS_MODULE);
	}
}

/*
 * Resuming at one of our breakpoints steps over it: the original byte goes back, the thread
 * single-steps, and the step trap (NT_P_STEPOVER) re-inserts the int3. Other threads that
 * pass the address meanwhile do not stop there (no displaced stepping).
 */
bool nt_start_stepover(struct nt_thread *t, struct pt_regs *regs, u32 mode)
{
	unsigned long flags;
	struct nt_bp *bp;
	bool ok = false;
	u8 orig = 0;

	if (mutex_lock_killable(&t->s->bp_lock))
		return false;
	spin_lock_irqsave(&t->s->lock, flags);
	bp = t->proc ? nt_bp_find(t->proc, regs->ip) : NULL;
	if (bp && !bp->removing)
		orig = bp->orig;
	else
		bp = NULL;
	spin_unlock_irqrestore(&t->s->lock, flags);
	if (bp && !nt_poke_self(regs->ip, orig)) {
		spin_lock_irqsave(&t->s->lock, flags);
		if (t->proc) {
			t->stepover = true;
			t->stepover_addr = regs->ip;
			t->stepover_mode = mode;
			t->tf_set = true;
			regs->flags |= X86_EFLAGS_TF;
			ok = true;
		}
		spin_unlock_irqrestore(&t->s->lock, flags);
	}
	mutex_unlock(&t->s->bp_lock);
	return ok;
}

static int nt_emul_read(void *ctx, __u64 addr, void *buf, __u32 len)
{
	return copy_from_user(buf, u64_to_user_ptr(addr), len) ? -EFAULT : 0;
}

static int nt_emul_write(void *ctx, __u64 addr, const void *buf, __u32 len)
{
	return copy_to_user(u64_to_user_ptr(addr), buf, len) ? -EFAULT : 0;
}

/*
 * Resume from one of our breakpoints by doing its instruction here (ntrace_emul.c: the forms
 * gcc starts function bodies with): the int3 stays in place, so another thread cannot pass
 * the address unseen meanwhile (the lifted byte of a step-over), and no step trap follows. Not
 * while a signal is pending (its stop comes before the instruction), nor memory forms while
 * the process has debug-register watchpoints (the kernel's access would not trigger them).
 * false: nothing was changed, step over. current == t->task, 64-bit mode only.
 */
bool nt_emulate_bp(struct nt_thread *t, struct pt_regs *regs)
{
	bool ok = false, near = false, mem = false;
	struct ntrace_emul_env env = {
		.gpr = {
			(__u64 *)&regs->ax, (__u64 *)&regs->cx, (__u64 *)&regs->dx,
			(__u64 *)&regs->bx, (__u64 *)&regs->sp, (__u64 *)&regs->bp,
			(__u64 *)&regs->si, (__u64 *)&regs->di, (__u64 *)&regs->r8,
			(__u64 *)&regs->r9, (__u64 *)&regs->r10, (__u64 *)&regs->r11,
			(__u64 *)&regs->r12, (__u64 *)&regs->r13, (__u64 *)&regs->r14,
			(__u64 *)&regs->r15,
		},
		.ip = regs->ip,
		.read_mem = nt_emul_read,
		.write_mem = nt_emul_write,
	};
	u64 addr = regs->ip;
	unsigned long flags;
	struct nt_bp *bp;
	u8 insn[NTRACE_EMUL_INSN_MAX] = { 0 };
	unsigned int i;

	if (!user_64bit_mode(regs) || signal_pending(current))
		return false;
	spin_lock_irqsave(&t->s->lock, flags);
	bp = t->proc ? nt_bp_find(t->proc, addr) : NULL;
	if (bp && !bp->removing) {
		insn[0] = bp->orig;
		ok = true;
		mem = list_empty(&t->proc->hws);
		/* The bytes after it must be the program's, not our int3s. */
		for (i = 1; i < sizeof(insn); i++)
			near |= !!nt_bp_find(t->proc, addr + i);
	}
	spin_unlock_irqrestore(&t->s->lock, flags);
	if (!ok || near)
		return false;
	if (copy_from_user(insn + 1, u64_to_user_ptr(addr + 1), sizeof(insn) - 1))
		return false;
	env.mem = mem;
	if (!ntrace_emul_insn(insn, &env))
		return false;
	regs->ip = env.ip;
	return true;
}

/* Software breakpoints: an rbtree by address (the die notifier looks up with IRQs off). */
struct nt_bp *nt_bp_find(struct nt_proc *proc, u64 addr)
{
	struct rb_node *n = proc->bps.rb_node;

	while (n) {
		struct nt_bp *bp = rb_entry(n, struct nt_bp, rb);

		if (addr == bp->addr)
			return bp;
		n = addr < bp->addr ? n->rb_left : n->rb_right;
	}
	return NULL;
}

/* The breakpoint with the lowest address >= @addr. */
struct nt_bp *nt_bp_first_from(struct nt_proc *proc, u64 addr)
{
	struct rb_node *n = proc->bps.rb_node;
	struct nt_bp *found = NULL;

	while (n) {
		struct nt_bp *bp = rb_entry(n, struct nt_bp, rb);

		if (bp->addr >= addr) {
			found = bp;
			n = n->rb_left;
		} else {
			n = n->rb_right;
		}
	}
	return found;
}

static bool nt_bp_less(struct rb_node *a, const struct rb_node *b)
{
	return rb_entry(a, struct nt_bp, rb)->addr < rb_entry(b, struct nt_bp, rb)->addr;
}

void nt_bp_insert(struct nt_proc *proc, struct nt_bp *bp)
{
	rb_add(&bp->rb, &proc->bps, nt_bp_less);
	proc->nbps++;
}

void nt_bp_erase(struct nt_proc *proc, struct nt_bp *bp)
{
	rb_erase(&bp->rb, &proc->bps);
	proc->nbps--;
	if (bp->exprs)
		proc->expr_bytes -= bp->exprs->bytes;
}

void nt_bp_free(struct nt_bp *bp)
{
	nt_exprs_put(bp->exprs);
	kfree(bp);
}

void nt_bp_free_all(struct nt_proc *proc)
{
	struct nt_bp *bp, *tmp;

	rbtree_postorder_for_each_entry_safe(bp, tmp, &proc->bps, rb) {
		if (bp->exprs)
			proc->expr_bytes -= bp->exprs->bytes;
		nt_bp_free(bp);
	}
	proc->bps = RB_ROOT;
	proc->nbps = 0;
}

/*
 * Hang *@x on a breakpoint's @slot, within the process's NT_PROC_EXPR_BYTES (ENOSPC); *@x
 * gets the former list, for nt_exprs_put once the session lock is dropped.
 */
int nt_exprs_swap(struct nt_proc *proc, struct nt_exprs **slot, struct nt_exprs **x)
{
	u32 old = *slot ? (*slot)->bytes : 0, new = *x ? (*x)->bytes : 0;
	struct nt_exprs *prev = *slot;

	if (new > old && proc->expr_bytes - old + new > NT_PROC_EXPR_BYTES)
		return -ENOSPC;
	proc->expr_bytes = proc->expr_bytes - old + new;
	*slot = *x;
	*x = prev;
	return 0;
}
