// SPDX-License-Identifier: GPL-2.0-only
/*
 * ntrace: a thread's stops, in its own context. The task_work (nt_work_fn) takes the pending
 * reasons one by one; for each, nt_park publishes a STOP record (with the registers it reads
 * itself) and parks in a killable wait: SIGKILL always ends the stop. While parked the thread
 * serves register requests itself (no wait_task_inactive, no FPU "still on CPU" hazard) and,
 * on RESUME, applies the step flag and the signal disposition before it returns towards user
 * mode. The all-stop gate is in ntrace_allstop.c, breakpoint step-overs in ntrace_bp.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/elf.h>
#include <linux/module.h>
#include <linux/ptrace.h>
#include <linux/regset.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/sched/task_stack.h>
#include <linux/signal_types.h>
#include <linux/slab.h>
#include <linux/task_work.h>
#include <asm/fpu/api.h>

#include "ntrace_internal.h"

static atomic64_t nt_stop_ids = ATOMIC64_INIT(0);

/* Stop ids are global and never reused. */
u64 nt_new_stop_id(void)
{
	return atomic64_inc_return(&nt_stop_ids);
}

/*
 * The x86-64 regsets, for every target: a thread in 32-bit mode (an ia32 process, or a far
 * jump) has registers in the 64-bit layout too, as ptrace gives a 64-bit debugger. The view of
 * a task follows its current code segment, so it is taken once, from insmod, at load.
 */
static const struct user_regset_view *nt_view;

/* At load, in insmod's context. */
int nt_regset_init(void)
{
	nt_view = task_user_regset_view(current);
	if (nt_view->e_machine != EM_X86_64) {
		pr_err("load from a 64-bit process\n");
		return -ENOEXEC;
	}
	return 0;
}

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
	bool published; /* by the fork hook (ntrace_fork.c): only the parking is left */
};

static void nt_sigpending_splice(struct sigpending *from, struct sigpending *to)
{
	list_splice_tail_init(&from->list, &to->list);
	sigorsets(&to->signal, &to->signal, &from->signal);
	sigemptyset(&from->signal);
}

/*
 * The signals the signal hook held for this thread (nt_signal_hold) go back on its own queue,
 * where its stop finds them and get_signal() dequeues them; process-wide ones of an exiting
 * thread on the shared queue, for the others (they look at their next recalc_sigpending()).
 * current == t->task, its siglock held.
 */
static void nt_signal_unhold(struct nt_thread *t)
{
	struct sigpending *group = current->flags & PF_EXITING ?
					   &current->signal->shared_pending :
					   &current->pending;
	unsigned long flags;

	if (!t->held_any)
		return;
	spin_lock_irqsave(&t->s->lock, flags);
	nt_sigpending_splice(&t->held, &current->pending);
	nt_sigpending_splice(&t->held_group, group);
	t->held_any = false;
	spin_unlock_irqrestore(&t->s->lock, flags);
	recalc_sigpending();
}

