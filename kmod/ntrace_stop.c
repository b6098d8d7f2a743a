// SPDX-License-Identifier: GPL-2.0-only
/*
 * ntrace: per-thread stops and the kernel hooks that produce them.
 *
 * A stop is a task_work queued on the thread (TWA_SIGNAL to interrupt it, TWA_RESUME when it
 * is about to return to user mode anyway). The callback runs in the thread's own context,
 * publishes a STOP record and parks in a killable wait: SIGKILL always ends the stop. While
 * parked the thread serves register requests itself (no wait_task_inactive, no FPU "still on
 * CPU" hazard) and, on RESUME, applies the step flag and the signal disposition before it
 * returns towards user mode.
 *
 * Hooks: sched_process_fork/exec/exit and signal_generate tracepoints (found by name with
 * for_each_kernel_tracepoint, since their __tracepoint_* symbols are not exported), and a die
 * notifier for int3 (our breakpoints) and #DB single-steps (our TF).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/binfmts.h>
#include <linux/elf.h>
#include <linux/hashtable.h>
#include <linux/kdebug.h>
#include <linux/module.h>
#include <linux/notifier.h>
#include <linux/pid_namespace.h>
#include <linux/ptrace.h>
#include <linux/regset.h>
#include <linux/sched/coredump.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/sched/task_stack.h>
#include <linux/signal_types.h>
#include <linux/slab.h>
#include <linux/task_work.h>
#include <linux/tracepoint.h>
#include <asm/debugreg.h>
#include <asm/fpu/api.h>

#include "ntrace_internal.h"

DEFINE_SPINLOCK(nt_lock);
atomic_t nt_nthreads = ATOMIC_INIT(0);
static DEFINE_HASHTABLE(nt_hash, 8);
static atomic64_t nt_stop_ids = ATOMIC64_INIT(0);

/* result argument of the signal_generate tracepoint (include/trace/events/signal.h) */
#define NT_TRACE_SIGNAL_DELIVERED 0
#define NT_TRACE_SIGNAL_LOSE_INFO 4

static void nt_work_fn(struct callback_head *cb);
static DECLARE_WAIT_QUEUE_HEAD(nt_gate_wq); /* all-stop gates of every process */

struct nt_thread *nt_find_task(struct task_struct *task)
{
	struct nt_thread *t;

	hash_for_each_possible(nt_hash, t, hnode, (unsigned long)task)
		if (t->task == task)
			return t;
	return NULL;
}

struct nt_thread *nt_thread_new(struct nt_proc *proc, struct task_struct *task, gfp_t gfp)
{
	struct nt_thread *t = kzalloc(sizeof(*t), gfp);

	if (!t)
		return NULL;
	kref_init(&t->ref);
	INIT_LIST_HEAD(&t->pnode);
	INIT_HLIST_NODE(&t->hnode);
	init_task_work(&t->work, nt_work_fn);
	init_waitqueue_head(&t->wq);
	if (task)
		get_task_struct(task);
	t->task = task;
	t->proc = proc;
	t->s = proc->s;
	kref_get(&t->s->ref);
	t->handle = atomic64_inc_return(&proc->s->next_handle);
	return t;
}

static void nt_thread_release(struct kref *ref)
{
	struct nt_thread *t = container_of(ref, struct nt_thread, ref);

	if (t->task)
		put_task_struct(t->task);
	nt_session_put(t->s);
	kfree(t);
}

void nt_thread_put(struct nt_thread *t)
{
	kref_put(&t->ref, nt_thread_release);
}

void nt_thread_link(struct nt_thread *t)
{
	t->vtid = __task_pid_nr_ns(t->task, PIDTYPE_PID, t->s->pidns);
	hash_add(nt_hash, &t->hnode, (unsigned long)t->task);
	list_add_tail(&t->pnode, &t->proc->threads);
	atomic_inc(&nt_nthreads);
}

void nt_thread_unlink(struct nt_thread *t)
{
	if (t->proc && t->proc->gate == t) {
		t->proc->gate = NULL;
		wake_up_all(&nt_gate_wq);
	}
	hash_del(&t->hnode);
	list_del_init(&t->pnode);
	t->proc = NULL;
	t->pending = 0;
	sigemptyset(&t->pend_sigs);
	atomic_dec(&nt_nthreads);
	wake_up(&t->wq);
	nt_thread_put(t);
}

/*
 * Detach: a parked thread leaves its stop without applying anything. A running thread with
 * our TF set would die of the SIGTRAP its step raises once nobody claims it, so it stays
 * hashed, without a proc, until the die notifier or the exit hook sees it (nt_orphan_done).
 */
void nt_detach_thread(struct nt_thread *t)
{
	if (!t->tf_set || t->stopped) {
		nt_thread_unlink(t);
		return;
	}
	if (t->proc->gate == t) {
		t->proc->gate = NULL;
		wake_up_all(&nt_gate_wq);
	}
	list_del_init(&t->pnode);
	t->proc = NULL;
	t->pending = 0;
	sigemptyset(&t->pend_sigs);
	t->stepover = false;
	t->orphan = true;
	__module_get(THIS_MODULE); /* the die notifier must outlive the orphan */
	wake_up(&t->wq);
}

static void nt_orphan_done(struct nt_thread *t)
{
	t->orphan = false;
	hash_del(&t->hnode);
	atomic_dec(&nt_nthreads);
	nt_thread_put(t);
	module_put(THIS_MODULE);
}

void nt_fill_thread(struct nt_session *s, struct nt_thread *t, struct ntrace_thread *out)
{
	out->handle = t->handle;
	out->tgid = __task_pid_nr_ns(t->task, PIDTYPE_TGID, s->pidns);
	out->tid = __task_pid_nr_ns(t->task, PIDTYPE_PID, s->pidns);
}

/* Queue the thread's task_work once; each queued work pins the thread and the module. */
static void nt_queue_work(struct nt_thread *t, enum task_work_notify_mode mode)
{
	if (atomic_cmpxchg(&t->work_queued, 0, 1))
		return;
	kref_get(&t->ref);
	__module_get(THIS_MODULE);
	if (task_work_add(t->task, &t->work, mode)) {
		/* -ESRCH: the task is past exit_task_work and will never stop. */
		atomic_set(&t->work_queued, 0);
		kref_put(&t->ref, nt_thread_release);
		module_put(THIS_MODULE);
	}
}

void nt_queue_stop(struct nt_thread *t, u32 reason, int twa)
{
	t->pending |= reason;
	nt_queue_work(t, twa);
}

