// SPDX-License-Identifier: GPL-2.0-only
/*
 * ntrace: the kernel hooks that produce stops and reports. sched_process_fork/exec/exit,
 * signal_generate and signal_deliver tracepoints (found by name with
 * for_each_kernel_tracepoint, since their __tracepoint_* symbols are not exported), sys_exit
 * while a session needs it, and a die notifier for int3 (our breakpoints) and #DB
 * single-steps (our TF).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/binfmts.h>
#include <linux/delay.h>
#include <linux/kdebug.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/notifier.h>
#include <linux/ptrace.h>
#include <linux/sched/coredump.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/sched/task_stack.h>
#include <linux/signal_types.h>
#include <linux/slab.h>
#include <linux/tracepoint.h>
#include <linux/uaccess.h>
#include <asm/debugreg.h>
#include <asm/syscall.h>

#include "ntrace_internal.h"

/* result argument of the signal_generate tracepoint (include/trace/events/signal.h) */
#define NT_TRACE_SIGNAL_DELIVERED 0
#define NT_TRACE_SIGNAL_LOSE_INFO 4

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
	struct nt_session *s;
	struct nt_thread *pt, *ct;
	struct nt_proc *proc;
	unsigned long flags;

	if (!atomic_read(&nt_nthreads) || !nt_task_traced(parent))
		return;
	pt = nt_lock_task(parent, &flags);
	if (!pt)
		return;
	s = pt->s;
	/*
	 * A step over clone/fork: the child's registers are a copy of the parent's saved user
	 * flags, our TF included (copy_process clears only a TF ptrace set, TIF_FORCED_TF), and
	 * it would trap after its first instruction. It has not run yet: take ours out.
	 */
	if (pt->tf_set || pt->orphan)
		task_pt_regs(child)->flags &= ~X86_EFLAGS_TF;
	if (child->tgid != parent->tgid) {
		/* A process: followed with its event (ntrace_fork.c), else rid of our int3s. */
		bool followed = pt->proc && nt_fork_follow(pt, child);

		if (pt->proc)
			nt_fork_vfork_done(pt, child);
		spin_unlock_irqrestore(&s->lock, flags);
		if (!followed)
			nt_fork_child(parent, child);
		return;
	}
	if (!pt->proc)
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
	spin_unlock_irqrestore(&s->lock, flags);
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
	struct nt_session *s;
	struct nt_thread *t, *tmp;
	struct nt_proc *proc;
	unsigned long flags;

	if (!atomic_read(&nt_nthreads) || !nt_task_traced(p))
		return;
	t = nt_lock_task(p, &flags);
	if (!t)
		return;
	s = t->s;
	if (!t->proc)
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
	spin_unlock_irqrestore(&s->lock, flags);
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

	if (!atomic_read(&nt_nthreads) || !nt_task_traced(p))
		return;
	t = nt_lock_task(p, &flags);
	if (!t)
		return;
	s = t->s;
	if (t->orphan) {
		nt_orphan_done(t);
		goto out;
	}
	if (!t->proc)
		goto out;
	proc = t->proc;
	s = proc->s;
	/*
	 * The leader's end is PROC_EXIT, as in the userspace provider, unless it leaves alone
	 * (pthread_exit) while its threads live on: then it is a zombie that never stops again,
	 * and a client waiting for every thread to stop must hear that it is gone. A group exit
	 * or an exec's de_thread stays a process exit (or the exec).
	 */
	if ((proc->events & NTRACE_EVENT_THREAD_REPORT) &&
	    (!thread_group_leader(p) ||
	     (atomic_read(&sig->live) && !(sig->flags & SIGNAL_GROUP_EXIT) &&
	      !sig->group_exec_task)))
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
	spin_unlock_irqrestore(&s->lock, flags);
}

