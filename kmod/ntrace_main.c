// SPDX-License-Identifier: GPL-2.0-only
/*
 * ntrace: /dev/ntrace, one session per open. This file holds the device, the record queue
 * and the read/write/poll paths; commands are in ntrace_cmd.c, stops and hooks in
 * ntrace_thread.c, ntrace_park.c and ntrace_hooks.c. See ntrace_internal.h for the lock order.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/pid_namespace.h>
#include <linux/poll.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "ntrace_internal.h"

struct nt_rec *nt_rec_alloc(u32 len, u16 type, gfp_t gfp)
{
	struct nt_rec *r;
	struct ntrace_hdr *h;

	len = NTRACE_RECORD_ALIGN(len);
	r = kzalloc(sizeof(*r) + len, gfp);
	if (!r)
		return NULL;
	r->len = len;
	r->cost = sizeof(*r) + len;
	h = (struct ntrace_hdr *)r->data;
	h->len = len;
	h->type = type;
	return r;
}

/* qlock held. */
static void nt_enqueue(struct nt_session *s, struct nt_rec *r)
{
	list_add_tail(&r->node, &s->queue);
	if (r->kind == NT_REC_REPORT)
		s->report_bytes += r->len;
	else if (r->kind == NT_REC_REPLY)
		s->reply_bytes += r->cost;
}

/* qlock held; true when writers waiting for room should be woken. */
static bool nt_dequeue(struct nt_session *s, struct nt_rec *r)
{
	list_del(&r->node);
	if (r->kind == NT_REC_REPORT) {
		s->report_bytes -= r->len;
	} else if (r->kind == NT_REC_REPLY) {
		s->reply_bytes -= r->cost;
		return s->reply_bytes < NT_REPLY_BYTES && s->reply_bytes + r->cost >= NT_REPLY_BYTES;
	}
	return false;
}

/* qlock held: the LOST record for the reports dropped so far. */
static void nt_enqueue_lost(struct nt_session *s, struct nt_rec *l)
{
	struct ntrace_ev_lost *ev = (struct ntrace_ev_lost *)l->data;

	l->kind = NT_REC_EVENT;
	ev->hdr.seq = ++s->ev_seq;
	ev->count = s->lost;
	ev->first_seq = s->lost_first;
	s->lost = 0;
	nt_enqueue(s, l);
}

/* Events: thread reports are dropped past NT_QUEUE_BYTES, then LOST; nothing else is. */
void nt_emit(struct nt_session *s, struct nt_rec *r)
{
	struct ntrace_hdr *h = (struct ntrace_hdr *)r->data;
	unsigned long flags;

	/* Only reports may be dropped (thread notices, OUTPUT); stops, exits, detaches never. */
	r->kind = h->type == NTRACE_EV_THREAD_NEW || h->type == NTRACE_EV_THREAD_EXIT ||
				  h->type == NTRACE_EV_OUTPUT ?
			  NT_REC_REPORT : NT_REC_EVENT;
	spin_lock_irqsave(&s->qlock, flags);
	if (r->kind == NT_REC_REPORT && s->report_bytes + r->len > NT_QUEUE_BYTES) {
		/* The dropped record still consumes a sequence number: readers see the gap. */
		if (!s->lost++)
			s->lost_first = s->ev_seq + 1;
		s->ev_seq++;
		spin_unlock_irqrestore(&s->qlock, flags);
		kfree(r);
		return;
	}
	if (s->lost) {
		struct nt_rec *l = nt_rec_alloc(sizeof(struct ntrace_ev_lost), NTRACE_EV_LOST,
						GFP_ATOMIC);

		if (l)
			nt_enqueue_lost(s, l);
	}
	h->seq = ++s->ev_seq;
	nt_enqueue(s, r);
	spin_unlock_irqrestore(&s->qlock, flags);
	wake_up_interruptible_poll(&s->readq, EPOLLIN | EPOLLRDNORM);
}

void nt_emit_reply(struct nt_session *s, struct nt_rec *r)
{
	unsigned long flags;

	r->kind = NT_REC_REPLY;
	spin_lock_irqsave(&s->qlock, flags);
	nt_enqueue(s, r);
	spin_unlock_irqrestore(&s->qlock, flags);
	wake_up_interruptible_poll(&s->readq, EPOLLIN | EPOLLRDNORM);
}

