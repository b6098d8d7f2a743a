// SPDX-License-Identifier: GPL-2.0-only
/*
 * ntrace: the traced threads. Each struct nt_thread is hashed by task (the hooks find theirs
 * with nt_lock_task), listed in its proc, kref-counted (membership, queued task_work, users
 * such as a command or a hw breakpoint); a stop is requested by queueing the thread's
 * task_work (nt_queue_stop), which runs nt_work_fn (ntrace_park.c) in the thread itself.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hashtable.h>
#include <linux/kref.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/rculist.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/task_work.h>

#include "ntrace_internal.h"

DEFINE_SPINLOCK(nt_hash_lock); /* the hash's changes; nests in a session's lock */
atomic_t nt_nthreads = ATOMIC_INIT(0);
static DEFINE_HASHTABLE(nt_hash, 8);

DECLARE_WAIT_QUEUE_HEAD(nt_gate_wq); /* all-stop gates of every process */

/*
 * Is @task hashed? No lock: a hook asks first and takes the thread's session lock
 * (nt_lock_task, which looks again) only for our threads. A thread hashed before the event that runs the hook (ATTACH under the
 * target's cred_guard_mutex before its exec, the parent's fork hook before the child runs,
 * a command's reply before the client's next action) is seen.
 */
bool nt_task_traced(struct task_struct *task)
{
	struct nt_thread *t;
	bool found = false;

	rcu_read_lock();
	hash_for_each_possible_rcu(nt_hash, t, hnode, (unsigned long)task)
		if (READ_ONCE(t->task) == task) {
			found = true;
			break;
		}
	rcu_read_unlock();
	return found;
}

/*
 * The thread of @task with its session's lock held (irqsave into *@flags), or NULL: the
 * hooks' way in. An RCU lookup, then the session's lock (the session is freed after a grace
 * period too), then the thread must still be hashed: it is unhashed only under that lock.
 */
struct nt_thread *nt_lock_task(struct task_struct *task, unsigned long *flags)
{
	struct nt_session *s;
	struct nt_thread *t;

	rcu_read_lock();
	hash_for_each_possible_rcu(nt_hash, t, hnode, (unsigned long)task) {
		if (READ_ONCE(t->task) != task)
			continue;
		s = t->s;
		spin_lock_irqsave(&s->lock, *flags);
		if (!hlist_unhashed(&t->hnode) && t->task == task) {
			rcu_read_unlock();
			return t;
		}
		spin_unlock_irqrestore(&s->lock, *flags);
	}
	rcu_read_unlock();
	return NULL;
}

struct nt_thread *nt_find_task(struct task_struct *task)
{
	struct nt_thread *t;

	hash_for_each_possible(nt_hash, t, hnode, (unsigned long)task)
		if (t->task == task)
			return t;
	return NULL;
}

/* The session's threads by handle: commands name them so, and the tree spares a scan. */
struct nt_thread *nt_find_handle(struct nt_session *s, u64 handle)
{
	struct rb_node *n = s->handles.rb_node;

	while (n) {
		struct nt_thread *t = rb_entry(n, struct nt_thread, hrb);

		if (handle == t->handle)
			return t;
		n = handle < t->handle ? n->rb_left : n->rb_right;
	}
	return NULL;
}

static bool nt_handle_less(struct rb_node *a, const struct rb_node *b)
{
	return rb_entry(a, struct nt_thread, hrb)->handle <
	       rb_entry(b, struct nt_thread, hrb)->handle;
}

/* Out of proc->threads and the handle tree. */
static void nt_thread_unlist(struct nt_thread *t)
{
	if (!RB_EMPTY_NODE(&t->hrb)) {
		rb_erase(&t->hrb, &t->s->handles);
		RB_CLEAR_NODE(&t->hrb);
	}
	list_del_init(&t->pnode);
}

struct nt_thread *nt_thread_new(struct nt_proc *proc, struct task_struct *task, gfp_t gfp)
{
	struct nt_thread *t = kzalloc(sizeof(*t), gfp);

