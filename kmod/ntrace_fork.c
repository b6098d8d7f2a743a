// SPDX-License-Identifier: GPL-2.0-only
/*
 * ntrace: following fork and vfork children (NTRACE_EVENT_FORK, NTRACE_EVENT_VFORK) and the
 * vfork parent's VFORK_DONE, as the userspace provider reports them: the parent stops with
 * FORK or VFORK (data: the child's handle and pid), the child is a process of the session
 * with the parent's options and breakpoints, stopped before its first instruction
 * (NEW_THREAD); VFORK_DONE stops the parent once the vfork child has exec'd or exited.
 *
 * The fork hook (sched_process_fork) runs in the parent with preemption off, after the child
 * is complete and before it first runs. There the child's proc is built with atomic
 * allocations and the parent's FORK or VFORK stop is published at once, before the child can
 * publish anything: a vfork parent cannot return to user mode (where the other stops are
 * taken) before its child execs or exits, and a client must hear of the child before the
 * child's own stop. With all-stop and other threads to hold first, the child publishes the
 * parent's record in its first task_work, once they are (nt_fork_release_parent). The parent
 * takes that stop over in its task_work (nt_stop_loop), and
 * serves register requests from then on; while it waits in the kernel for its vfork child,
 * reads are served here instead (vfork_wait) and writes are refused (EBUSY).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/ptrace.h>
#include <linux/rbtree.h>
#include <linux/regset.h>
#include <linux/sched/coredump.h>
#include <linux/sched/signal.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>

#include "ntrace_internal.h"

/* In the fork hook: charged to the forking target's memory cgroup, never sleeping. */
#define NT_FORK_GFP (GFP_ATOMIC | __GFP_ACCOUNT | __GFP_NOWARN)

/* The child's memory is the parent's copy (vfork: the same memory): it holds our int3s. */
static int nt_fork_copy_bps(struct nt_proc *from, struct nt_proc *to)
{
	struct nt_bp *bp, *nb;

	for (bp = nt_bp_first_from(from, 0); bp;
	     bp = rb_entry_safe(rb_next(&bp->rb), struct nt_bp, rb)) {
		nb = kmemdup(bp, sizeof(*bp), NT_FORK_GFP);
		if (!nb)
			return -ENOMEM;
		nb->removing = false;
		if (nb->exprs) {
			nt_exprs_get(nb->exprs);
			to->expr_bytes += nb->exprs->bytes;
		}
		nt_bp_insert(to, nb);
	}
	return 0;
}

/* A proc never listed; session lock held (no perf event registered yet). */
static void nt_fork_proc_free(struct nt_proc *proc)
{
	nt_hw_fork_drop(proc);
	nt_bp_free_all(proc);
	put_pid(proc->pid);
	kfree(proc);
}

/* A new proc for @child with @from's options and breakpoints; not listed yet. */
static struct nt_proc *nt_fork_proc(struct nt_proc *from, struct task_struct *child, pid_t vpid)
{
	struct nt_proc *proc = kzalloc(sizeof(*proc), NT_FORK_GFP);

	if (!proc)
		return NULL;
	proc->s = from->s;
	proc->mm = child->mm;
	proc->pid = get_task_pid(child, PIDTYPE_TGID);
	proc->vpid = vpid;
	/* As the userspace provider: kill on close is inherited, stop at exec is not. */
	proc->attach_flags = from->attach_flags & NTRACE_ATTACH_KILL_ON_CLOSE;
	proc->events = from->events;
	proc->stop_sigs = from->stop_sigs;
	proc->opts = from->opts;
	memcpy(proc->syscalls, from->syscalls, sizeof(proc->syscalls));
	INIT_LIST_HEAD(&proc->threads);
	proc->bps = RB_ROOT;
	INIT_LIST_HEAD(&proc->hws);
	if (nt_fork_copy_bps(from, proc) || nt_hw_fork_copy(from, proc, NT_FORK_GFP)) {
		nt_fork_proc_free(proc);
		return NULL;
	}
	return proc;
}

/*
 * The parent's FORK/VFORK stop, from the hook (current == pt->task): the record and the
 * thread's stop state as nt_park would set them. The thread parks on its way out of the
 * syscall, so the registers are the syscall's return, as GET_REGS reads them there: ax is the
 * child's pid as the parent sees it (kernel_clone's return), not yet in pt_regs. @r has room
 * for the registers. Published at once, or, with all-stop and other threads not held yet,
 * kept in pt->early_rec for the child to publish once they are (nt_fork_release_parent):
 * true then.
 */
static bool nt_fork_publish(struct nt_thread *pt, struct nt_rec *r, u32 reason, bool vfork,
			    struct task_struct *child)
{
	const struct user_regset *gpr = nt_find_regset(NTRACE_REGSET_GPR);
	struct pt_regs *regs = task_pt_regs(current);
	struct nt_proc *proc = pt->proc;
	struct ntrace_ev_stop *ev = (struct ntrace_ev_stop *)r->data;

