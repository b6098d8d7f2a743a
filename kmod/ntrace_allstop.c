// SPDX-License-Identifier: GPL-2.0-only
/*
 * ntrace: the all-stop gate (NTRACE_OPT_ALL_STOP), entered by nt_park before a thread
 * publishes its stop.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/spinlock.h>
#include <linux/wait.h>

#include "ntrace_internal.h"

/*
 * All-stop (NTRACE_OPT_ALL_STOP). A thread stopping for its own reason takes its process's
 * gate, asks every other thread to stop and waits until each is held: in nt_park, parked,
 * job-stopped, or gone. An exiting thread counts once its exit hook has unlinked it (which
 * wakes the gate), so its THREAD_EXIT comes before the STOP: a leader leaving by pthread_exit
 * wakes its joiner before that hook runs. The gate owner's STOP record is then published
 * first; the others, waiting at the gate meanwhile, publish theirs after it. Two threads
 * stopping at once cannot deadlock: each counts the other as held, and the second takes the
 * gate after the first.
 */
bool nt_others_held_locked(struct nt_thread *t)
{
	struct nt_thread *o;

	if (!t->proc)
		return true;
	list_for_each_entry(o, &t->proc->threads, pnode)
		if (o != t && !o->in_stop && !o->stopped && !task_is_stopped(o->task))
			return false;
	return true;
}

static bool nt_others_held(struct nt_thread *t)
{
	unsigned long flags;
	bool held;

	spin_lock_irqsave(&t->s->lock, flags);
	held = nt_others_held_locked(t);
	spin_unlock_irqrestore(&t->s->lock, flags);
	return held;
}

static bool nt_gate_open(struct nt_thread *t)
{
	unsigned long flags;
	bool open;

	spin_lock_irqsave(&t->s->lock, flags);
	open = !t->proc || !t->proc->gate || t->proc->gate == t;
	spin_unlock_irqrestore(&t->s->lock, flags);
	return open;
}

/* A bound on waiting for the others, for a thread stuck in an uninterruptible sleep. */
#define NT_GATE_TIMEOUT (10 * HZ)

void nt_gate_enter(struct nt_thread *t, u32 reason)
{
	bool trigger = reason != NTRACE_STOP_REQUESTED && reason != NTRACE_STOP_ATTACH &&
		       reason != NTRACE_STOP_NEW_THREAD;
	struct nt_thread *o;
	unsigned long flags;

	for (;;) {
		spin_lock_irqsave(&t->s->lock, flags);
		if (!t->proc || !(t->proc->opts & NTRACE_OPT_ALL_STOP) ||
		    t->proc->gate == t || (!t->proc->gate && !trigger)) {
			spin_unlock_irqrestore(&t->s->lock, flags);
			return;
		}
		if (!t->proc->gate) {
			t->proc->gate = t;
			list_for_each_entry(o, &t->proc->threads, pnode)
				if (o != t && !o->in_stop && !o->stopped)
					nt_queue_stop(o, NT_P_REQUESTED, TWA_SIGNAL);
			spin_unlock_irqrestore(&t->s->lock, flags);
			wait_event_killable_timeout(nt_gate_wq, nt_others_held(t),
						    NT_GATE_TIMEOUT);
			return; /* nt_park publishes, then opens the gate */
		}
		spin_unlock_irqrestore(&t->s->lock, flags);
		wake_up_all(&nt_gate_wq); /* we are held now */
		if (wait_event_killable(nt_gate_wq, nt_gate_open(t)))
			return;
	}
}

/* Give up the gate (session lock held); the caller wakes nt_gate_wq. */
bool nt_gate_leave(struct nt_thread *t)
{
	if (!t->proc || t->proc->gate != t)
		return false;
	t->proc->gate = NULL;
	return true;
}