/*
 * The x86-64 regsets, for every target: a thread in 32-bit mode (an ia32 process, or a far
 * jump) has registers in the 64-bit layout too, as ptrace gives a 64-bit debugger. The view of
 * a task follows its current code segment, so it is taken once, from insmod, at load.
 */
static const struct user_regset_view *nt_view;

const struct user_regset *nt_find_regset(u32 note)
{
	unsigned int i;

	for (i = 0; i < nt_view->n; i++)
		if (nt_view->regsets[i].core_note_type == note)
			return &nt_view->regsets[i];
	return NULL;
}

/* EFLAGS bits user space may change (as ptrace's FLAG_MASK). */
#define NT_FLAG_MASK                                                                     \
	(X86_EFLAGS_CF | X86_EFLAGS_PF | X86_EFLAGS_AF | X86_EFLAGS_ZF | X86_EFLAGS_SF | \
	 X86_EFLAGS_TF | X86_EFLAGS_DF | X86_EFLAGS_OF | X86_EFLAGS_RF | X86_EFLAGS_AC)

/*
 * Write NT_PRSTATUS in current's own context. The regset's ->set() refuses segment and base
 * registers of current (WARN_ON_ONCE(task == current) in arch/x86/kernel/ptrace.c), so the
 * general registers go straight to pt_regs and the segment selectors and fs/gs bases must
 * be unchanged (EINVAL otherwise).
 */
static int nt_set_gpr(const struct user_regset *rs, const struct user_regs_struct *nr)
{
	struct pt_regs *regs = task_pt_regs(current);
	struct user_regs_struct cur;
	int ret;

	ret = regset_get(current, rs, sizeof(cur), &cur);
	if (ret < 0)
		return ret;
	if (nr->cs != cur.cs || nr->ss != cur.ss || nr->ds != cur.ds || nr->es != cur.es ||
	    nr->fs != cur.fs || nr->gs != cur.gs || nr->fs_base != cur.fs_base ||
	    nr->gs_base != cur.gs_base)
		return -EINVAL;
	regs->r15 = nr->r15;
	regs->r14 = nr->r14;
	regs->r13 = nr->r13;
	regs->r12 = nr->r12;
	regs->bp = nr->bp;
	regs->bx = nr->bx;
	regs->r11 = nr->r11;
	regs->r10 = nr->r10;
	regs->r9 = nr->r9;
	regs->r8 = nr->r8;
	regs->ax = nr->ax;
	regs->cx = nr->cx;
	regs->dx = nr->dx;
	regs->si = nr->si;
	regs->di = nr->di;
	regs->orig_ax = nr->orig_ax;
	regs->ip = nr->ip;
	regs->sp = nr->sp;
	regs->flags = (regs->flags & ~NT_FLAG_MASK) | (nr->flags & NT_FLAG_MASK);
	return 0;
}

/* Runs in the parked thread itself (current == t->task). */
static void nt_serve(struct nt_thread *t, struct nt_req *req)
{
	const struct user_regset *rs = req->rs;
	unsigned int size;

	if (req->op == NT_REQ_FLUSH_FPU) {
		/*
		 * Save the live FPU registers into current's fpstate and set
		 * TIF_NEED_FPU_LOAD: from now until the return to user mode the memory
		 * copy is authoritative and the debugger may write it.
		 */
		kernel_fpu_begin();
		kernel_fpu_end();
		req->ret = 0;
		return;
	}
	if (!rs) {
		req->ret = -EINVAL;
		return;
	}
	size = rs->n * rs->size;
	switch (req->op) {
	case NT_REQ_GET_REGS:
		if (req->len < size) {
			req->ret = -ENOSPC;
			return;
		}
		req->ret = regset_get(current, rs, size, req->buf);
		if (req->ret >= 0) {
			if (req->regset == NTRACE_REGSET_GPR && t->tf_set)
				((struct user_regs_struct *)req->buf)->flags &= ~X86_EFLAGS_TF;
			req->len = req->ret; /* bytes produced */
			req->ret = 0;
		}
		break;
	case NT_REQ_SET_REGS:
		if (req->len != size || req->regset != NTRACE_REGSET_GPR) {
			req->ret = -EINVAL;
			return;
		}
		req->ret = nt_set_gpr(rs, req->buf);
		break;
	case NT_REQ_FLUSH_FPU:
		break;
	}
}

struct nt_stop_desc {
	u32 reason;
	int signo;
	u64 data[7];
	kernel_siginfo_t info;
	bool has_info;
};

/* Is @sig still pending for current? Copies its siginfo. */
static bool nt_signal_pending_info(int sig, kernel_siginfo_t *info)
{
	struct sigpending *lists[2] = { &current->pending, &current->signal->shared_pending };
	struct sigqueue *q;
	bool found = false;
	int i;

	spin_lock_irq(&current->sighand->siglock);
	for (i = 0; i < 2 && !found; i++) {
		if (!sigismember(&lists[i]->signal, sig))
			continue;
		found = true;
		clear_siginfo(info);
		info->si_signo = sig;
		info->si_code = SI_KERNEL;
		list_for_each_entry(q, &lists[i]->list, list) {
			if (q->info.si_signo == sig) {
				copy_siginfo(info, &q->info);
				break;
			}
		}
	}
	spin_unlock_irq(&current->sighand->siglock);
	return found;
}