	if (pt->tf_set) {
		/* A step over the fork syscall ends with this stop, as with any other. */
		regs->flags &= ~X86_EFLAGS_TF;
		pt->tf_set = false;
	}
	memset(&pt->early_regs, 0, sizeof(pt->early_regs));
	if (gpr && gpr->n * gpr->size == NTRACE_STOP_REGS_SIZE &&
	    regset_get(current, gpr, NTRACE_STOP_REGS_SIZE, &pt->early_regs) ==
		    NTRACE_STOP_REGS_SIZE) {
		pt->early_regs.ax = __task_pid_nr_ns(child, PIDTYPE_PID, task_active_pid_ns(current));
		memcpy(ev + 1, &pt->early_regs, NTRACE_STOP_REGS_SIZE);
		ev->hdr.flags |= NTRACE_STOPF_REGS;
	} else {
		r->len = sizeof(*ev);
		ev->hdr.len = r->len;
	}
	pt->range_step = false;
	pt->siginfo_set = false;
	pt->stop_id = nt_new_stop_id();
	pt->stopped = true;
	pt->in_stop = true;
	pt->resume = false;
	pt->stop_signo = 0;
	pt->early = true;
	pt->vfork_wait = vfork;
	pt->early_reason = reason;
	/* Any stop satisfies a pending STOP request or attach stop. */
	pt->pending &= ~(NT_P_ATTACH | NT_P_REQUESTED);
	nt_fill_thread(proc->s, pt, &ev->thread);
	ev->stop_id = pt->stop_id;
	ev->reason = reason;
	ev->signo = SIGTRAP;
	ev->pc = regs->ip;
	ev->sp = regs->sp;
	ev->data[0] = pt->fork_handle;
	ev->data[1] = pt->fork_pid;
	/* The thread takes the stop over on its way back to user mode. */
	nt_queue_work(pt, TWA_RESUME);
	if (!(proc->opts & NTRACE_OPT_ALL_STOP) || nt_others_held_locked(pt)) {
		nt_emit(proc->s, r);
		return false;
	}
	/*
	 * All-stop: the other threads are held before this record goes out, as for any stop.
	 * Nothing here may sleep, nor can the parent wait at the gate (a vfork parent sleeps in
	 * the kernel until its child lets it go): the child does, for the parent.
	 */
	pt->early_rec = r;
	return true;
}

/* Publish @pt's held FORK/VFORK record, if any. session lock held. */
void nt_fork_emit_held(struct nt_thread *pt)
{
	struct nt_rec *r = pt->early_rec;

	if (!r)
		return;
	pt->early_rec = NULL;
	if (pt->proc)
		nt_emit(pt->s, r);
	else
		kfree(r);
}

/*
 * The child's first task_work, before anything of its own (current == ct->task): with the
 * parent's record held (all-stop), pass the parent's gate on its behalf (the others asked to
 * stop and waited for, bounded as any gate), publish the parent's record, open the gate.
 * @wait false (the child is exiting): publish at once.
 */
void nt_fork_release_parent(struct nt_thread *ct, bool wait)
{
	struct nt_thread *pt;
	unsigned long flags;
	u32 reason;
	bool gate;

	if (!READ_ONCE(ct->fork_parent))
		return;
	spin_lock_irqsave(&ct->s->lock, flags);
	pt = ct->fork_parent;
	ct->fork_parent = NULL;
	reason = pt ? pt->early_reason : 0;
	spin_unlock_irqrestore(&ct->s->lock, flags);
	if (!pt)
		return;
	if (wait)
		nt_gate_enter(pt, reason);
	spin_lock_irqsave(&pt->s->lock, flags);
	nt_fork_emit_held(pt);
	gate = nt_gate_leave(pt);
	spin_unlock_irqrestore(&pt->s->lock, flags);
	if (gate)
		wake_up_all(&nt_gate_wq);
	nt_thread_put(pt);
}

/*
 * A child process of @pt (not a thread), in the fork hook: follow it if its event is asked
 * for, within the session's bounds, and only under attach's rule for an image the opener
 * may access (an undumpable parent's child is not followed: nothing here may take the
 * opener's credentials to test CAP_SYS_PTRACE). false: not followed, the caller takes our
 * int3s out of it. session lock held, current == pt->task.
 */