/*
 * The exit hook (sched_process_exit) runs before exit_notify(): the process still closes its
 * files and is not yet a zombie. PROC_EXIT promises the process is gone, as waitpid() does for
 * the userspace provider, so the record is held until waitpid() could reap it: the leader a
 * zombie (or reaped) and every other thread released. Threads exiting at once each run the
 * hook; whichever saw the group dead first may not be the last out, so the leader decides.
 * That follows within microseconds; the work polls each jiffy because no exported hook fires
 * then. The wait status is the leader's, as wait_task_zombie() takes it.
 */
static bool nt_group_gone(struct task_struct *leader)
{
	int state = READ_ONCE(leader->exit_state);

	return state == EXIT_DEAD || (state == EXIT_ZOMBIE && thread_group_empty(leader));
}

static void nt_exit_work(struct work_struct *work)
{
	struct nt_session *s = container_of(to_delayed_work(work), struct nt_session, exit_work);
	struct nt_rec *r, *tmp;
	unsigned long flags;
	LIST_HEAD(ready);
	bool more;

	spin_lock_irqsave(&s->qlock, flags);
	list_for_each_entry_safe(r, tmp, &s->exits, node)
		if (nt_group_gone(r->exiting))
			list_move_tail(&r->node, &ready);
	more = !list_empty(&s->exits);
	spin_unlock_irqrestore(&s->qlock, flags);
	list_for_each_entry_safe(r, tmp, &ready, node) {
		struct ntrace_ev_proc_exit *ev = (struct ntrace_ev_proc_exit *)r->data;
		struct signal_struct *sig = r->exiting->signal;

		ev->wstatus = (sig->flags & SIGNAL_GROUP_EXIT) ? sig->group_exit_code :
								 r->exiting->exit_code;
		list_del(&r->node);
		put_task_struct(r->exiting);
		r->exiting = NULL;
		nt_emit(s, r);
	}
	if (more)
		schedule_delayed_work(&s->exit_work, 1);
}

/* session lock held (from the exit hook): pins @leader until the record is emitted. */
void nt_emit_exit(struct nt_session *s, struct nt_rec *r, struct task_struct *leader)
{
	unsigned long flags;

	r->exiting = get_task_struct(leader);
	spin_lock_irqsave(&s->qlock, flags);
	list_add_tail(&r->node, &s->exits);
	spin_unlock_irqrestore(&s->qlock, flags);
	schedule_delayed_work(&s->exit_work, 0);
}

static void nt_session_free(struct kref *ref)
{
	struct nt_session *s = container_of(ref, struct nt_session, ref);

	kfree_rcu(s, rcu);
}

/*
 * The last reference may be a thread's, dropped in any context (a task_work run after the
 * close, the die notifier): release() has already freed everything else.
 */
void nt_session_put(struct nt_session *s)
{
	kref_put(&s->ref, nt_session_free);
}

static int nt_open(struct inode *inode, struct file *file)
{
	struct nt_session *s = kzalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);

	if (!s)
		return -ENOMEM;
	kref_init(&s->ref);
	mutex_init(&s->cmd_lock);
	mutex_init(&s->bp_lock);
	mutex_init(&s->read_lock);
	spin_lock_init(&s->qlock);
	spin_lock_init(&s->lock);
	INIT_LIST_HEAD(&s->queue);
	INIT_LIST_HEAD(&s->procs);
	INIT_LIST_HEAD(&s->newprocs);
	s->handles = RB_ROOT;
	INIT_LIST_HEAD(&s->exits);
	INIT_DELAYED_WORK(&s->exit_work, nt_exit_work);
	init_waitqueue_head(&s->readq);
	atomic64_set(&s->next_handle, 1);
	s->cred = get_cred(file->f_cred);
	s->pidns = get_pid_ns(task_active_pid_ns(current));
	s->opener_tgid = current->tgid;
	file->private_data = s;
	return 0;
}

static int nt_release(struct inode *inode, struct file *file)
{
	struct nt_session *s = file->private_data;
	struct nt_rec *r, *tmp;

	nt_session_teardown(s);
	nt_drop_sys_exit(s);
	/* Teardown unlinked every proc, so no exit hook adds to s->exits any more. */
	cancel_delayed_work_sync(&s->exit_work);
	list_for_each_entry_safe(r, tmp, &s->exits, node) {
		put_task_struct(r->exiting);
		kfree(r);
	}
	list_for_each_entry_safe(r, tmp, &s->queue, node)
		kfree(r);
	put_pid_ns(s->pidns);
	put_cred(s->cred);
	nt_session_put(s);
	return 0;
}