/* Is @sig still pending for current? Copies its siginfo. */
static bool nt_signal_pending_info(struct nt_thread *t, int sig, kernel_siginfo_t *info)
{
	struct sigpending *lists[2] = { &current->pending, &current->signal->shared_pending };
	struct sigqueue *q;
	bool found = false;
	int i;

	spin_lock_irq(&current->sighand->siglock);
	nt_signal_unhold(t);
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

/* Take one pending reason; false when nothing is left. session lock held. */
static bool nt_next_reason(struct nt_thread *t, struct nt_stop_desc *d)
{
	static const u32 order[] = { NT_P_LAUNCH, NT_P_EXEC, NT_P_NEW_THREAD, NT_P_CLONE,
				     NT_P_VFORK_DONE, NT_P_BREAKPOINT, NT_P_HWBP, NT_P_WATCH,
				     NT_P_SYSCALL_EXIT, NT_P_STEP, NT_P_ATTACH, NT_P_REQUESTED };
	static const u32 reasons[] = { NTRACE_STOP_LAUNCH, NTRACE_STOP_EXEC,
				       NTRACE_STOP_NEW_THREAD, NTRACE_STOP_CLONE,
				       NTRACE_STOP_VFORK_DONE,
				       NTRACE_STOP_BREAKPOINT, NTRACE_STOP_HW_BREAKPOINT,
				       NTRACE_STOP_WATCH, NTRACE_STOP_SYSCALL_EXIT,
				       NTRACE_STOP_STEP, NTRACE_STOP_ATTACH, NTRACE_STOP_REQUESTED };
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
		case NT_P_VFORK_DONE:
			d->signo = SIGTRAP;
			break;
		case NT_P_SYSCALL_EXIT:
			d->data[0] = t->sc_nr;
			d->data[1] = t->sc_ret;
			d->signo = SIGTRAP; /* as the userspace provider's */
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
	spin_lock_irqsave(&t->s->lock, flags);
	t->skip_sig = sig;
	spin_unlock_irqrestore(&t->s->lock, flags);
	send_sig_info(sig, info, current);
}

/* A signal pending for current, unblocked, other than @except and SIGKILL; 0 if none. */
static int nt_pending_signal(int except)
{
	sigset_t set;
	int sig;

	spin_lock_irq(&current->sighand->siglock);
	sigorsets(&set, &current->pending.signal, &current->signal->shared_pending.signal);
	sigandnsets(&set, &set, &current->blocked);
	spin_unlock_irq(&current->sighand->siglock);
	for (sig = 1; sig < _NSIG; sig++)
		if (sig != except && sig != SIGKILL && sigismember(&set, sig))
			return sig;
	return 0;
}

bool nt_in_range(struct nt_thread *t, u64 pc)
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
	bool killed, detached, gate, at_bp, set_info = false;
	u64 over = 0, stop_ip;
	u32 mode;
	int sig, deliver, ret;

	/* A stop before the step trap ends the step-over; it restarts on the next RESUME. */
	spin_lock_irqsave(&t->s->lock, flags);
	if (t->stepover) {
		t->stepover = false;
		over = t->stepover_addr;
	}
	spin_unlock_irqrestore(&t->s->lock, flags);
	if (over)
		nt_reinsert_bp(t, over);
	if (d->published)
		goto wait; /* by the fork hook, stop state and all (ntrace_fork.c) */

	r = nt_rec_alloc(sizeof(*ev) + NTRACE_STOP_REGS_SIZE, NTRACE_EV_STOP, GFP_KERNEL);
	if (!r)
		return; /* cannot report: do not stop silently */
	ev = (struct ntrace_ev_stop *)r->data;

	spin_lock_irqsave(&t->s->lock, flags);
	t->in_stop = true;
	spin_unlock_irqrestore(&t->s->lock, flags);
	nt_gate_enter(t, d->reason);

	/*
	 * NTRACE_STOPF_REGS: the registers as GET_REGS will return them, read now by the
	 * thread itself (only the die notifier, on this thread, changes them meanwhile).
	 */
	gpr = nt_find_regset(NTRACE_REGSET_GPR);
	if (gpr && gpr->n * gpr->size == NTRACE_STOP_REGS_SIZE &&
	    regset_get(current, gpr, NTRACE_STOP_REGS_SIZE, ev + 1) == NTRACE_STOP_REGS_SIZE)
		ev->hdr.flags |= NTRACE_STOPF_REGS;
	spin_lock_irqsave(&t->s->lock, flags);
	if (!t->proc || fatal_signal_pending(current)) {
		t->in_stop = false;
		gate = nt_gate_leave(t);
		spin_unlock_irqrestore(&t->s->lock, flags);
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
	spin_unlock_irqrestore(&t->s->lock, flags);
	if (gate)
		wake_up_all(&nt_gate_wq);

wait:
	stop_ip = regs->ip;
	for (;;) {
		ret = wait_event_state(t->wq,
				       READ_ONCE(t->resume) || READ_ONCE(t->req) ||
					       !READ_ONCE(t->proc),
				       (TASK_KILLABLE | TASK_FREEZABLE));
		spin_lock_irqsave(&t->s->lock, flags);
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
			spin_unlock_irqrestore(&t->s->lock, flags);
			if (req) {
				req->ret = -ESRCH;
				complete(&req->done);
			}
			break;
		}
		spin_unlock_irqrestore(&t->s->lock, flags);
		if (req) {
			nt_serve(t, req);
			complete(&req->done);
		}
	}
	if (killed || detached)
		return;

	/*
	 * A step-over only for a thread still where it stopped, as gdbserver: a pc the client
	 * moved onto a breakpoint (gdb's `jump`, a skipped permanent int3) hits it at once. And
	 * only when that stop was the breakpoint's hit, or cut short a step-over of our own: a
	 * thread stopped there for another reason (a stop request, a step's end) hits it at once,
	 * as with gdbserver, which never steps over a breakpoint gdb expects to hit (gdb puts one
	 * at a stopped thread's pc to catch it there).
	 */
	at_bp = regs->ip == stop_ip && (d->reason == NTRACE_STOP_BREAKPOINT || over == stop_ip);
	if (at_bp && mode == NTRACE_RESUME_CONT && !sig && d->reason == NTRACE_STOP_BREAKPOINT &&
	    nt_emulate_bp(t, regs)) {
		/* Done here, the int3 in place (ntrace_bp.c). */
	} else if (!(at_bp && nt_start_stepover(t, regs, mode)) &&
		   (mode == NTRACE_RESUME_STEP || mode == NTRACE_RESUME_RANGE_STEP)) {
		spin_lock_irqsave(&t->s->lock, flags);
		if (t->proc) { /* never leave TF behind for a detached thread */
			t->tf_set = true;
			regs->flags |= X86_EFLAGS_TF;
		}
		spin_unlock_irqrestore(&t->s->lock, flags);
	}
	if (d->reason == NTRACE_STOP_SIGNAL && sig != NTRACE_SIG_PASS && sig != d->signo)
		nt_discard_signal(d->signo);
	if (set_info && deliver == d->signo)
		nt_replace_siginfo(t, d->signo, &info);
	if (sig > 0 && sig != d->signo) {
		spin_lock_irqsave(&t->s->lock, flags);
		t->skip_sig = sig;
		spin_unlock_irqrestore(&t->s->lock, flags);
		send_sig_info(sig, set_info ? &info : SEND_SIG_PRIV, current);
	}
	/*
	 * A step reports a signal already pending (the signal_generate hook reports those that
	 * come while it steps), stop table or not, before the step's instruction: the stop loop
	 * takes it next, and that stop ends the step or step-over begun above.
	 */
	if (mode == NTRACE_RESUME_STEP || mode == NTRACE_RESUME_RANGE_STEP) {
		int pending = nt_pending_signal(d->reason == NTRACE_STOP_SIGNAL ? deliver : sig);

		if (pending) {
			spin_lock_irqsave(&t->s->lock, flags);
			if (t->proc)
				sigaddset(&t->pend_sigs, pending);
			spin_unlock_irqrestore(&t->s->lock, flags);
		}
	}
}