bool nt_fork_follow(struct nt_thread *pt, struct task_struct *child)
{
	struct nt_proc *from = pt->proc;
	struct nt_session *s = from->s;
	bool vfork = child->mm == current->mm;
	struct nt_thread *ct;
	struct nt_proc *proc;
	struct nt_rec *r;
	pid_t vpid;

	if (!(from->events & (vfork ? NTRACE_EVENT_VFORK : NTRACE_EVENT_FORK)) || s->closing ||
	    s->nprocs >= NT_MAX_PROCS || !child->mm || get_dumpable(child->mm) != SUID_DUMP_USER)
		return false;
	vpid = __task_pid_nr_ns(child, PIDTYPE_TGID, s->pidns);
	if (!vpid)
		return false; /* not visible from the opener's pid namespace */
	r = nt_rec_alloc(sizeof(struct ntrace_ev_stop) + NTRACE_STOP_REGS_SIZE, NTRACE_EV_STOP,
			 GFP_ATOMIC | __GFP_NOWARN);
	if (!r)
		return false;
	proc = nt_fork_proc(from, child, vpid);
	ct = proc ? nt_thread_new(proc, child, NT_FORK_GFP) : NULL;
	if (!ct) {
		if (proc)
			nt_fork_proc_free(proc);
		kfree(r);
		return false;
	}
	/* An ATTACH by pid may have taken it between its pid's attachment and this hook. */
	spin_lock(&nt_hash_lock);
	if (nt_find_task(child)) {
		spin_unlock(&nt_hash_lock);
		nt_thread_put(ct);
		nt_fork_proc_free(proc);
		kfree(r);
		return false;
	}
	nt_thread_link_hashed(ct);
	spin_unlock(&nt_hash_lock);
	list_add_tail(&proc->node, &s->newprocs);
	s->nprocs++;
	if (pt->stepover) {
		/* The parent is stepping over one of our int3s: the copy has its byte lifted. */
		ct->stepover_addr = pt->stepover_addr;
		ct->stepover_mode = NTRACE_RESUME_CONT;
		ct->pending |= NT_P_STEPOVER;
	}
	/* The parent's record first: the child's NEW_THREAD cannot be published before it. */
	pt->fork_handle = ct->handle;
	pt->fork_pid = vpid;
	if (nt_fork_publish(pt, r, vfork ? NTRACE_STOP_VFORK : NTRACE_STOP_FORK, vfork, child)) {
		kref_get(&pt->ref);
		ct->fork_parent = pt;
	}
	nt_queue_stop(ct, NT_P_NEW_THREAD, TWA_RESUME);
	return true;
}

/*
 * NTRACE_EVENT_VFORK_DONE, for a followed vfork child or not: the parent's task_work runs
 * when it returns from the vfork, after the child exec'd or exited (an unfollowed child's
 * int3s are back by then: nt_rebp_fn, queued later, runs first). session lock held.
 */
void nt_fork_vfork_done(struct nt_thread *pt, struct task_struct *child)
{
	if (child->mm && child->mm == current->mm && (pt->proc->events & NTRACE_EVENT_VFORK_DONE))
		nt_queue_stop(pt, NT_P_VFORK_DONE, TWA_RESUME);
}

/*
 * A request to a thread whose VFORK stop was published while it waits in the kernel for its
 * child (vfork_wait): it cannot serve requests itself until the child lets it go, which a
 * stopped child never does. Reads come from here: the general registers as the stop recorded
 * them, the FPU state from the task's saved copy (it sleeps; ptrace reads the same memory).
 * Writes: EBUSY.
 */
int nt_fork_regs(struct nt_thread *t, struct nt_req *req)
{
	const struct user_regset *rs = req->rs;
	unsigned long flags;
	u32 size;
	int ret;

	if (req->op != NT_REQ_GET_REGS || !rs)
		return -EBUSY;
	size = rs->n * rs->size;
	if (req->len < size)
		return -ENOSPC;
	if (req->regset == NTRACE_REGSET_GPR) {
		if (size != sizeof(t->early_regs))
			return -EINVAL;
		spin_lock_irqsave(&t->s->lock, flags);
		memcpy(req->buf, &t->early_regs, size);
		spin_unlock_irqrestore(&t->s->lock, flags);
		req->len = size;
		return 0;
	}
	ret = regset_get(t->task, rs, size, req->buf);
	if (ret < 0)
		return ret;
	req->len = ret;
	return 0;
}

/*
 * Children the fork hook followed become the commands' procs, with the parent's
 * debug-register breakpoints (not while closing: they would go at once). cmd_lock held.
 */
void nt_adopt_procs(struct nt_session *s)
{
	struct nt_proc *proc;
	unsigned long flags;
	bool closing;
	LIST_HEAD(adopt);

	spin_lock_irqsave(&s->lock, flags);
	list_splice_tail_init(&s->newprocs, &adopt);
	closing = s->closing;
	spin_unlock_irqrestore(&s->lock, flags);
	if (list_empty(&adopt))
		return;
	if (!closing)
		list_for_each_entry(proc, &adopt, node)
			nt_hw_fork_adopt(proc);
	spin_lock_irqsave(&s->lock, flags);
	list_splice_tail_init(&adopt, &s->procs);
	spin_unlock_irqrestore(&s->lock, flags);
}