static bool nt_queue_empty(struct nt_session *s)
{
	unsigned long flags;
	bool empty;

	spin_lock_irqsave(&s->qlock, flags);
	empty = list_empty(&s->queue);
	spin_unlock_irqrestore(&s->qlock, flags);
	return empty;
}

/* Something to read: a record, or reports dropped that no LOST record announced yet. */
static bool nt_readable(struct nt_session *s)
{
	return READ_ONCE(s->lost) || !nt_queue_empty(s);
}

/*
 * A LOST record normally precedes the next record queued after the drops; when none comes,
 * the reader gets it here, after what is queued. read_lock held.
 */
static void nt_flush_lost(struct nt_session *s)
{
	struct nt_rec *l;
	unsigned long flags;

	if (!READ_ONCE(s->lost))
		return;
	l = nt_rec_alloc(sizeof(struct ntrace_ev_lost), NTRACE_EV_LOST, GFP_KERNEL_ACCOUNT);
	if (!l)
		return;
	spin_lock_irqsave(&s->qlock, flags);
	if (s->lost) {
		nt_enqueue_lost(s, l);
		l = NULL;
	}
	spin_unlock_irqrestore(&s->qlock, flags);
	kfree(l);
}

/* Whole records only; EINVAL when the buffer cannot hold the next one. */
static ssize_t nt_read(struct file *file, char __user *buf, size_t count, loff_t *ppos)
{
	struct nt_session *s = file->private_data;
	bool room = false;
	unsigned long flags;
	ssize_t done = 0;
	int ret;

	if (mutex_lock_interruptible(&s->read_lock))
		return -ERESTARTSYS;
	for (;;) {
		nt_flush_lost(s);
		if (!nt_queue_empty(s))
			break;
		if (file->f_flags & O_NONBLOCK) {
			ret = -EAGAIN;
			goto out;
		}
		mutex_unlock(&s->read_lock);
		ret = wait_event_interruptible(s->readq, nt_readable(s));
		if (ret)
			return ret;
		if (mutex_lock_interruptible(&s->read_lock))
			return -ERESTARTSYS;
	}
	for (;;) {
		struct nt_rec *r;

		spin_lock_irqsave(&s->qlock, flags);
		r = list_first_entry_or_null(&s->queue, struct nt_rec, node);
		if (!r || r->len > count - done) {
			spin_unlock_irqrestore(&s->qlock, flags);
			break;
		}
		room |= nt_dequeue(s, r);
		spin_unlock_irqrestore(&s->qlock, flags);

		if (copy_to_user(buf + done, r->data, r->len)) {
			/* Put it back: a fault must not lose a stop. */
			spin_lock_irqsave(&s->qlock, flags);
			nt_enqueue(s, r);
			list_move(&r->node, &s->queue);
			spin_unlock_irqrestore(&s->qlock, flags);
			if (!done)
				done = -EFAULT;
			break;
		}
		done += r->len;
		kfree(r);
	}
	ret = done ? done : -EINVAL;
out:
	mutex_unlock(&s->read_lock);
	if (room)
		wake_up_interruptible_poll(&s->readq, EPOLLOUT | EPOLLWRNORM);
	return ret;
}

static bool nt_reply_room(struct nt_session *s)
{
	return READ_ONCE(s->reply_bytes) < NT_REPLY_BYTES;
}

/* @r (a bare reply allocated by the writer) answers command @h with @err. */
void nt_reply_error(struct nt_session *s, const struct ntrace_hdr *h, int err, struct nt_rec *r)
{
	struct ntrace_reply *rep = (struct ntrace_reply *)r->data;

	rep->hdr.seq = h->seq;
	rep->error = err;
	rep->cmd_type = h->type;
	nt_emit_reply(s, r);
}

/*
 * Commands are processed in order. A malformed frame (bad len) gets an EINVAL reply and ends
 * the write: the bytes after it cannot be framed, so they are consumed unprocessed. Trailing
 * bytes shorter than a header are EINVAL for write() itself when nothing came before them.
 * Each command's reply is allocated before it runs (every command gets exactly one); once
 * the queued replies reach NT_REPLY_BYTES the write returns what it consumed, or waits for
 * the reader (EAGAIN with O_NONBLOCK) when that is nothing.
 */