/* Take one pending reason; false when nothing is left. nt_lock held. */
static bool nt_next_reason(struct nt_thread *t, struct nt_stop_desc *d)
{
	static const u32 order[] = { NT_P_LAUNCH, NT_P_EXEC, NT_P_NEW_THREAD, NT_P_CLONE,
				     NT_P_BREAKPOINT, NT_P_HWBP, NT_P_WATCH, NT_P_STEP,
				     NT_P_ATTACH, NT_P_REQUESTED };
	static const u32 reasons[] = { NTRACE_STOP_LAUNCH, NTRACE_STOP_EXEC,
				       NTRACE_STOP_NEW_THREAD, NTRACE_STOP_CLONE,
				       NTRACE_STOP_BREAKPOINT, NTRACE_STOP_HW_BREAKPOINT,
				       NTRACE_STOP_WATCH, NTRACE_STOP_STEP, NTRACE_STOP_ATTACH,
				       NTRACE_STOP_REQUESTED };
	unsigned int i;
	int sig;

	memset(d, 0, sizeof(*d));
	for (i = 0; i < ARRAY_SIZE(order); i++) {
		if (!(t->pending & order[i]))
			continue;
		t->pending &= ~order[i];
		d->reason = reasons[i];
		switch (order[i]) {
		case NT_P_EXEC:
			d->data[0] = t->exec_old_tid;
			break;
		case NT_P_CLONE:
			d->data[0] = t->clone_handle;
			d->data[1] = t->clone_tid;
			break;
		case NT_P_BREAKPOINT:
			d->data[0] = t->bp_addr;
			d->signo = SIGTRAP;
			break;
		case NT_P_HWBP:
			d->data[0] = t->hwbp_addr;
			d->signo = SIGTRAP;
			break;
		case NT_P_STEP:
			d->signo = SIGTRAP;
			break;
		case NT_P_WATCH:
			d->data[0] = t->watch_addr;
			d->data[1] = t->watch_kind;
			d->signo = SIGTRAP;
			break;
		}
		/* Any stop satisfies a pending STOP request or attach stop. */
		if (order[i] != NT_P_REQUESTED)
			t->pending &= ~(NT_P_ATTACH | NT_P_REQUESTED);
		return true;
	}
	for (sig = 1; sig < _NSIG; sig++) {
		if (sigismember(&t->pend_sigs, sig)) {
			sigdelset(&t->pend_sigs, sig);
			d->reason = NTRACE_STOP_SIGNAL;
			d->signo = sig;
			return true;
		}
	}
	return false;
}

/* Drop @sig from current's pending signals (the debugger suppressed it). */
static void nt_discard_signal(int sig)
{
	kernel_siginfo_t info;
	enum pid_type type;
	sigset_t mask;

	sigfillset(&mask);
	sigdelset(&mask, sig);
	spin_lock_irq(&current->sighand->siglock);
	dequeue_signal(current, &mask, &info, &type);
	spin_unlock_irq(&current->sighand->siglock);
}

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

static void nt_reinsert_bp(struct nt_thread *t, u64 addr);