/* Does @sig stop @t? session lock held. */
static bool nt_signal_wanted(struct nt_thread *t, int sig)
{
	/*
	 * A stepping thread reports every signal (gdbserver never passes one silently under a
	 * step: gdb decides how to step around the handler); a CONT's step-over is no step.
	 */
	return (t->proc->stop_sigs & BIT_ULL(sig - 1)) ||
	       (t->tf_set && !(t->stepover && t->stepover_mode == NTRACE_RESUME_CONT));
}

/* May @t dequeue @sig? siglock held (blocked and PF_EXITING change under it). */
static bool nt_signal_takes(struct nt_thread *t, int sig)
{
	return !sigismember(&t->task->blocked, sig) && !(t->task->flags & PF_EXITING);
}

/*
 * Is @t in sigtimedwait() for @sig (its wait set unblocked in blocked, the mask it had in
 * real_blocked)? It dequeues @sig there itself: no stop, as under ptrace. siglock held.
 */
static bool nt_signal_awaited(struct nt_thread *t, int sig)
{
	return !sigisemptyset(&t->task->real_blocked) && !sigismember(&t->task->blocked, sig);
}

/*
 * The thread to report a process-wide signal sent to @t's process: @t (the thread kill()
 * named) if it may dequeue it, else another that may, a running one before a stopped one;
 * NULL when every thread blocks it. Session lock and siglock held.
 */
static struct nt_thread *nt_signal_owner(struct nt_thread *t, int sig)
{
	struct nt_thread *o, *stopped = NULL;

	if (nt_signal_takes(t, sig)) {
		if (!t->stopped && !t->in_stop)
			return t;
		stopped = t;
	}
	list_for_each_entry(o, &t->proc->threads, pnode) {
		if (o == t || !nt_signal_takes(o, sig))
			continue;
		if (!o->stopped && !o->in_stop)
			return o;
		if (!stopped)
			stopped = o;
	}
	return stopped;
}

/*
 * Under ptrace the thread that dequeues a signal reports it. Our stop comes before the
 * dequeue, from task_work that get_signal() runs first, and the work is queued only here,
 * after complete_signal() has made some thread look (TIF_SIGPENDING): that thread may be in
 * get_signal() already, past its task_work, and dequeue the signal as soon as the siglock we
 * run under is free; for a process-wide signal it may also be another thread than the one
 * whose stop we queue (the one kill() named blocks it, or sleeps with TIF_SIGPENDING, in a
 * stop say). Its handler then ran unreported and the stop found nothing. So the signal just
 * queued is taken off the kernel's queue here and held for @o (nt_signal_unhold() gives it
 * back, on @o's own queue, before @o reports it); a process-wide one thereby becomes @o's.
 * It is the last of its number on the list; without siginfo (LOSE_INFO) only its bit moves.
 * Not a process-wide SIGALRM: dequeue_signal() re-arms a periodic ITIMER_REAL only when it
 * takes SIGALRM from the shared queue. Session lock and siglock held.
 */
static bool nt_signal_hold(struct nt_thread *o, struct task_struct *task, int sig, int group,
			   int result)
{
	struct sigpending *from = group ? &task->signal->shared_pending : &task->pending;
	struct sigpending *to = group ? &o->held_group : &o->held;
	struct sigqueue *q, *last = NULL;
	unsigned int n = 0;

	if ((group && sig == SIGALRM) || (o->task->flags & PF_EXITING) ||
	    !sigismember(&from->signal, sig))
		return false;
	list_for_each_entry(q, &from->list, list) {
		if (q->info.si_signo == sig) {
			last = q;
			n++;
		}
	}
	if (result == NT_TRACE_SIGNAL_DELIVERED ? !last : n)
		return false;
	if (last)
		list_move_tail(&last->list, &to->list);
	if (n <= 1)
		sigdelset(&from->signal, sig);
	sigaddset(&to->signal, sig);
	WRITE_ONCE(o->held_any, true);
	/* Pairs with nt_work_fn()'s atomic_xchg(): it sees held_any, or we queue anew. */
	smp_mb();
	if (nt_queue_work(o, TWA_SIGNAL))
		return true;
	/* Past exit_task_work(): give it back. */
	if (last)
		list_move_tail(&last->list, &from->list);
	sigaddset(&from->signal, sig);
	sigdelset(&to->signal, sig);
	return false;
}