static ssize_t nt_write(struct file *file, const char __user *buf, size_t count, loff_t *ppos)
{
	struct nt_session *s = file->private_data;
	struct nt_rec *reply;
	size_t done = 0;
	void *rec;
	int err = 0;

	if (current->tgid != s->opener_tgid)
		return -EPERM;
	if (mutex_lock_interruptible(&s->cmd_lock))
		return -ERESTARTSYS;
	while (count - done >= sizeof(struct ntrace_hdr)) {
		struct ntrace_hdr h;

		if (fatal_signal_pending(current)) {
			err = -EINTR;
			break;
		}
		if (!nt_reply_room(s)) {
			if (done)
				break;
			if (file->f_flags & O_NONBLOCK) {
				err = -EAGAIN;
				break;
			}
			mutex_unlock(&s->cmd_lock);
			if (wait_event_interruptible(s->readq, nt_reply_room(s)) ||
			    mutex_lock_interruptible(&s->cmd_lock))
				return -ERESTARTSYS;
			continue;
		}
		if (copy_from_user(&h, buf + done, sizeof(h))) {
			err = -EFAULT;
			break;
		}
		reply = nt_rec_alloc(sizeof(struct ntrace_reply), NTRACE_REPLY,
				     GFP_KERNEL_ACCOUNT);
		if (!reply) {
			err = -ENOMEM;
			break;
		}
		if (h.len < sizeof(h) || h.len % NTRACE_ALIGN || h.len > NT_MAX_RECORD ||
		    h.len > count - done) {
			/* A malformed frame still names its seq and type. */
			nt_reply_error(s, &h, -EINVAL, reply);
			done = count;
			break;
		}
		rec = kmalloc(h.len, GFP_KERNEL_ACCOUNT);
		if (!rec) {
			kfree(reply);
			err = -ENOMEM;
			break;
		}
		if (copy_from_user(rec, buf + done, h.len)) {
			kfree(rec);
			kfree(reply);
			err = -EFAULT;
			break;
		}
		nt_do_command(s, rec, reply);
		kfree(rec);
		done += h.len;
	}
	if (!err && done != count && count - done < sizeof(struct ntrace_hdr))
		err = -EINVAL; /* trailing bytes shorter than a header */
	mutex_unlock(&s->cmd_lock);
	return done ? done : err;
}

static __poll_t nt_poll(struct file *file, poll_table *wait)
{
	struct nt_session *s = file->private_data;
	__poll_t mask = 0;

	poll_wait(file, &s->readq, wait);
	if (nt_readable(s))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (nt_reply_room(s))
		mask |= EPOLLOUT | EPOLLWRNORM;
	return mask;
}

static const struct file_operations nt_fops = {
	.owner = THIS_MODULE,
	.open = nt_open,
	.release = nt_release,
	.read = nt_read,
	.write = nt_write,
	.poll = nt_poll,
	.llseek = noop_llseek,
};

/*
 * Who may open /dev/ntrace is the administrator's choice: root and group (0660, the group
 * set by a udev rule, 60-ntrace.rules) by default, or every user (devmode=0666). Opening
 * grants nothing by itself: ATTACH performs a ptrace-grade check and every access rechecks.
 */
static ushort nt_devmode = 0660;
module_param_named(devmode, nt_devmode, ushort, 0444);
MODULE_PARM_DESC(devmode, "mode of /dev/ntrace (default 0660; its group comes from udev)");

static struct miscdevice nt_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "ntrace",
	.fops = &nt_fops,
};

static int __init nt_init(void)
{
	int ret;

	if (nt_devmode & ~0777)
		return -EINVAL;
	nt_misc.mode = nt_devmode;
	ret = nt_hooks_init();
	if (ret)
		return ret;
	ret = misc_register(&nt_misc);
	if (ret) {
		nt_hooks_exit();
		return ret;
	}
	pr_info("/dev/ntrace ready (ABI %d)\n", NTRACE_ABI_VERSION);
	return 0;
}

static void __exit nt_exit(void)
{
	misc_deregister(&nt_misc);
	nt_hooks_exit();
	/*
	 * A task_work callback (or the die notifier, for a detached stepping thread) drops its
	 * module reference a few instructions before it returns: rmmod may get here while a
	 * task still runs them. Such a task is in the kernel, neither in user mode nor in a
	 * voluntary sleep, so an RCU-tasks grace period waits until it has left our text.
	 */
	synchronize_rcu_tasks();
}

module_init(nt_init);
module_exit(nt_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ntrace: a tracing engine reached through one file descriptor");