	if (!t)
		return NULL;
	kref_init(&t->ref);
	INIT_LIST_HEAD(&t->pnode);
	INIT_HLIST_NODE(&t->hnode);
	RB_CLEAR_NODE(&t->hrb);
	init_task_work(&t->work, nt_work_fn);
	init_waitqueue_head(&t->wq);
	INIT_LIST_HEAD(&t->held.list);
	INIT_LIST_HEAD(&t->held_group.list);
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

	/* Held signals are given back by the task_work that holds a reference meanwhile. */
	WARN_ON_ONCE(!list_empty(&t->held.list) || !list_empty(&t->held_group.list));
	if (t->task)
		put_task_struct(t->task);
	kfree(t->early_rec);
	if (t->fork_parent)
		nt_thread_put(t->fork_parent);
	nt_session_put(t->s);
	kfree_rcu(t, rcu);
}

void nt_thread_put(struct nt_thread *t)
{
	kref_put(&t->ref, nt_thread_release);
}

void nt_thread_link_hashed(struct nt_thread *t)
{
	t->vtid = __task_pid_nr_ns(t->task, PIDTYPE_PID, t->s->pidns);
	hash_add_rcu(nt_hash, &t->hnode, (unsigned long)t->task);
	list_add_tail(&t->pnode, &t->proc->threads);
	rb_add(&t->hrb, &t->s->handles, nt_handle_less);
	atomic_inc(&nt_nthreads);
}

void nt_thread_link(struct nt_thread *t)
{
	spin_lock(&nt_hash_lock);
	nt_thread_link_hashed(t);
	spin_unlock(&nt_hash_lock);
}

static void nt_unhash(struct nt_thread *t)
{
	spin_lock(&nt_hash_lock);
	hash_del_rcu(&t->hnode);
	spin_unlock(&nt_hash_lock);
}

void nt_thread_unlink(struct nt_thread *t)
{
	/* A held FORK/VFORK record still comes before this thread's end (ntrace_fork.c). */
	nt_fork_emit_held(t);
	if (t->proc && t->proc->gate) {
		/* The gate's owner waits for this thread to be held (gone counts). */
		if (t->proc->gate == t)
			t->proc->gate = NULL;
		wake_up_all(&nt_gate_wq);
	}
	nt_unhash(t);
	nt_thread_unlist(t);
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
	nt_fork_emit_held(t);
	if (!t->tf_set || t->stopped) {
		nt_thread_unlink(t);
		return;
	}
	if (t->proc->gate == t) {
		t->proc->gate = NULL;
		wake_up_all(&nt_gate_wq);
	}
	nt_thread_unlist(t);
	t->proc = NULL;
	t->pending = 0;
	sigemptyset(&t->pend_sigs);
	t->stepover = false;
	t->orphan = true;
	__module_get(THIS_MODULE); /* the die notifier must outlive the orphan */
	wake_up(&t->wq);
}

void nt_orphan_done(struct nt_thread *t)
{
	t->orphan = false;
	nt_unhash(t);
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

/*
 * Queue the thread's task_work once; each queued work pins the thread and the module. false:
 * the task is past exit_task_work() and will never run it.
 */
bool nt_queue_work(struct nt_thread *t, enum task_work_notify_mode mode)
{
	if (atomic_cmpxchg(&t->work_queued, 0, 1))
		return true;
	kref_get(&t->ref);
	__module_get(THIS_MODULE);
	if (task_work_add(t->task, &t->work, mode)) {
		/* -ESRCH: the task is past exit_task_work and will never stop. */
		atomic_set(&t->work_queued, 0);
		kref_put(&t->ref, nt_thread_release);
		module_put(THIS_MODULE);
		return false;
	}
	return true;
}

void nt_queue_stop(struct nt_thread *t, u32 reason, int twa)
{
	t->pending |= reason;
	nt_queue_work(t, twa);
}