/*
 * Testing only (the selftest's signal_race): the signal hook busy-waits this long first, with the
 * target's siglock held, so that the thread complete_signal() woke, on another CPU, reaches
 * get_signal() past its task_work and waits there for the siglock to dequeue the signal. Writable
 * by root; 0 (the default): nothing.
 */
static unsigned int nt_test_signal_delay_ms;
module_param_named(test_signal_delay_ms, nt_test_signal_delay_ms, uint, 0644);
MODULE_PARM_DESC(test_signal_delay_ms,
		 "testing only: the signal hook busy-waits first, siglock held (ms)");

/* Runs under the target's siglock, after complete_signal() (kernel/signal.c). */
static void nt_probe_signal(void *data, int sig, struct kernel_siginfo *info,
			    struct task_struct *task, int group, int result)
{
	struct nt_session *s;
	struct nt_thread *t, *o;
	unsigned long flags;

	if (!atomic_read(&nt_nthreads) || sig == SIGKILL ||
	    (result != NT_TRACE_SIGNAL_DELIVERED && result != NT_TRACE_SIGNAL_LOSE_INFO) ||
	    !nt_task_traced(task))
		return;
	if (unlikely(READ_ONCE(nt_test_signal_delay_ms)))
		mdelay(READ_ONCE(nt_test_signal_delay_ms));
	t = nt_lock_task(task, &flags);
	if (!t)
		return;
	s = t->s;
	if (!t->proc)
		goto out;
	if (t->skip_sig == sig) {
		t->skip_sig = 0;
		goto out;
	}
	o = group ? nt_signal_owner(t, sig) : t;
	if (o && nt_signal_awaited(o, sig))
		goto out;
	if (o && nt_signal_wanted(o, sig) && nt_signal_hold(o, task, sig, group, result))
		t = o;
	else if (!nt_signal_wanted(t, sig))
		goto out;
	sigaddset(&t->pend_sigs, sig);
	nt_queue_work(t, TWA_SIGNAL);
out:
	spin_unlock_irqrestore(&s->lock, flags);
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
	struct nt_session *s;
	struct pt_regs *regs = task_pt_regs(current);
	struct nt_thread *t;
	unsigned long flags;