/* Serve every pending stop reason, one park each. */
static void nt_stop_loop(struct nt_thread *t)
{
	struct nt_stop_desc d;
	unsigned long flags;
	u32 over_mode;
	u64 over, refetch;
	bool more;

	for (;;) {
		if (fatal_signal_pending(current))
			return;
		over = 0;
		over_mode = 0;
		refetch = 0;
		spin_lock_irqsave(&t->s->lock, flags);
		if (t->pending & NT_P_STEPOVER) {
			t->pending &= ~NT_P_STEPOVER;
			over = t->stepover_addr;
			over_mode = t->stepover_mode;
		}
		if (t->pending & NT_P_REFETCH) {
			t->pending &= ~NT_P_REFETCH;
			refetch = t->refetch_addr;
		}
		spin_unlock_irqrestore(&t->s->lock, flags);
		if (refetch)
			nt_refetch_bp(t, refetch);
		if (over) {
			struct pt_regs *regs = task_pt_regs(current);

			nt_reinsert_bp(t, over);
			spin_lock_irqsave(&t->s->lock, flags);
			if (t->proc && over_mode == NTRACE_RESUME_RANGE_STEP &&
			    nt_in_range(t, regs->ip) && !t->pending) {
				/* Still inside the range: keep stepping, no stop. */
				t->tf_set = true;
				regs->flags |= X86_EFLAGS_TF;
			} else if (t->proc && over_mode != NTRACE_RESUME_CONT) {
				t->pending |= NT_P_STEP;
			}
			spin_unlock_irqrestore(&t->s->lock, flags);
		}
		/* Hits nobody needs to hear of (conditions, dprintf, writes under READ) go. */
		nt_filter_hits(t);
		spin_lock_irqsave(&t->s->lock, flags);
		if (t->proc && t->early) {
			/* The FORK/VFORK stop the fork hook published: park in it now. */
			t->early = false;
			t->vfork_wait = false;
			memset(&d, 0, sizeof(d));
			d.reason = t->early_reason;
			d.signo = SIGTRAP;
			d.data[0] = t->fork_handle;
			d.data[1] = t->fork_pid;
			d.published = true;
			more = true;
		} else {
			more = t->proc && nt_next_reason(t, &d);
		}
		spin_unlock_irqrestore(&t->s->lock, flags);
		if (!more)
			return;
		if (d.reason == NTRACE_STOP_SIGNAL) {
			if (!nt_signal_pending_info(t, d.signo, &d.info))
				continue; /* taken: not held (SIGALRM, blocked by all) */
			d.has_info = true;
		}
		nt_park(t, &d);
	}
}