/* The vfork parent, back from the vfork: our breakpoints go back in. */
static void nt_rebp_fn(struct callback_head *cb)
{
	struct nt_unbp *u = container_of(cb, struct nt_unbp, work);
	struct nt_thread *t = NULL;
	unsigned long flags;
	u32 i;

	spin_lock_irqsave(&nt_lock, flags);
	if (!(current->flags & PF_EXITING))
		t = nt_find_task(current);
	if (t && t->proc)
		kref_get(&t->ref);
	else
		t = NULL;
	spin_unlock_irqrestore(&nt_lock, flags);
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

static void nt_fork_child(struct task_struct *parent, struct task_struct *child)
{
	struct nt_unbp *u = NULL;
	struct nt_thread *pt;
	unsigned long flags;
	struct nt_bp *bp;
	u32 n = 0;

	if (!child->mm)
		return;
	spin_lock_irqsave(&nt_lock, flags);
	pt = nt_find_task(parent);
	if (pt && pt->proc) {
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
	spin_unlock_irqrestore(&nt_lock, flags);
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
 * Put the int3 back after a step-over, unless the debugger cleared that breakpoint
 * meanwhile. bp_lock orders this write with SET_BP/CLEAR_BP's (which would otherwise save
 * our 0xcc as the original byte) and keeps the breakpoint from being freed.
 */
static void nt_reinsert_bp(struct nt_thread *t, u64 addr)
{
	unsigned long flags;
	struct nt_bp *bp;

	if (mutex_lock_killable(&t->s->bp_lock))
		return; /* dying: the image goes with it */
	spin_lock_irqsave(&nt_lock, flags);
	bp = t->proc ? nt_bp_find(t->proc, addr) : NULL;
	if (bp && bp->removing)
		bp = NULL;
	spin_unlock_irqrestore(&nt_lock, flags);
	if (bp)
		nt_poke_self(addr, 0xcc);
	mutex_unlock(&t->s->bp_lock);
}

/*
 * Resuming at one of our breakpoints steps over it: the original byte goes back, the thread
 * single-steps, and the step trap (NT_P_STEPOVER) re-inserts the int3. Other threads that
 * pass the address meanwhile do not stop there (no displaced stepping).
 */
static bool nt_start_stepover(struct nt_thread *t, struct pt_regs *regs, u32 mode)
{
	unsigned long flags;
	struct nt_bp *bp;
	bool ok = false;
	u8 orig = 0;

	if (mutex_lock_killable(&t->s->bp_lock))
		return false;
	spin_lock_irqsave(&nt_lock, flags);
	bp = t->proc ? nt_bp_find(t->proc, regs->ip) : NULL;
	if (bp && !bp->removing)
		orig = bp->orig;
	else
		bp = NULL;
	spin_unlock_irqrestore(&nt_lock, flags);
	if (bp && !nt_poke_self(regs->ip, orig)) {
		spin_lock_irqsave(&nt_lock, flags);
		if (t->proc) {
			t->stepover = true;
			t->stepover_addr = regs->ip;
			t->stepover_mode = mode;
			t->tf_set = true;
			regs->flags |= X86_EFLAGS_TF;
			ok = true;
		}
		spin_unlock_irqrestore(&nt_lock, flags);
	}
	mutex_unlock(&t->s->bp_lock);
	return ok;
}

/*
 * All-stop (NTRACE_OPT_ALL_STOP). A thread stopping for its own reason takes its process's
 * gate, asks every other thread to stop and waits until each is held: in nt_park, parked,
 * job-stopped or exiting. Its STOP record is then published first; the others, waiting at
 * the gate meanwhile, publish theirs after it. Two threads stopping at once cannot deadlock:
 * each counts the other as held, and the second takes the gate after the first.
 */
static bool nt_others_held(struct nt_thread *t)
{
	struct nt_thread *o;
	unsigned long flags;
	bool held = true;

	spin_lock_irqsave(&nt_lock, flags);
	if (t->proc) {
		list_for_each_entry(o, &t->proc->threads, pnode) {
			if (o == t || o->in_stop || o->stopped || (o->task->flags & PF_EXITING) ||
			    task_is_stopped(o->task))
				continue;
			held = false;
			break;
		}
	}
	spin_unlock_irqrestore(&nt_lock, flags);
	return held;
}

static bool nt_gate_open(struct nt_thread *t)
{
	unsigned long flags;
	bool open;

	spin_lock_irqsave(&nt_lock, flags);
	open = !t->proc || !t->proc->gate || t->proc->gate == t;
	spin_unlock_irqrestore(&nt_lock, flags);
	return open;
}

/* A bound on waiting for the others, for a thread stuck in an uninterruptible sleep. */
#define NT_GATE_TIMEOUT (10 * HZ)

static void nt_gate_enter(struct nt_thread *t, u32 reason)
{
	bool trigger = reason != NTRACE_STOP_REQUESTED && reason != NTRACE_STOP_ATTACH &&
		       reason != NTRACE_STOP_NEW_THREAD;
	struct nt_thread *o;
	unsigned long flags;

	for (;;) {
		spin_lock_irqsave(&nt_lock, flags);
		if (!t->proc || !(t->proc->opts & NTRACE_OPT_ALL_STOP) ||
		    t->proc->gate == t || (!t->proc->gate && !trigger)) {
			spin_unlock_irqrestore(&nt_lock, flags);
			return;
		}
		if (!t->proc->gate) {
			t->proc->gate = t;
			list_for_each_entry(o, &t->proc->threads, pnode)
				if (o != t && !o->in_stop && !o->stopped)
					nt_queue_stop(o, NT_P_REQUESTED, TWA_SIGNAL);
			spin_unlock_irqrestore(&nt_lock, flags);
			wait_event_killable_timeout(nt_gate_wq, nt_others_held(t),
						    NT_GATE_TIMEOUT);
			return; /* nt_park publishes, then opens the gate */
		}
		spin_unlock_irqrestore(&nt_lock, flags);
		wake_up_all(&nt_gate_wq); /* we are held now */
		if (wait_event_killable(nt_gate_wq, nt_gate_open(t)))
			return;
	}
}

/* Give up the gate (nt_lock held); the caller wakes nt_gate_wq. */
static bool nt_gate_leave(struct nt_thread *t)
{
	if (!t->proc || t->proc->gate != t)
		return false;
	t->proc->gate = NULL;
	return true;
}

/*
 * SET_SIGINFO: the signal is still queued (the stop happens before get_signal() dequeues it),
 * so its queued siginfo is rewritten in place; a signal queued without one is re-sent.
 */
static void nt_replace_siginfo(struct nt_thread *t, int sig, kernel_siginfo_t *info)
{
	struct sigpending *lists[2] = { &current->pending, &current->signal->shared_pending };
	unsigned long flags;
	struct sigqueue *q;
	bool done = false;
	int i;

	info->si_signo = sig;
	spin_lock_irq(&current->sighand->siglock);
	for (i = 0; i < 2 && !done; i++) {
		if (!sigismember(&lists[i]->signal, sig))
			continue;
		list_for_each_entry(q, &lists[i]->list, list) {
			if (q->info.si_signo == sig) {
				copy_siginfo(&q->info, info);
				done = true;
				break;
			}
		}
	}
	spin_unlock_irq(&current->sighand->siglock);
	if (done)
		return;
	nt_discard_signal(sig);
	spin_lock_irqsave(&nt_lock, flags);
	t->skip_sig = sig;
	spin_unlock_irqrestore(&nt_lock, flags);
	send_sig_info(sig, info, current);
}

static bool nt_in_range(struct nt_thread *t, u64 pc)
{
	return t->range_step && pc >= t->range_start && pc < t->range_end;
}

/* Publish the stop and park until resumed, detached or killed. */
static void nt_park(struct nt_thread *t, struct nt_stop_desc *d)
{
	struct pt_regs *regs = task_pt_regs(current);
	struct ntrace_ev_stop *ev;
	const struct user_regset *gpr;
	struct nt_rec *r;
	struct nt_req *req;
	kernel_siginfo_t info;
	unsigned long flags;
	bool killed, detached, gate, set_info = false;
	u64 over = 0, stop_ip;
	u32 mode;
	int sig, deliver, ret;

	/* A stop before the step trap ends the step-over; it restarts on the next RESUME. */
	spin_lock_irqsave(&nt_lock, flags);
	if (t->stepover) {
		t->stepover = false;
		over = t->stepover_addr;
	}
	spin_unlock_irqrestore(&nt_lock, flags);
	if (over)
		nt_reinsert_bp(t, over);

	r = nt_rec_alloc(sizeof(*ev) + NTRACE_STOP_REGS_SIZE, NTRACE_EV_STOP, GFP_KERNEL);
	if (!r)
		return; /* cannot report: do not stop silently */
	ev = (struct ntrace_ev_stop *)r->data;

	spin_lock_irqsave(&nt_lock, flags);
	t->in_stop = true;
	spin_unlock_irqrestore(&nt_lock, flags);
	nt_gate_enter(t, d->reason);

	/*
	 * NTRACE_STOPF_REGS: the registers as GET_REGS will return them, read now by the
	 * thread itself (only the die notifier, on this thread, changes them meanwhile).
	 */
	gpr = nt_find_regset(NTRACE_REGSET_GPR);
	if (gpr && gpr->n * gpr->size == NTRACE_STOP_REGS_SIZE &&
	    regset_get(current, gpr, NTRACE_STOP_REGS_SIZE, ev + 1) == NTRACE_STOP_REGS_SIZE)
		ev->hdr.flags |= NTRACE_STOPF_REGS;
	spin_lock_irqsave(&nt_lock, flags);
	if (!t->proc || fatal_signal_pending(current)) {
		t->in_stop = false;
		gate = nt_gate_leave(t);
		spin_unlock_irqrestore(&nt_lock, flags);
		if (gate)
			wake_up_all(&nt_gate_wq);
		kfree(r);
		return;
	}
	if (t->tf_set) {
		/* A pending step ends with any stop; hide our TF. */
		regs->flags &= ~X86_EFLAGS_TF;
		((struct user_regs_struct *)(ev + 1))->flags &= ~X86_EFLAGS_TF;
		t->tf_set = false;
	}
	if (!(ev->hdr.flags & NTRACE_STOPF_REGS)) {
		/* No registers to carry: a plain record. */
		r->len = sizeof(*ev);
		ev->hdr.len = r->len;
	}
	t->range_step = false;
	t->siginfo_set = false;
	t->stop_id = atomic64_inc_return(&nt_stop_ids);
	t->stopped = true;
	t->resume = false;
	t->stop_signo = d->reason == NTRACE_STOP_SIGNAL ? d->signo : 0;
	if (d->has_info)
		copy_siginfo(&t->stop_info, &d->info);
	nt_fill_thread(t->proc->s, t, &ev->thread);
	ev->stop_id = t->stop_id;
	ev->reason = d->reason;
	ev->signo = d->signo;
	ev->pc = regs->ip;
	ev->sp = regs->sp;
	memcpy(ev->data, d->data, sizeof(ev->data));
	if (d->has_info)
		memcpy(ev->siginfo, &d->info, sizeof(d->info));
	nt_emit(t->proc->s, r);
	gate = nt_gate_leave(t);
	spin_unlock_irqrestore(&nt_lock, flags);
	if (gate)
		wake_up_all(&nt_gate_wq);

	stop_ip = regs->ip;
	for (;;) {
		ret = wait_event_state(t->wq,
				       READ_ONCE(t->resume) || READ_ONCE(t->req) ||
					       !READ_ONCE(t->proc),
				       (TASK_KILLABLE | TASK_FREEZABLE));
		spin_lock_irqsave(&nt_lock, flags);
		killed = ret || fatal_signal_pending(current);
		detached = !t->proc;
		req = t->req;
		t->req = NULL;
		if (killed || detached || t->resume) {
			t->stopped = false;
			t->in_stop = false;
			t->resume = false;
			mode = t->resume_mode;
			sig = t->resume_sig;
			/*
			 * ptrace_signal()'s rule: the siginfo SET_SIGINFO wrote goes with the
			 * signal delivered only when its si_signo is that signal.
			 */
			deliver = sig == NTRACE_SIG_PASS ? d->signo : sig;
			set_info = t->siginfo_set && d->reason == NTRACE_STOP_SIGNAL &&
				   deliver > 0 && t->stop_info.si_signo == deliver;
			if (set_info)
				copy_siginfo(&info, &t->stop_info);
			spin_unlock_irqrestore(&nt_lock, flags);
			if (req) {
				req->ret = -ESRCH;
				complete(&req->done);
			}
			break;
		}
		spin_unlock_irqrestore(&nt_lock, flags);
		if (req) {
			nt_serve(t, req);
			complete(&req->done);
		}
	}
	if (killed || detached)
		return;

	/*
	 * A step-over only for a thread still where it stopped, as gdbserver: a pc the client
	 * moved onto a breakpoint (gdb's `jump`, a skipped permanent int3) hits it at once.
	 */
	if (!(regs->ip == stop_ip && nt_start_stepover(t, regs, mode)) &&
	    (mode == NTRACE_RESUME_STEP || mode == NTRACE_RESUME_RANGE_STEP)) {
		spin_lock_irqsave(&nt_lock, flags);
		if (t->proc) { /* never leave TF behind for a detached thread */
			t->tf_set = true;
			regs->flags |= X86_EFLAGS_TF;
		}
		spin_unlock_irqrestore(&nt_lock, flags);
	}
	if (d->reason == NTRACE_STOP_SIGNAL && sig != NTRACE_SIG_PASS && sig != d->signo)
		nt_discard_signal(d->signo);
	if (set_info && deliver == d->signo)
		nt_replace_siginfo(t, d->signo, &info);
	if (sig > 0 && sig != d->signo) {
		spin_lock_irqsave(&nt_lock, flags);
		t->skip_sig = sig;
		spin_unlock_irqrestore(&nt_lock, flags);
		send_sig_info(sig, set_info ? &info : SEND_SIG_PRIV, current);
	}
}

/* Serve every pending stop reason, one park each. */
static void nt_stop_loop(struct nt_thread *t)
{
	struct nt_stop_desc d;
	unsigned long flags;
	u32 over_mode;
	bool more;
	u64 over;

	for (;;) {
		if (fatal_signal_pending(current))
			return;
		over = 0;
		over_mode = 0;
		spin_lock_irqsave(&nt_lock, flags);
		if (t->pending & NT_P_STEPOVER) {
			t->pending &= ~NT_P_STEPOVER;
			over = t->stepover_addr;
			over_mode = t->stepover_mode;
		}
		spin_unlock_irqrestore(&nt_lock, flags);
		if (over) {
			struct pt_regs *regs = task_pt_regs(current);

			nt_reinsert_bp(t, over);
			spin_lock_irqsave(&nt_lock, flags);
			if (t->proc && over_mode == NTRACE_RESUME_RANGE_STEP &&
			    nt_in_range(t, regs->ip) && !t->pending) {
				/* Still inside the range: keep stepping, no stop. */
				t->tf_set = true;
				regs->flags |= X86_EFLAGS_TF;
			} else if (t->proc && over_mode != NTRACE_RESUME_CONT) {
				t->pending |= NT_P_STEP;
			}
			spin_unlock_irqrestore(&nt_lock, flags);
		}
		spin_lock_irqsave(&nt_lock, flags);
		more = t->proc && nt_next_reason(t, &d);
		spin_unlock_irqrestore(&nt_lock, flags);
		if (!more)
			return;
		if (d.reason == NTRACE_STOP_SIGNAL) {
			if (!nt_signal_pending_info(d.signo, &d.info))
				continue; /* another thread took a group signal */
			d.has_info = true;
		}
		if (d.reason == NTRACE_STOP_WATCH && d.data[1] == NTRACE_BP_READ &&
		    nt_hw_read_changed(t, d.data[0]))
			continue; /* a write, not a read */
		nt_park(t, &d);
	}
}

static void nt_work_fn(struct callback_head *cb)
{
	struct nt_thread *t = container_of(cb, struct nt_thread, work);

	atomic_set(&t->work_queued, 0);
	/* exit_task_work() runs leftovers: an exiting thread must not park. */
	if (!(current->flags & PF_EXITING))
		nt_stop_loop(t);
	nt_thread_put(t);
	/* The few instructions after this put still run module text: see nt_exit(). */
	module_put(THIS_MODULE);
}

/* Debugger side: run @req in the parked thread and wait for it. */
int nt_thread_call(struct nt_thread *t, u64 stop_id, struct nt_req *req)
{
	unsigned long flags;

	init_completion(&req->done);
	spin_lock_irqsave(&nt_lock, flags);
	if (!t->proc) {
		spin_unlock_irqrestore(&nt_lock, flags);
		return -ESRCH;
	}
	if (!t->stopped || (stop_id && stop_id != t->stop_id)) {
		spin_unlock_irqrestore(&nt_lock, flags);
		return stop_id ? -ESTALE : -EBUSY;
	}
	t->req = req;
	wake_up(&t->wq);
	spin_unlock_irqrestore(&nt_lock, flags);
	/*
	 * The thread serves or fails the request before it can leave the stop. A fatal signal
	 * to the debugger (e.g. the target frozen by a cgroup) withdraws a request not yet
	 * picked up; one being served is short and waited for, since it lives on our stack.
	 */
	if (wait_for_completion_killable(&req->done)) {
		bool withdrawn;

		spin_lock_irqsave(&nt_lock, flags);
		withdrawn = t->req == req;
		if (withdrawn)
			t->req = NULL;
		spin_unlock_irqrestore(&nt_lock, flags);
		if (withdrawn)
			return -EINTR;
		wait_for_completion(&req->done);
	}
	return req->ret;
}

/*
 * FPR/XSTATE writes: the regset's ->set() may not run on current (fpu_force_restore warns),
 * so the parked thread first flushes its FPU registers to memory (TIF_NEED_FPU_LOAD), then
 * the debugger writes that memory. The thread cannot leave the stop without our RESUME,
 * which cmd_lock excludes, except to die.
 */
int nt_set_fpu(struct nt_thread *t, u64 stop_id, const struct user_regset *rs, const void *buf,
	       u32 len)
{
	struct nt_req req = { .op = NT_REQ_FLUSH_FPU };
	unsigned long flags;
	bool stopped;
	int ret;

	if (len != rs->n * rs->size || !rs->set)
		return -EINVAL;
	ret = nt_thread_call(t, stop_id, &req);
	if (ret)
		return ret;
	spin_lock_irqsave(&nt_lock, flags);
	stopped = t->proc && t->stopped;
	spin_unlock_irqrestore(&nt_lock, flags);
	if (!stopped)
		return -ESRCH;
	return rs->set(t->task, rs, 0, len, buf, NULL);
}

int nt_thread_resume(struct nt_thread *t, const struct ntrace_cmd_resume *c)
{
	if (!t->stopped || (c->stop_id && c->stop_id != t->stop_id))
		return c->stop_id ? -ESTALE : -EBUSY;
	t->resume_mode = c->mode;
	t->resume_sig = c->sig;
	t->range_step = c->mode == NTRACE_RESUME_RANGE_STEP;
	t->range_start = c->range_start;
	t->range_end = c->range_end;
	t->resume = true;
	t->stopped = false;
	t->in_stop = false; /* no longer held: an all-stop from now on must stop it again */
	wake_up(&t->wq);
	return 0;
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
}

void nt_bp_free_all(struct nt_proc *proc)
{
	struct nt_bp *bp, *tmp;

	rbtree_postorder_for_each_entry_safe(bp, tmp, &proc->bps, rb)
		kfree(bp);
	proc->bps = RB_ROOT;
	proc->nbps = 0;
}

/* ---------------------------------------------------------------- tracepoint probes */

static void nt_report_thread(struct nt_session *s, struct nt_thread *t, u16 type, s64 data)
{
	struct nt_rec *r = nt_rec_alloc(sizeof(struct ntrace_ev_thread), type, GFP_ATOMIC);
	struct ntrace_ev_thread *ev;

	if (!r)
		return;
	ev = (struct ntrace_ev_thread *)r->data;
	nt_fill_thread(s, t, &ev->thread);
	ev->data = data;
	nt_emit(s, r);
}

static void nt_probe_fork(void *data, struct task_struct *parent, struct task_struct *child)
{
	struct nt_thread *pt, *ct;
	struct nt_proc *proc;
	unsigned long flags;

	if (!atomic_read(&nt_nthreads))
		return;
	if (child->tgid != parent->tgid) {
		nt_fork_child(parent, child); /* no fork following */
		return;
	}
	spin_lock_irqsave(&nt_lock, flags);
	pt = nt_find_task(parent);
	if (!pt || !pt->proc)
		goto out;
	proc = pt->proc;
	ct = nt_thread_new(proc, child, GFP_ATOMIC);
	if (!ct)
		goto out;
	nt_thread_link(ct);
	if (proc->events & NTRACE_EVENT_THREAD_REPORT)
		nt_report_thread(proc->s, ct, NTRACE_EV_THREAD_NEW, pt->handle);
	if (proc->events & NTRACE_EVENT_CLONE) {
		pt->clone_handle = ct->handle;
		pt->clone_tid = __task_pid_nr_ns(child, PIDTYPE_PID, proc->s->pidns);
		nt_queue_stop(pt, NT_P_CLONE, TWA_RESUME);
		nt_queue_stop(ct, NT_P_NEW_THREAD, TWA_RESUME);
	}
out:
	spin_unlock_irqrestore(&nt_lock, flags);
}

static void nt_emit_detached(struct nt_session *s, pid_t pid, u32 reason)
{
	struct nt_rec *r = nt_rec_alloc(sizeof(struct ntrace_ev_detached), NTRACE_EV_DETACHED,
					GFP_ATOMIC);
	struct ntrace_ev_detached *ev;

	if (!r)
		return;
	ev = (struct ntrace_ev_detached *)r->data;
	ev->pid = pid;
	ev->reason = reason;
	nt_emit(s, r);
}

static void nt_probe_exec(void *data, struct task_struct *p, pid_t old_pid,
			  struct linux_binprm *bprm)
{
	struct nt_thread *t, *tmp;
	struct nt_proc *proc;
	unsigned long flags;

	if (!atomic_read(&nt_nthreads))
		return;
	spin_lock_irqsave(&nt_lock, flags);
	t = nt_find_task(p);
	if (!t || !t->proc)
		goto out;
	proc = t->proc;
	/* start_thread() reset EFLAGS: no step survives an exec. */
	t->tf_set = false;
	t->stepover = false;
	/* The old image's breakpoints went with the old mm. */
	nt_bp_free_all(proc);
	if (bprm->secureexec || get_dumpable(p->mm) != SUID_DUMP_USER) {
		/* Gained privilege (setuid, caps) or became undumpable: revoke (Solaris rule). */
		list_for_each_entry_safe(t, tmp, &proc->threads, pnode)
			nt_detach_thread(t);
		proc->exited = true;
		nt_emit_detached(proc->s, proc->vpid, NTRACE_DETACHED_PRIVILEGE);
		goto out;
	}
	proc->mm = p->mm;
	/* old_pid is global: the former tid as the session's pid namespace knew it. */
	t->exec_old_tid = t->vtid;
	t->vtid = __task_pid_nr_ns(p, PIDTYPE_PID, proc->s->pidns);
	if (proc->stop_at_exec) {
		proc->stop_at_exec = false;
		nt_queue_stop(t, NT_P_LAUNCH, TWA_RESUME);
	} else if (proc->events & NTRACE_EVENT_EXEC) {
		nt_queue_stop(t, NT_P_EXEC, TWA_RESUME);
	}
out:
	spin_unlock_irqrestore(&nt_lock, flags);
}

static void nt_probe_exit(void *data, struct task_struct *p)
{
	struct signal_struct *sig = p->signal;
	struct ntrace_ev_proc_exit *ev;
	struct nt_session *s;
	struct nt_proc *proc;
	struct nt_thread *t;
	unsigned long flags;
	struct nt_rec *r;

	if (!atomic_read(&nt_nthreads))
		return;
	spin_lock_irqsave(&nt_lock, flags);
	t = nt_find_task(p);
	if (t && t->orphan) {
		nt_orphan_done(t);
		goto out;
	}
	if (!t || !t->proc)
		goto out;
	proc = t->proc;
	s = proc->s;
	/* The leader is the process: its end is PROC_EXIT, as in the userspace provider. */
	if ((proc->events & NTRACE_EVENT_THREAD_REPORT) && !thread_group_leader(p))
		nt_report_thread(s, t, NTRACE_EV_THREAD_EXIT, p->exit_code);
	if (!atomic_read(&sig->live) && !proc->exited) {
		proc->exited = true;
		r = nt_rec_alloc(sizeof(*ev), NTRACE_EV_PROC_EXIT, GFP_ATOMIC);
		if (r) {
			ev = (struct ntrace_ev_proc_exit *)r->data;
			nt_fill_thread(s, t, &ev->thread);
			nt_emit_exit(s, r, p->group_leader); /* it fills the wait status */
		}
	}
	nt_thread_unlink(t);
out:
	spin_unlock_irqrestore(&nt_lock, flags);
}

static void nt_probe_signal(void *data, int sig, struct kernel_siginfo *info,
			    struct task_struct *task, int group, int result)
{
	struct nt_thread *t;
	unsigned long flags;

	if (!atomic_read(&nt_nthreads) || sig == SIGKILL ||
	    (result != NT_TRACE_SIGNAL_DELIVERED && result != NT_TRACE_SIGNAL_LOSE_INFO))
		return;
	spin_lock_irqsave(&nt_lock, flags);
	t = nt_find_task(task);
	if (!t || !t->proc)
		goto out;
	if (t->skip_sig == sig) {
		t->skip_sig = 0;
		goto out;
	}
	if (!(t->proc->stop_sigs & BIT_ULL(sig - 1)))
		goto out;
	sigaddset(&t->pend_sigs, sig);
	nt_queue_work(t, TWA_SIGNAL);
out:
	spin_unlock_irqrestore(&nt_lock, flags);
}

/*
 * A signal delivered without a stop (not in stop_signals) while we single-step: the frame
 * the kernel builds next saves EFLAGS with our TF, and the handler's sigreturn would restore
 * it when nobody steps any more (a stray SIGTRAP). TF comes out of the registers before the
 * frame is built and the step ends at the handler's first instruction, as PTRACE_SINGLESTEP
 * does; a step-over puts its int3 back first (the instruction under it has not run, so the
 * thread meets the breakpoint again after the handler). Runs under the siglock.
 */
static void nt_probe_signal_deliver(void *data, int sig, struct kernel_siginfo *info,
				    struct k_sigaction *ka)
{
	struct pt_regs *regs = task_pt_regs(current);
	struct nt_thread *t;
	unsigned long flags;

	if (!atomic_read(&nt_nthreads) || ka->sa.sa_handler == SIG_IGN ||
	    ka->sa.sa_handler == SIG_DFL || !(regs->flags & X86_EFLAGS_TF))
		return;
	spin_lock_irqsave(&nt_lock, flags);
	t = nt_find_task(current);
	if (t && t->orphan) {
		regs->flags &= ~X86_EFLAGS_TF;
		nt_orphan_done(t);
	} else if (t && t->proc && t->tf_set) {
		regs->flags &= ~X86_EFLAGS_TF;
		t->tf_set = false;
		t->range_step = false;
		if (t->stepover) {
			t->stepover = false;
			if (t->stepover_mode == NTRACE_RESUME_RANGE_STEP)
				t->stepover_mode = NTRACE_RESUME_STEP;
			nt_queue_stop(t, NT_P_STEPOVER, TWA_RESUME);
		} else {
			nt_queue_stop(t, NT_P_STEP, TWA_RESUME);
		}
	}
	spin_unlock_irqrestore(&nt_lock, flags);
}

/*
 * SYSCALL clears TF and the IRET back to user mode restores it, so a step over a `syscall`
 * instruction would trap one instruction late: end the step here, on the way out.
 */
static void nt_probe_sys_exit(void *data, struct pt_regs *regs, long ret)
{
	struct nt_thread *t;
	unsigned long flags;

	if (!atomic_read(&nt_nthreads) || !(regs->flags & X86_EFLAGS_TF))
		return;
	spin_lock_irqsave(&nt_lock, flags);
	t = nt_find_task(current);
	if (t && t->orphan) {
		regs->flags &= ~X86_EFLAGS_TF;
		nt_orphan_done(t);
	} else if (t && t->proc && t->tf_set && !t->stepover && nt_in_range(t, regs->ip)) {
		/*
		 * Range step: the instruction after the syscall is in the range, so the trap
		 * arriving one instruction late is the next step anyway.
		 */
	} else if (t && t->proc && t->tf_set) {
		t->tf_set = false;
		regs->flags &= ~X86_EFLAGS_TF;
		if (t->stepover) {
			t->stepover = false;
			nt_queue_stop(t, NT_P_STEPOVER, TWA_RESUME);
		} else {
			nt_queue_stop(t, NT_P_STEP, TWA_RESUME);
		}
	}
	spin_unlock_irqrestore(&nt_lock, flags);
}

/*
 * sys_exit sets syscall work on every task of the machine while registered (every syscall
 * takes the slow path), so it is registered only while some session needs it: from its first
 * step or software breakpoint until it closes. sys_exit_users (read-only parameter) counts
 * those sessions.
 */
static DEFINE_MUTEX(nt_sys_exit_lock);
static struct tracepoint *nt_sys_exit_tp;
static int nt_sys_exit_users;
module_param_named(sys_exit_users, nt_sys_exit_users, int, 0444);
MODULE_PARM_DESC(sys_exit_users, "sessions holding the sys_exit tracepoint (syscall slow path)");

/* cmd_lock held. */
int nt_want_sys_exit(struct nt_session *s)
{
	int ret = 0;

	if (s->sys_exit)
		return 0;
	mutex_lock(&nt_sys_exit_lock);
	if (!nt_sys_exit_users)
		ret = tracepoint_probe_register(nt_sys_exit_tp, nt_probe_sys_exit, NULL);
	if (!ret) {
		WRITE_ONCE(nt_sys_exit_users, nt_sys_exit_users + 1);
		s->sys_exit = true;
	}
	mutex_unlock(&nt_sys_exit_lock);
	return ret;
}

/* The session is closing: its threads are detached already. */
void nt_drop_sys_exit(struct nt_session *s)
{
	if (!s->sys_exit)
		return;
	s->sys_exit = false;
	mutex_lock(&nt_sys_exit_lock);
	WRITE_ONCE(nt_sys_exit_users, nt_sys_exit_users - 1);
	if (!nt_sys_exit_users) {
		tracepoint_probe_unregister(nt_sys_exit_tp, nt_probe_sys_exit, NULL);
		tracepoint_synchronize_unregister();
	}
	mutex_unlock(&nt_sys_exit_lock);
}

/* ---------------------------------------------------------------- die notifier */

static int nt_die(struct notifier_block *nb, unsigned long val, void *ptr)
{
	struct die_args *args = ptr;
	struct pt_regs *regs = args->regs;
	int ret = NOTIFY_DONE;
	struct nt_thread *t;
	unsigned long flags;

	if ((val != DIE_INT3 && val != DIE_DEBUG) || !regs || !user_mode(regs) ||
	    !atomic_read(&nt_nthreads))
		return NOTIFY_DONE;
	spin_lock_irqsave(&nt_lock, flags);
	t = nt_find_task(current);
	if (t && t->orphan && val == DIE_DEBUG && (*(unsigned long *)args->err & DR_STEP)) {
		/* The step of a thread detached mid-step: swallow it, forget the thread. */
		regs->flags &= ~X86_EFLAGS_TF;
		*(unsigned long *)args->err &= ~DR_STEP;
		nt_orphan_done(t);
		ret = (*(unsigned long *)args->err & DR_TRAP_BITS) ? NOTIFY_DONE : NOTIFY_STOP;
		goto out;
	}
	if (!t || !t->proc)
		goto out;
	if (val == DIE_INT3) {
		struct nt_bp *bp = nt_bp_find(t->proc, regs->ip - 1);

		/* Claim only our own int3 in our own threads; others fall through to SIGTRAP. */
		if (!bp)
			goto out;
		regs->ip -= 1;
		if (bp->removing) {
			/* CLEAR_BP is putting the byte back: run the instruction again. */
			ret = NOTIFY_STOP;
			goto out;
		}
		t->bp_addr = regs->ip;
		nt_queue_stop(t, NT_P_BREAKPOINT, TWA_RESUME);
		ret = NOTIFY_STOP;
	} else {
		unsigned long *dr6 = (unsigned long *)args->err;

		if (!t->tf_set || !(*dr6 & DR_STEP))
			goto out;
		*dr6 &= ~DR_STEP;
		if (!t->stepover && !t->pending && nt_in_range(t, regs->ip)) {
			/* Range step: still inside, keep TF and go on without a stop. */
			if (!(*dr6 & DR_TRAP_BITS))
				ret = NOTIFY_STOP;
			goto out;
		}
		t->tf_set = false;
		regs->flags &= ~X86_EFLAGS_TF;
		if (t->stepover) {
			t->stepover = false;
			nt_queue_stop(t, NT_P_STEPOVER, TWA_RESUME);
		} else {
			nt_queue_stop(t, NT_P_STEP, TWA_RESUME);
		}
		if (!(*dr6 & DR_TRAP_BITS))
			ret = NOTIFY_STOP;
	}
out:
	spin_unlock_irqrestore(&nt_lock, flags);
	return ret;
}

static struct notifier_block nt_die_nb = {
	.notifier_call = nt_die,
	.priority = INT_MAX, /* before uprobes (INT_MAX - 1), which claims all int3 it owns */
};

/* ---------------------------------------------------------------- registration */

static struct nt_tp {
	const char *name;
	void *probe;
	struct tracepoint *tp;
} nt_tps[] = {
	{ "sched_process_fork", nt_probe_fork },
	{ "sched_process_exec", nt_probe_exec },
	{ "sched_process_exit", nt_probe_exit },
	{ "signal_generate", nt_probe_signal },
	{ "signal_deliver", nt_probe_signal_deliver },
};

static void nt_tp_lookup(struct tracepoint *tp, void *priv)
{
	unsigned int i;

	if (!strcmp(tp->name, "sys_exit"))
		nt_sys_exit_tp = tp;
	for (i = 0; i < ARRAY_SIZE(nt_tps); i++)
		if (!strcmp(tp->name, nt_tps[i].name))
			nt_tps[i].tp = tp;
}

static void nt_tp_unregister(unsigned int n)
{
	while (n--)
		tracepoint_probe_unregister(nt_tps[n].tp, nt_tps[n].probe, NULL);
	tracepoint_synchronize_unregister();
}

int nt_hooks_init(void)
{
	unsigned int i;
	int ret;

	nt_view = task_user_regset_view(current);
	if (nt_view->e_machine != EM_X86_64) {
		pr_err("load from a 64-bit process\n");
		return -ENOEXEC;
	}

	for_each_kernel_tracepoint(nt_tp_lookup, NULL);
	if (!nt_sys_exit_tp) {
		pr_err("tracepoint sys_exit not found\n");
		return -ENOENT;
	}
	for (i = 0; i < ARRAY_SIZE(nt_tps); i++) {
		if (!nt_tps[i].tp) {
			pr_err("tracepoint %s not found\n", nt_tps[i].name);
			nt_tp_unregister(i);
			return -ENOENT;
		}
		ret = tracepoint_probe_register(nt_tps[i].tp, nt_tps[i].probe, NULL);
		if (ret) {
			nt_tp_unregister(i);
			return ret;
		}
	}
	ret = register_die_notifier(&nt_die_nb);
	if (ret)
		nt_tp_unregister(ARRAY_SIZE(nt_tps));
	return ret;
}

void nt_hooks_exit(void)
{
	unregister_die_notifier(&nt_die_nb);
	nt_tp_unregister(ARRAY_SIZE(nt_tps));
}