	if (!atomic_read(&nt_nthreads) || ka->sa.sa_handler == SIG_IGN ||
	    ka->sa.sa_handler == SIG_DFL || !(regs->flags & X86_EFLAGS_TF) ||
	    !nt_task_traced(current))
		return;
	t = nt_lock_task(current, &flags);
	if (!t)
		return;
	s = t->s;
	if (t->orphan) {
		regs->flags &= ~X86_EFLAGS_TF;
		nt_orphan_done(t);
	} else if (t->proc && t->tf_set) {
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
	spin_unlock_irqrestore(&s->lock, flags);
}

/*
 * SYSCALL clears TF and the IRET back to user mode restores it, so a step over a `syscall`
 * instruction would trap one instruction late: end the step here, on the way out. Also the
 * syscall-exit stop (NTRACE_EVENT_SYSCALL_EXIT): queued here, taken on the way to user mode
 * by task_work, before any signal is delivered (get_signal() runs task_work first), so the
 * registers are the syscall's return, -ERESTART* included, as at ptrace's syscall-exit stop.
 */
static void nt_probe_sys_exit(void *data, struct pt_regs *regs, long ret)
{
	struct nt_session *s;
	long nr = syscall_get_nr(current, regs);
	struct nt_proc *proc;
	struct nt_thread *t;
	unsigned long flags;

	/* Every syscall of the machine comes here while registered: ours only past this. */
	if (!atomic_read(&nt_nthreads) || !nt_task_traced(current))
		return;
	t = nt_lock_task(current, &flags);
	if (!t)
		return;
	s = t->s;
	proc = t->proc;
	/* Not under a step (nor a step-over): PTRACE_SINGLESTEP reports none either. */
	if (proc && !t->tf_set && (proc->events & NTRACE_EVENT_SYSCALL_EXIT) &&
	    (nr < 0 || nr >= 512 || (proc->syscalls[nr / 64] & BIT_ULL(nr % 64)))) {
		t->sc_nr = nr;
		t->sc_ret = ret;
		nt_queue_stop(t, NT_P_SYSCALL_EXIT, TWA_RESUME);
	}
	if (!(regs->flags & X86_EFLAGS_TF)) {
		/* Not stepping. */
	} else if (t->orphan) {
		regs->flags &= ~X86_EFLAGS_TF;
		nt_orphan_done(t);
	} else if (t->proc && t->tf_set && !t->stepover && nt_in_range(t, regs->ip)) {
		/*
		 * Range step: the instruction after the syscall is in the range, so the trap
		 * arriving one instruction late is the next step anyway.
		 */
	} else if (t->proc && t->tf_set) {
		t->tf_set = false;
		regs->flags &= ~X86_EFLAGS_TF;
		if (t->stepover) {
			t->stepover = false;
			nt_queue_stop(t, NT_P_STEPOVER, TWA_RESUME);
		} else {
			nt_queue_stop(t, NT_P_STEP, TWA_RESUME);
		}
	}
	spin_unlock_irqrestore(&s->lock, flags);
}

/*
 * sys_exit sets syscall work on every task of the machine while registered (every syscall
 * takes the slow path), so it is registered only while some session needs it: from its first
 * step, software breakpoint or syscall-exit stops until it closes. sys_exit_users (read-only
 * parameter) counts those sessions.
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

/* When DETACH or a close last put a breakpoint's byte back or released threads (jiffies). */
static unsigned long nt_put_back_at;

void nt_note_bp_put_back(void)
{
	WRITE_ONCE(nt_put_back_at, jiffies);
}

/*
 * Whether the int3 a thread has just executed (ip is past it) is no longer in memory: the
 * byte before ip is neither 0xcc nor the end of the two-byte int $3 (cd 03), which is the
 * program's own (its trap leaves ip past both bytes).
 */
static bool nt_int3_gone(struct pt_regs *regs)
{
	u8 insn[2] = { 0, 0 };

	if (copy_from_user_nofault(&insn[1], (void __user *)(regs->ip - 1), 1) || insn[1] == 0xcc)
		return false;
	return copy_from_user_nofault(&insn[0], (void __user *)(regs->ip - 2), 1) ||
	       insn[0] != 0xcd || insn[1] != 0x03;
}

/*
 * An int3 trap of a thread no longer ours (just released by DETACH or a close), whose byte in
 * memory is no longer an int3: another CPU still ran the old byte of a breakpoint we have
 * just put back, or CLEAR_BP just before (stale instruction bytes), as uprobes sees an int3
 * it has just removed. The instruction runs again instead of a SIGTRAP killing the program,
 * the byte stored over itself first (nt_restore_released: an emulator's stale translation).
 * Only for a second after a release.
 */
static int nt_stale_int3(struct pt_regs *regs)
{
	if (!time_before(jiffies, READ_ONCE(nt_put_back_at) + HZ) || !nt_int3_gone(regs))
		return NOTIFY_DONE;
	regs->ip -= 1;
	nt_restore_released(regs->ip);
	return NOTIFY_STOP;
}

/* A stale int3 at ip - 1 (nt_int3_gone): retry the instruction, the byte written back first. */
static void nt_refetch(struct nt_thread *t, struct pt_regs *regs)
{
	regs->ip -= 1;
	t->refetch_addr = regs->ip;
	nt_queue_stop(t, NT_P_REFETCH, TWA_RESUME);
}

static int nt_die(struct notifier_block *nb, unsigned long val, void *ptr)
{
	struct nt_session *s;
	struct die_args *args = ptr;
	struct pt_regs *regs = args->regs;
	int ret = NOTIFY_DONE;
	struct nt_thread *t;
	unsigned long flags;

	if ((val != DIE_INT3 && val != DIE_DEBUG) || !regs || !user_mode(regs))
		return NOTIFY_DONE;
	if (!atomic_read(&nt_nthreads) || !nt_task_traced(current))
		return val == DIE_INT3 ? nt_stale_int3(regs) : NOTIFY_DONE;
	t = nt_lock_task(current, &flags);
	if (!t)
		return val == DIE_INT3 ? nt_stale_int3(regs) : NOTIFY_DONE;
	s = t->s;
	if (t->orphan && val == DIE_DEBUG && (*(unsigned long *)args->err & DR_STEP)) {
		/* The step of a thread detached mid-step: swallow it, forget the thread. */
		regs->flags &= ~X86_EFLAGS_TF;
		*(unsigned long *)args->err &= ~DR_STEP;
		nt_orphan_done(t);
		ret = (*(unsigned long *)args->err & DR_TRAP_BITS) ? NOTIFY_DONE : NOTIFY_STOP;
		goto out;
	}
	if (!t->proc) {
		if (val == DIE_INT3)
			ret = nt_stale_int3(regs);
		goto out;
	}
	if (val == DIE_INT3 && t->stepover && t->stepover_addr == regs->ip - 1) {
		struct nt_bp *bp = nt_bp_find(t->proc, regs->ip - 1);

		if ((bp && bp->orig != 0xcc) || (!bp && nt_int3_gone(regs))) {
			/*
			 * Not the program's int3: ours, set again (CLEAR_BP, SET_BP) after the
			 * step-over lifted it and before the instruction ran, or a stale fetch
			 * of one CLEAR_BP removed. The instruction has not run: a breakpoint
			 * listed there hits now, as a pc moved onto one does; otherwise (being
			 * removed, or gone) the step-over retries the instruction.
			 */
			if (!bp) {
				nt_refetch(t, regs);
			} else {
				regs->ip -= 1;
				if (!bp->removing) {
					t->stepover = false;
					t->tf_set = false;
					regs->flags &= ~X86_EFLAGS_TF;
					t->bp_addr = regs->ip;
					nt_queue_stop(t, NT_P_BREAKPOINT, TWA_RESUME);
				}
			}
			ret = NOTIFY_STOP;
			goto out;
		}
		/*
		 * The instruction stepped over is the program's own int3 (gdb's permanent
		 * breakpoint, ours on it): the step-over ends past it, as gdbserver's, instead of
		 * being taken for the next hit (with a false condition: forever). The trap is
		 * consumed, as under ptrace; TF goes now, or the next instruction would trap.
		 */
		t->stepover = false;
		t->tf_set = false;
		regs->flags &= ~X86_EFLAGS_TF;
		nt_queue_stop(t, NT_P_STEPOVER, TWA_RESUME);
		ret = NOTIFY_STOP;
		goto out;
	}
	if (val == DIE_INT3) {
		struct nt_bp *bp = nt_bp_find(t->proc, regs->ip - 1);

		/*
		 * Claim only our own int3 in our own threads; others fall through to SIGTRAP. An
		 * int3 of ours that CLEAR_BP has just removed can still be executed by another CPU
		 * (stale instruction bytes): when the byte is no longer 0xcc, retry the
		 * instruction, as uprobes does, the byte written back first (nt_refetch_bp).
		 */
		if (!bp && nt_int3_gone(regs)) {
			nt_refetch(t, regs);
			ret = NOTIFY_STOP;
			goto out;
		}
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
	spin_unlock_irqrestore(&s->lock, flags);
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

	ret = nt_regset_init();
	if (ret)
		return ret;

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