/*
 * Testing only (the guest's unload check): a busy wait this long after a task_work callback's
 * last module_put widens the window that nt_exit()'s synchronize_rcu_tasks() closes, from a
 * few instructions to a time rmmod cannot miss. 0 (the default): nothing. Busy, not asleep: a
 * sleep is a voluntary context switch, which ends synchronize_rcu_tasks()'s wait for the
 * thread; cond_resched() every millisecond is not (an involuntary switch) and lets the CPU run
 * others meanwhile: 2 s of mdelay() at once under a heavy host load once set off an RCU stall
 * report in the guest.
 */
static unsigned int nt_test_put_delay_ms;
module_param_named(test_put_delay_ms, nt_test_put_delay_ms, uint, 0444);
MODULE_PARM_DESC(test_put_delay_ms, "testing only: busy-wait after a task_work's module_put (ms)");

static void nt_test_put_delay(void)
{
	unsigned int ms;

	for (ms = READ_ONCE(nt_test_put_delay_ms); ms; ms--) {
		mdelay(1);
		cond_resched();
	}
}

void nt_work_fn(struct callback_head *cb)
{
	struct nt_thread *t = container_of(cb, struct nt_thread, work);

	/* Pairs with nt_signal_hold()'s smp_mb(): a signal held after this queues us anew. */
	atomic_xchg(&t->work_queued, 0);
	if (READ_ONCE(t->held_any)) {
		spin_lock_irq(&current->sighand->siglock);
		nt_signal_unhold(t);
		spin_unlock_irq(&current->sighand->siglock);
	}
	/* A fork child publishes its parent's held record first (ntrace_fork.c). */
	nt_fork_release_parent(t, !(current->flags & PF_EXITING));
	/* exit_task_work() runs leftovers: an exiting thread must not park. */
	if (!(current->flags & PF_EXITING))
		nt_stop_loop(t);
	nt_thread_put(t);
	/* The few instructions after this put still run module text: see nt_exit(). */
	module_put(THIS_MODULE);
	if (unlikely(nt_test_put_delay_ms))
		nt_test_put_delay();
}

/* Debugger side: run @req in the parked thread and wait for it. */
int nt_thread_call(struct nt_thread *t, u64 stop_id, struct nt_req *req)
{
	unsigned long flags;

	init_completion(&req->done);
	spin_lock_irqsave(&t->s->lock, flags);
	if (!t->proc) {
		spin_unlock_irqrestore(&t->s->lock, flags);
		return -ESRCH;
	}
	if (!t->stopped || (stop_id && stop_id != t->stop_id)) {
		spin_unlock_irqrestore(&t->s->lock, flags);
		return stop_id ? -ESTALE : -EBUSY;
	}
	if (t->vfork_wait) {
		/* In the kernel until its vfork child lets it go: served there. */
		spin_unlock_irqrestore(&t->s->lock, flags);
		return nt_fork_regs(t, req);
	}
	t->req = req;
	wake_up(&t->wq);
	spin_unlock_irqrestore(&t->s->lock, flags);
	/*
	 * The thread serves or fails the request before it can leave the stop. A fatal signal
	 * to the debugger (e.g. the target frozen by a cgroup) withdraws a request not yet
	 * picked up; one being served is short and waited for, since it lives on our stack.
	 */
	if (wait_for_completion_killable(&req->done)) {
		bool withdrawn;

		spin_lock_irqsave(&t->s->lock, flags);
		withdrawn = t->req == req;
		if (withdrawn)
			t->req = NULL;
		spin_unlock_irqrestore(&t->s->lock, flags);
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
	spin_lock_irqsave(&t->s->lock, flags);
	stopped = t->proc && t->stopped;
	spin_unlock_irqrestore(&t->s->lock, flags);
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
