// SPDX-License-Identifier: GPL-2.0-only
/*
 * ntrace: command records. Every command runs under session->cmd_lock and yields exactly one
 * NTRACE_REPLY whose hdr.seq echoes the command's seq.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/delay.h>
#include <linux/elf.h>
#include <linux/fs.h>
#include <linux/hw_breakpoint.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/regset.h>
#include <linux/sched/coredump.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "ntrace_internal.h"

#define NT_REPLY_HDR sizeof(struct ntrace_reply)

/* Events a thread can be asked to stop for; the rest cannot be honoured (see README). */
#define NT_EVENTS_SUPPORTED \
	(NTRACE_EVENT_CLONE | NTRACE_EVENT_EXEC | NTRACE_EVENT_THREAD_REPORT |      \
	 NTRACE_EVENT_SYSCALL_EXIT | NTRACE_EVENT_FORK | NTRACE_EVENT_VFORK |        \
	 NTRACE_EVENT_VFORK_DONE)

static const u64 nt_caps = NTRACE_CAP_SW_BREAK | NTRACE_CAP_HW_BREAK | NTRACE_CAP_HW_WATCH |
			   NTRACE_CAP_RANGE_STEP | NTRACE_CAP_EXEC_EVENTS |
			   NTRACE_CAP_CLONE_EVENTS | NTRACE_CAP_XSTATE |
			   NTRACE_CAP_SIGINFO_WRITE | NTRACE_CAP_ALL_STOP |
			   NTRACE_CAP_SIGNAL_FILTER | NTRACE_CAP_STOP_REGS |
			   NTRACE_CAP_COND_BYTECODE | NTRACE_CAP_SYSCALL_EXIT_STOP |
			   NTRACE_CAP_SYSCALL_FILTER | NTRACE_CAP_FORK_EVENTS |
			   NTRACE_CAP_VFORK_EVENTS;

static struct nt_rec *nt_reply_alloc(const struct ntrace_hdr *h, int err, u32 payload, gfp_t gfp)
{
	struct nt_rec *r = nt_rec_alloc(NT_REPLY_HDR + payload, NTRACE_REPLY, gfp);
	struct ntrace_reply *rep;

	if (!r)
		return NULL;
	rep = (struct ntrace_reply *)r->data;
	rep->hdr.seq = h->seq;
	rep->error = err;
	rep->cmd_type = h->type;
	return r;
}

static void *nt_payload(struct nt_rec *r)
{
	return (u8 *)r->data + NT_REPLY_HDR;
}

/* copy_struct_from_user rule: shorter is zero-extended, longer needs a zero tail (EINVAL). */
static int nt_cmd_struct(const struct ntrace_hdr *h, void *dst, size_t size, bool payload)
{
	size_t n = min_t(size_t, h->len, size);

	memset(dst, 0, size);
	memcpy(dst, h, n);
	if (h->len > size && !payload && memchr_inv((const u8 *)h + size, 0, h->len - size))
		return -EINVAL;
	return 0;
}

static struct nt_proc *nt_proc_find(struct nt_session *s, pid_t pid)
{
	struct nt_proc *proc;

	list_for_each_entry(proc, &s->procs, node)
		if (proc->vpid == pid && !proc->exited)
			return proc;
	return NULL;
}

/* A reference to a thread of the session by handle. */
static struct nt_thread *nt_thread_get(struct nt_session *s, u64 handle)
{
	struct nt_thread *t;
	unsigned long flags;

	spin_lock_irqsave(&s->lock, flags);
	t = nt_find_handle(s, handle);
	if (t)
		kref_get(&t->ref);
	spin_unlock_irqrestore(&s->lock, flags);
	return t;
}

/* A live thread's task: the leader's mm is gone once it exits before its siblings. */
static struct task_struct *nt_proc_task(struct nt_proc *proc)
{
	struct task_struct *task = NULL;
	struct nt_thread *t;
	unsigned long flags;

	spin_lock_irqsave(&proc->s->lock, flags);
	list_for_each_entry(t, &proc->threads, pnode) {
		if (!task || !(t->task->flags & PF_EXITING))
			task = t->task;
		if (!(task->flags & PF_EXITING))
			break;
	}
	if (task)
		get_task_struct(task);
	spin_unlock_irqrestore(&proc->s->lock, flags);
	return task;
}

static void nt_proc_free(struct nt_proc *proc)
{
	nt_hw_release_all(proc);
	nt_bp_free_all(proc);
	put_pid(proc->pid);
	kfree(proc);
}

/* Unlink every thread (parked ones run on) and the proc itself. cmd_lock held. */
static void nt_proc_drop(struct nt_proc *proc)
{
	struct nt_thread *t, *tmp;
	unsigned long flags;

	/*
	 * Before the threads are no longer ours: one may still meet a stale int3 of a breakpoint
	 * CLEAR_BP took out just before (its write-back, NT_P_REFETCH, dropped with it).
	 */
	nt_note_bp_put_back();
	spin_lock_irqsave(&proc->s->lock, flags);
	list_for_each_entry_safe(t, tmp, &proc->threads, pnode)
		nt_detach_thread(t);
	list_del(&proc->node);
	proc->s->nprocs--;
	spin_unlock_irqrestore(&proc->s->lock, flags);
	nt_proc_free(proc);
}

/* Free the procs whose last thread has exited. cmd_lock held. */
static void nt_reap_procs(struct nt_session *s)
{
	struct nt_proc *proc, *tmp;
	unsigned long flags;
	bool gone;

	list_for_each_entry_safe(proc, tmp, &s->procs, node) {
		spin_lock_irqsave(&s->lock, flags);
		gone = proc->exited && list_empty(&proc->threads);
		if (gone) {
			list_del(&proc->node);
			s->nprocs--;
		}
		spin_unlock_irqrestore(&s->lock, flags);
		if (gone)
			nt_proc_free(proc);
	}
}

/* Memory of a process whose image may have become privileged needs CAP_SYS_PTRACE. */
static bool nt_may_access_mm(struct nt_session *s, struct mm_struct *mm)
{
	const struct cred *old;
	bool ok;

	if (get_dumpable(mm) == SUID_DUMP_USER)
		return true;
	old = override_creds(s->cred);
	ok = capable(CAP_SYS_PTRACE);
	revert_creds(old);
	return ok;
}

/*
 * An access to the traced image. It runs under the target's exec_update_lock (read), which
 * an exec holds for writing while it replaces the mm and the credentials, so the mm checked
 * is the mm accessed. That mm must be proc->mm, the one the breakpoints were planted in (the
 * exec hook moves it to the new image; between the exec's new mm and that hook: EAGAIN).
 * @restore: only putting back our own original bytes, allowed even once undumpable.
 */
struct nt_mem {
	struct task_struct *task;
	struct mm_struct *mm;
};

static void nt_mem_end(struct nt_mem *m);

static int nt_mem_begin(struct nt_session *s, struct nt_proc *proc, bool restore,
			struct nt_mem *m)
{
	int err;

	m->mm = NULL;
	m->task = nt_proc_task(proc);
	if (!m->task)
		return -ESRCH;
	err = down_read_killable(&m->task->signal->exec_update_lock);
	if (err) {
		put_task_struct(m->task);
		return err;
	}
	m->mm = get_task_mm(m->task);
	if (!m->mm)
		err = -ESRCH;
	else if (m->mm != READ_ONCE(proc->mm))
		err = -EAGAIN;
	else if (!restore && !nt_may_access_mm(s, m->mm))
		err = -EACCES;
	if (err)
		nt_mem_end(m);
	return err;
}

static void nt_mem_end(struct nt_mem *m)
{
	if (m->mm)
		mmput(m->mm);
	up_read(&m->task->signal->exec_update_lock);
	put_task_struct(m->task);
}

static int nt_poke(struct task_struct *task, u64 addr, const void *buf, int len)
{
	int n = access_process_vm(task, addr, (void *)buf, len, FOLL_FORCE | FOLL_WRITE);

	return n == len ? 0 : -EIO;
}

/*
 * Testing only (the selftest's cond_detach_running and cond_cleared_stream): a sleep this long
 * in DETACH (and close) and CLEAR_BP after each breakpoint is taken out of use and before its
 * original byte goes back, where threads running through it must not die of SIGTRAP nor be
 * kept from running on. Writable by root; 0 (the default): nothing.
 */
static unsigned int nt_test_release_delay_ms;
module_param_named(test_release_delay_ms, nt_test_release_delay_ms, uint, 0644);
MODULE_PARM_DESC(test_release_delay_ms,
		 "testing only: DETACH, CLEAR_BP sleep before a breakpoint's byte goes back (ms)");

/*
 * Restore the original bytes under every breakpoint of @proc, while its threads may still
 * run through them: as CLEAR_BP, each stays listed (removing: a hit retries the
 * instruction) until its byte is back. cmd_lock held.
 */
static void nt_proc_remove_bps(struct nt_session *s, struct nt_proc *proc)
{
	unsigned long flags;
	struct nt_mem m;
	struct nt_bp *bp;
	bool mem = !nt_mem_begin(s, proc, true, &m);

	mutex_lock(&s->bp_lock);
	for (;;) {
		spin_lock_irqsave(&s->lock, flags);
		bp = nt_bp_first_from(proc, 0);
		if (bp)
			bp->removing = true;
		spin_unlock_irqrestore(&s->lock, flags);
		if (!bp)
			break;
		if (unlikely(READ_ONCE(nt_test_release_delay_ms)))
			msleep(READ_ONCE(nt_test_release_delay_ms));
		if (mem)
			nt_poke(m.task, bp->addr, &bp->orig, 1);
		nt_note_bp_put_back();
		spin_lock_irqsave(&s->lock, flags);
		nt_bp_erase(proc, bp);
		spin_unlock_irqrestore(&s->lock, flags);
		nt_bp_free(bp);
	}
	mutex_unlock(&s->bp_lock);
	if (mem)
		nt_mem_end(&m);
}

/* Release @proc: our int3s out, parked threads run on, DETACHED(@reason). cmd_lock held. */
static void nt_proc_release(struct nt_session *s, struct nt_proc *proc, u32 reason)
{
	struct ntrace_ev_detached *ev;
	pid_t vpid = proc->vpid;
	struct nt_rec *r;

	nt_proc_remove_bps(s, proc);
	nt_proc_drop(proc);
	r = nt_rec_alloc(sizeof(*ev), NTRACE_EV_DETACHED, GFP_KERNEL_ACCOUNT);
	if (r) {
		ev = (struct ntrace_ev_detached *)r->data;
		ev->pid = vpid;
		ev->reason = reason;
		nt_emit(s, r);
	}
}

/*
 * Is the process still the session's? Its image may have become undumpable without an exec
 * (prctl, a change of credentials), or an exec's revocation may still be on its way: a
 * process the opener may no longer access is released as at a privileged exec, and the
 * command fails with EACCES. Registers need no lock against an exec: a parked thread keeps
 * its image (an exec kills it before it replaces the mm). cmd_lock held.
 */
static int nt_proc_check(struct nt_session *s, struct nt_proc *proc)
{
	struct task_struct *task = nt_proc_task(proc);
	struct mm_struct *mm = task ? get_task_mm(task) : NULL;
	bool ok;

	if (task)
		put_task_struct(task);
	if (!mm)
		return -ESRCH; /* that thread is past exit_mm(): gone or going */
	ok = nt_may_access_mm(s, mm);
	mmput(mm);
	if (!ok) {
		nt_proc_release(s, proc, NTRACE_DETACHED_PRIVILEGE);
		return -EACCES;
	}
	return 0;
}

/* The proc of a thread of the session, or NULL once detached. cmd_lock held. */
static struct nt_proc *nt_thread_proc(struct nt_thread *t)
{
	unsigned long flags;
	struct nt_proc *proc;

	spin_lock_irqsave(&t->s->lock, flags);
	proc = t->proc;
	spin_unlock_irqrestore(&t->s->lock, flags);
	return proc;
}

static int nt_thread_check(struct nt_session *s, struct nt_thread *t)
{
	struct nt_proc *proc = nt_thread_proc(t);

	return proc ? nt_proc_check(s, proc) : -ESRCH;
}

/* ---------------------------------------------------------------- HELLO */

static int nt_cmd_hello(struct nt_session *s, const struct ntrace_hdr *h, struct nt_rec **out)
{
	const struct user_regset *xs = nt_find_regset(NTRACE_REGSET_XSTATE);
	struct ntrace_hello_reply *rep;
	struct ntrace_cmd_hello c;
	struct nt_rec *r;
	int err;

	err = nt_cmd_struct(h, &c, sizeof(c), false);
	if (err)
		return err;
	if (s->attached)
		return -EBUSY;
	if (c.abi_min > NTRACE_ABI_VERSION || c.abi_max < NTRACE_ABI_VERSION)
		return -EPROTONOSUPPORT;
	if (c.features)
		return -EINVAL;
	r = nt_reply_alloc(h, 0, sizeof(*rep), GFP_KERNEL_ACCOUNT);
	if (!r)
		return -ENOMEM;
	rep = nt_payload(r);
	rep->abi = NTRACE_ABI_VERSION;
	rep->backend = NTRACE_BACKEND_KMOD;
	rep->caps = nt_caps;
	rep->max_record = NT_MAX_RECORD;
	rep->queue_bytes = NT_QUEUE_BYTES;
	rep->hw_slots = HBP_NUM;
	if (xs) {
		u32 size = xs->n * xs->size;
		u8 *buf = kzalloc(size, GFP_KERNEL_ACCOUNT);

		rep->xstate_size = size;
		/* XCR0 sits in the software-reserved bytes of the xsave image (offset 464). */
		if (buf && size >= 472 && regset_get(current, xs, size, buf) >= 0)
			memcpy(&rep->xcr0, buf + 464, sizeof(rep->xcr0));
		kfree(buf);
	}
	s->hello = true;
	*out = r;
	return 0;
}

/* ---------------------------------------------------------------- ATTACH */

/*
 * The proxy check: open /proc/<pid>/mem as the session's opener. proc_mem_open() performs
 * mm_access(PTRACE_MODE_ATTACH): uid/gid, capabilities, dumpable, LSMs and Yama.
 */
static int nt_may_attach(struct nt_session *s, struct task_struct *task, pid_t vpid,
			 struct mm_struct **mmp)
{
	const struct cred *old;
	struct mm_struct *mm;
	char path[32];
	struct file *f;
	int ret = 0;

	snprintf(path, sizeof(path), "/proc/%d/mem", vpid);
	old = override_creds(s->cred);
	f = filp_open(path, O_RDONLY, 0);
	if (IS_ERR(f)) {
		ret = PTR_ERR(f);
		/* No procfs where the writer lives: fall back to the capability. */
		if (ret == -ENOENT && capable(CAP_SYS_PTRACE))
			ret = 0;
		f = NULL;
	}
	revert_creds(old);
	if (!f)
		return ret;
	mm = get_task_mm(task);
	if (!mm || f->private_data != mm)
		ret = -ESRCH; /* the pid was reused between lookup and open */
	*mmp = mm; /* compared only: cred_guard_mutex keeps it the process's mm */
	if (mm)
		mmput(mm);
	filp_close(f, NULL);
	return ret;
}

static int nt_reply_threads(struct nt_session *s, const struct ntrace_hdr *h,
			    struct nt_proc *proc, struct nt_rec **out)
{
	struct ntrace_thread_list_reply *rep;
	struct ntrace_thread_info *info;
	unsigned long flags;
	struct nt_thread *t;
	struct nt_rec *r;
	u32 n = 0, cap;

	spin_lock_irqsave(&s->lock, flags);
	list_for_each_entry(t, &proc->threads, pnode)
		n++;
	spin_unlock_irqrestore(&s->lock, flags);
	cap = min_t(u32, n + 16, (NT_MAX_RECORD - NT_REPLY_HDR - sizeof(*rep)) / sizeof(*info));
	r = nt_reply_alloc(h, 0, sizeof(*rep) + cap * sizeof(*info), GFP_KERNEL_ACCOUNT);
	if (!r)
		return -ENOMEM;
	rep = nt_payload(r);
	info = (struct ntrace_thread_info *)(rep + 1);
	n = 0;
	spin_lock_irqsave(&s->lock, flags);
	list_for_each_entry(t, &proc->threads, pnode) {
		if (n == cap)
			break;
		nt_fill_thread(s, t, &info[n].thread);
		info[n].stop_id = t->stopped ? t->stop_id : 0;
		info[n].state = t->stopped ? NTRACE_THREAD_STOPPED :
			(t->task->flags & PF_EXITING) ? NTRACE_THREAD_EXITING :
			NTRACE_THREAD_RUNNING;
		n++;
	}
	spin_unlock_irqrestore(&s->lock, flags);
	rep->count = n;
	/* Trim the record to what was filled. */
	r->len = NTRACE_RECORD_ALIGN(NT_REPLY_HDR + sizeof(*rep) + n * sizeof(*info));
	((struct ntrace_hdr *)r->data)->len = r->len;
	*out = r;
	return 0;
}

/* Add every thread of @leader's group; rescan until a pass finds nothing new. */
static int nt_attach_threads(struct nt_proc *proc, struct task_struct *leader)
{
	struct nt_thread **spare;
	struct task_struct *tsk;
	unsigned long flags;
	int pass, i, n, nspare, ret = 0;
	bool more;

	for (pass = 0; pass < 64; pass++) {
		n = 0;
		rcu_read_lock();
		for_each_thread(leader, tsk)
			n++;
		rcu_read_unlock();
		nspare = n + 4;
		spare = kcalloc(nspare, sizeof(*spare), GFP_KERNEL_ACCOUNT);
		if (!spare)
			return -ENOMEM;
		for (i = 0; i < nspare; i++) {
			spare[i] = nt_thread_new(proc, NULL, GFP_KERNEL_ACCOUNT);
			if (!spare[i]) {
				ret = -ENOMEM;
				goto free;
			}
		}
		more = false;
		/* The hash's lock too: a thread of any session there means EBUSY. */
		spin_lock_irqsave(&proc->s->lock, flags);
		spin_lock(&nt_hash_lock);
		rcu_read_lock();
		for_each_thread(leader, tsk) {
			struct nt_thread *t = nt_find_task(tsk);

			if (t) {
				if (t->proc != proc) {
					ret = -EBUSY; /* another session (or proc) controls it */
					break;
				}
				continue;
			}
			if (tsk->flags & PF_EXITING)
				continue;
			if (!nspare) {
				more = true;
				break;
			}
			t = spare[--nspare];
			spare[nspare] = NULL;
			get_task_struct(tsk);
			t->task = tsk;
			nt_thread_link_hashed(t);
			more = true;
		}
		rcu_read_unlock();
		spin_unlock(&nt_hash_lock);
		spin_unlock_irqrestore(&proc->s->lock, flags);
free:
		for (i = 0; i < n + 4; i++)
			if (spare[i])
				nt_thread_put(spare[i]);
		kfree(spare);
		if (ret || !more)
			return ret;
	}
	return 0;
}

/*
 * Testing only (the selftest's attach_window): a sleep this long between ATTACH's permission
 * check and the hashing of the threads, where an exec that is not held off by
 * cred_guard_mutex would finish unseen. Writable by root; 0 (the default): nothing.
 */
static unsigned int nt_test_attach_delay_ms;
module_param_named(test_attach_delay_ms, nt_test_attach_delay_ms, uint, 0644);
MODULE_PARM_DESC(test_attach_delay_ms, "testing only: sleep between ATTACH's check and hashing (ms)");

static int nt_cmd_attach(struct nt_session *s, const struct ntrace_hdr *h, struct nt_rec **out)
{
	struct mm_struct *mm = NULL;
	struct task_struct *task;
	struct ntrace_cmd_attach c;
	struct nt_proc *proc;
	struct nt_thread *t;
	unsigned long flags;
	struct pid *pid;
	int err;

	err = nt_cmd_struct(h, &c, sizeof(c), false);
	if (err)
		return err;
	if (c.flags & ~(NTRACE_ATTACH_STOP | NTRACE_ATTACH_KILL_ON_CLOSE |
			NTRACE_ATTACH_STOP_AT_EXEC))
		return -EINVAL;
	if (c.pid <= 0)
		return -ESRCH;
	if (nt_proc_find(s, c.pid))
		return -EBUSY;
	if (READ_ONCE(s->nprocs) >= NT_MAX_PROCS)
		return -ENOSPC;
	rcu_read_lock();
	pid = get_pid(find_pid_ns(c.pid, s->pidns));
	rcu_read_unlock();
	if (!pid)
		return -ESRCH;
	task = get_pid_task(pid, PIDTYPE_TGID); /* a process id, not a thread id */
	if (!task) {
		put_pid(pid);
		return -ESRCH;
	}
	if ((task->flags & PF_KTHREAD) || same_thread_group(task, current)) {
		err = -EPERM;
		goto out_task;
	}
	/*
	 * ptrace_attach()'s rule: the check and the hashing of every thread happen under the
	 * target's cred_guard_mutex, which an exec holds from prepare_bprm_creds() until its
	 * credentials and dumpability are final. An exec that starts later finds the threads
	 * hashed and revokes (nt_probe_exec); one under way completes first and the check sees
	 * the new image.
	 */
	err = mutex_lock_killable(&task->signal->cred_guard_mutex);
	if (err)
		goto out_task;
	err = nt_may_attach(s, task, c.pid, &mm);
	if (err)
		goto out_unlock;
	if (unlikely(READ_ONCE(nt_test_attach_delay_ms)))
		msleep(READ_ONCE(nt_test_attach_delay_ms));

	proc = kzalloc(sizeof(*proc), GFP_KERNEL_ACCOUNT);
	if (!proc) {
		err = -ENOMEM;
		goto out_unlock;
	}
	proc->s = s;
	proc->mm = mm;
	proc->pid = pid;
	pid = NULL;
	proc->vpid = c.pid;
	proc->attach_flags = c.flags;
	proc->stop_at_exec = c.flags & NTRACE_ATTACH_STOP_AT_EXEC;
	/* Every signal stops and reports until SET_OPTIONS says otherwise; never SIGKILL. */
	proc->stop_sigs = ~0ULL & ~BIT_ULL(SIGKILL - 1);
	INIT_LIST_HEAD(&proc->threads);
	proc->bps = RB_ROOT;
	INIT_LIST_HEAD(&proc->hws);
	spin_lock_irqsave(&s->lock, flags);
	list_add_tail(&proc->node, &s->procs);
	s->nprocs++;
	spin_unlock_irqrestore(&s->lock, flags);

	err = nt_attach_threads(proc, task);
	if (!err && list_empty(&proc->threads))
		err = -ESRCH; /* exiting */
	if (err) {
		nt_proc_drop(proc);
		goto out_unlock;
	}
	mutex_unlock(&task->signal->cred_guard_mutex);
	s->attached = true;
	if (c.flags & NTRACE_ATTACH_STOP) {
		spin_lock_irqsave(&s->lock, flags);
		list_for_each_entry(t, &proc->threads, pnode)
			nt_queue_stop(t, NT_P_ATTACH, TWA_SIGNAL);
		spin_unlock_irqrestore(&s->lock, flags);
	}
	err = nt_reply_threads(s, h, proc, out);
	goto out_task;
out_unlock:
	mutex_unlock(&task->signal->cred_guard_mutex);
out_task:
	put_task_struct(task);
	put_pid(pid);
	return err;
}

/* ---------------------------------------------------------------- DETACH / KILL / LIST */

static int nt_cmd_pid(struct nt_session *s, const struct ntrace_hdr *h, struct nt_proc **procp)
{
	struct ntrace_cmd_pid c;
	int err = nt_cmd_struct(h, &c, sizeof(c), false);

	if (err)
		return err;
	if (c.reserved)
		return -EINVAL;
	*procp = nt_proc_find(s, c.pid);
	return *procp ? 0 : -ESRCH;
}

static int nt_cmd_detach(struct nt_session *s, const struct ntrace_hdr *h, struct nt_rec **out)
{
	struct nt_proc *proc;
	int err = nt_cmd_pid(s, h, &proc);

	if (err)
		return err;
	nt_proc_release(s, proc, NTRACE_DETACHED_REQUEST);
	return 0;
}

static int nt_cmd_kill(struct nt_session *s, const struct ntrace_hdr *h, struct nt_rec **out)
{
	struct nt_proc *proc;
	int err = nt_cmd_pid(s, h, &proc);

	if (err)
		return err;
	/* SIGKILL ends every park (TASK_KILLABLE); PROC_EXIT follows from the exit hook. */
	return kill_pid(proc->pid, SIGKILL, 1);
}

static int nt_cmd_list(struct nt_session *s, const struct ntrace_hdr *h, struct nt_rec **out)
{
	struct nt_proc *proc;
	int err = nt_cmd_pid(s, h, &proc);

	if (err)
		return err;
	return nt_reply_threads(s, h, proc, out);
}

/* ---------------------------------------------------------------- SET_OPTIONS */

static int nt_cmd_set_options(struct nt_session *s, const struct ntrace_hdr *h,
			      struct nt_rec **out)
{
	struct ntrace_cmd_set_options c;
	struct nt_proc *proc;
	unsigned long flags;
	int err;

	err = nt_cmd_struct(h, &c, sizeof(c), false);
	if (err)
		return err;
	proc = nt_proc_find(s, c.pid);
	if (!proc)
		return -ESRCH;
	if (c.flags & ~NTRACE_OPT_ALL_STOP)
		return -EINVAL;
	if (c.events & ~NT_EVENTS_SUPPORTED)
		return -EOPNOTSUPP;
	if (c.events & NTRACE_EVENT_SYSCALL_EXIT) {
		/* Held from the first syscall-exit stop until the session closes. */
		err = nt_want_sys_exit(s);
		if (err)
			return err;
	}
	spin_lock_irqsave(&s->lock, flags);
	proc->opts = c.flags;
	proc->events = c.events;
	proc->stop_sigs = c.stop_signals & ~BIT_ULL(SIGKILL - 1);
	memcpy(proc->syscalls, c.syscalls, sizeof(proc->syscalls));
	spin_unlock_irqrestore(&s->lock, flags);
	return 0;
}

/* ---------------------------------------------------------------- STOP / RESUME */

static int nt_cmd_stop(struct nt_session *s, const struct ntrace_hdr *h, struct nt_rec **out)
{
	struct ntrace_cmd_stop c;
	struct nt_proc *proc;
	struct nt_thread *t;
	unsigned long flags;
	int err, found = 0;

	err = nt_cmd_struct(h, &c, sizeof(c), false);
	if (err)
		return err;
	if (c.reserved)
		return -EINVAL;
	proc = nt_proc_find(s, c.pid);
	if (!proc)
		return -ESRCH;
	err = nt_proc_check(s, proc);
	if (err)
		return err;
	spin_lock_irqsave(&s->lock, flags);
	if (c.handle) {
		t = nt_find_handle(s, c.handle);
		if (t && t->proc == proc) {
			found++;
			if (!t->stopped)
				nt_queue_stop(t, NT_P_REQUESTED, TWA_SIGNAL);
		}
	} else {
		list_for_each_entry(t, &proc->threads, pnode) {
			found++;
			if (!t->stopped)
				nt_queue_stop(t, NT_P_REQUESTED, TWA_SIGNAL);
		}
	}
	spin_unlock_irqrestore(&s->lock, flags);
	return found ? 0 : -ESRCH;
}

static int nt_cmd_resume(struct nt_session *s, const struct ntrace_hdr *h, struct nt_rec **out)
{
	struct ntrace_cmd_resume c;
	struct nt_thread *t;
	unsigned long flags;
	int err;

	err = nt_cmd_struct(h, &c, sizeof(c), false);
	if (err)
		return err;
	if (c.mode > NTRACE_RESUME_SYSCALL || c.sig < NTRACE_SIG_PASS || c.sig >= _NSIG ||
	    ((c.range_start || c.range_end) && c.mode != NTRACE_RESUME_RANGE_STEP))
		return -EINVAL;
	if (c.mode == NTRACE_RESUME_SYSCALL)
		return -EOPNOTSUPP; /* no syscall stops */
	if (c.mode != NTRACE_RESUME_CONT) {
		err = nt_want_sys_exit(s);
		if (err)
			return err;
	}
	t = nt_thread_get(s, c.handle);
	if (!t)
		return -ESRCH;
	err = nt_thread_check(s, t);
	if (err) {
		nt_thread_put(t);
		return err;
	}
	spin_lock_irqsave(&s->lock, flags);
	err = t->proc ? nt_thread_resume(t, &c) : -ESRCH;
	spin_unlock_irqrestore(&s->lock, flags);
	nt_thread_put(t);
	return err;
}

/* ---------------------------------------------------------------- registers, siginfo */

static int nt_cmd_regs(struct nt_session *s, const struct ntrace_hdr *h, struct nt_rec **out)
{
	bool set = h->type == NTRACE_CMD_SET_REGS;
	const struct user_regset *rs;
	struct ntrace_regs_reply *rep;
	struct ntrace_cmd_regs c;
	struct nt_req req = {};
	struct nt_thread *t;
	struct nt_rec *r = NULL;
	u32 size;
	int err;

	err = nt_cmd_struct(h, &c, sizeof(c), set);
	if (err)
		return err;
	if (c.regset != NTRACE_REGSET_GPR && c.regset != NTRACE_REGSET_FPR &&
	    c.regset != NTRACE_REGSET_XSTATE)
		return -EINVAL;
	if (set ? h->len < sizeof(c) + c.len || h->len - sizeof(c) - c.len >= NTRACE_ALIGN :
		  c.len != 0)
		return -EINVAL;
	rs = nt_find_regset(c.regset);
	if (!rs)
		return -EOPNOTSUPP;
	size = rs->n * rs->size;
	if (set && c.len != size)
		return -EINVAL; /* e.g. the 68 bytes of an ia32 NT_PRSTATUS */
	t = nt_thread_get(s, c.handle);
	if (!t)
		return -ESRCH;
	err = nt_thread_check(s, t);
	if (err)
		goto out;
	req.regset = c.regset;
	req.rs = rs;
	if (set) {
		req.op = NT_REQ_SET_REGS;
		req.buf = (u8 *)h + sizeof(c);
		req.len = c.len;
		if (c.regset == NTRACE_REGSET_GPR)
			err = nt_thread_call(t, c.stop_id, &req);
		else
			err = nt_set_fpu(t, c.stop_id, rs, req.buf, c.len);
	} else {
		r = nt_reply_alloc(h, 0, sizeof(*rep) + size, GFP_KERNEL_ACCOUNT);
		if (!r) {
			err = -ENOMEM;
			goto out;
		}
		rep = nt_payload(r);
		req.op = NT_REQ_GET_REGS;
		req.buf = rep + 1;
		req.len = size;
		err = nt_thread_call(t, c.stop_id, &req);
		if (!err) {
			rep->len = req.len;
			*out = r;
			r = NULL;
		}
	}
out:
	kfree(r);
	nt_thread_put(t);
	return err;
}

/*
 * SET_SIGINFO: replaces the stop's siginfo; the parked thread applies it when it delivers the
 * signal named by its si_signo (as ptrace does).
 */
static int nt_cmd_set_siginfo(struct nt_session *s, const struct ntrace_hdr *h)
{
	struct ntrace_cmd_siginfo c;
	struct nt_thread *t;
	unsigned long flags;
	int err;

	if (h->len != sizeof(c) + NTRACE_SIGINFO_SIZE)
		return -EINVAL;
	err = nt_cmd_struct(h, &c, sizeof(c), true);
	if (err)
		return err;
	t = nt_thread_get(s, c.handle);
	if (!t)
		return -ESRCH;
	err = nt_thread_check(s, t);
	if (err) {
		nt_thread_put(t);
		return err;
	}
	spin_lock_irqsave(&s->lock, flags);
	if (!t->proc || !t->stopped || (c.stop_id && c.stop_id != t->stop_id)) {
		err = !t->proc ? -ESRCH : c.stop_id ? -ESTALE : -EBUSY;
	} else if (!t->stop_signo) {
		err = -EINVAL;
	} else {
		/* Kept whole, si_signo too: RESUME applies it only to that signal. */
		memcpy(&t->stop_info, (const u8 *)h + sizeof(c), sizeof(t->stop_info));
		t->siginfo_set = true;
	}
	spin_unlock_irqrestore(&s->lock, flags);
	nt_thread_put(t);
	return err;
}

static int nt_cmd_get_siginfo(struct nt_session *s, const struct ntrace_hdr *h,
			      struct nt_rec **out)
{
	struct ntrace_cmd_siginfo c;
	struct nt_thread *t;
	unsigned long flags;
	struct nt_rec *r;
	int err;

	err = nt_cmd_struct(h, &c, sizeof(c), false);
	if (err)
		return err;
	r = nt_reply_alloc(h, 0, NTRACE_SIGINFO_SIZE, GFP_KERNEL_ACCOUNT);
	if (!r)
		return -ENOMEM;
	t = nt_thread_get(s, c.handle);
	if (!t) {
		kfree(r);
		return -ESRCH;
	}
	err = nt_thread_check(s, t);
	if (err) {
		nt_thread_put(t);
		kfree(r);
		return err;
	}
	spin_lock_irqsave(&s->lock, flags);
	if (!t->stopped || (c.stop_id && c.stop_id != t->stop_id))
		err = c.stop_id ? -ESTALE : -EBUSY;
	else if (!t->stop_signo)
		err = -EINVAL;
	else
		memcpy(nt_payload(r), &t->stop_info, sizeof(t->stop_info));
	spin_unlock_irqrestore(&s->lock, flags);
	nt_thread_put(t);
	if (err)
		kfree(r);
	else
		*out = r;
	return err;
}

/* ---------------------------------------------------------------- memory */

static int nt_cmd_mem(struct nt_session *s, const struct ntrace_hdr *h, struct nt_rec **out)
{
	bool write = h->type == NTRACE_CMD_WRITE_MEM;
	struct ntrace_mem_reply *rep;
	struct ntrace_cmd_mem c;
	struct nt_proc *proc;
	struct nt_rec *r;
	unsigned long flags;
	struct nt_mem m;
	struct nt_bp *bp;
	u8 *buf = NULL;
	int n, err;

	err = nt_cmd_struct(h, &c, sizeof(c), write);
	if (err)
		return err;
	if (write ? h->len < sizeof(c) + c.len || h->len - sizeof(c) - c.len >= NTRACE_ALIGN :
		    c.len > NT_MAX_RECORD - NT_REPLY_HDR - sizeof(*rep))
		return -EINVAL;
	proc = nt_proc_find(s, c.pid);
	if (!proc)
		return -ESRCH;
	r = nt_reply_alloc(h, 0, sizeof(*rep) + (write ? 0 : c.len), GFP_KERNEL_ACCOUNT);
	if (!r)
		return -ENOMEM;
	rep = nt_payload(r);
	if (write) {
		buf = kmemdup((u8 *)h + sizeof(c), c.len, GFP_KERNEL_ACCOUNT);
		if (!buf) {
			kfree(r);
			return -ENOMEM;
		}
	}
	err = nt_mem_begin(s, proc, false, &m);
	if (err == -EACCES)
		nt_proc_release(s, proc, NTRACE_DETACHED_PRIVILEGE);
	if (err)
		goto out;
	if (write) {
		/* Under a breakpoint: update the saved byte, keep the int3. */
		mutex_lock(&s->bp_lock);
		spin_lock_irqsave(&s->lock, flags);
		for (bp = nt_bp_first_from(proc, c.addr); bp && bp->addr - c.addr < c.len;
		     bp = rb_entry_safe(rb_next(&bp->rb), struct nt_bp, rb)) {
			bp->orig = buf[bp->addr - c.addr];
			buf[bp->addr - c.addr] = 0xcc;
		}
		spin_unlock_irqrestore(&s->lock, flags);
		n = access_process_vm(m.task, c.addr, buf, c.len, FOLL_FORCE | FOLL_WRITE);
		mutex_unlock(&s->bp_lock);
	} else {
		u8 *dst = (u8 *)(rep + 1);

		n = access_process_vm(m.task, c.addr, dst, c.len, FOLL_FORCE);
		/* Show the original bytes under our breakpoints. */
		spin_lock_irqsave(&s->lock, flags);
		for (bp = n > 0 ? nt_bp_first_from(proc, c.addr) : NULL;
		     bp && bp->addr - c.addr < n;
		     bp = rb_entry_safe(rb_next(&bp->rb), struct nt_bp, rb))
			dst[bp->addr - c.addr] = bp->orig;
		spin_unlock_irqrestore(&s->lock, flags);
	}
	nt_mem_end(&m);
	if (n <= 0 && c.len) {
		err = -EIO;
		goto out;
	}
	rep->len = max(n, 0);
	r->len = NTRACE_RECORD_ALIGN(NT_REPLY_HDR + sizeof(*rep) + (write ? 0 : rep->len));
	((struct ntrace_hdr *)r->data)->len = r->len;
	*out = r;
	r = NULL;
out:
	kfree(buf);
	kfree(r);
	return err;
}

/* ---------------------------------------------------------------- breakpoints */

/* SET_BP with NTRACE_SETBP_REPLACE: a new list for an existing breakpoint, no reference. */
static int nt_bp_replace_exprs(struct nt_session *s, struct nt_proc *proc,
			       const struct ntrace_cmd_bp *c, struct nt_exprs **x)
{
	unsigned long flags;
	struct nt_bp *bp;
	int err = -ENOENT;

	if (c->kind != NTRACE_BP_SW)
		return nt_hw_set_exprs(proc, c->addr, c->len, c->kind, x);
	spin_lock_irqsave(&s->lock, flags);
	bp = nt_bp_find(proc, c->addr);
	if (bp && !bp->removing)
		err = nt_exprs_swap(proc, &bp->exprs, x);
	spin_unlock_irqrestore(&s->lock, flags);
	return err;
}

static int nt_cmd_bp(struct nt_session *s, const struct ntrace_hdr *h, struct nt_rec **out)
{
	bool set = h->type == NTRACE_CMD_SET_BP;
	bool replace = set && (h->flags & NTRACE_SETBP_REPLACE);
	struct nt_exprs *x = NULL;
	struct ntrace_cmd_bp c;
	struct nt_bp *bp, *nbp = NULL;
	struct nt_proc *proc;
	unsigned long flags;
	u8 orig, int3 = 0xcc;
	struct nt_mem m;
	int err;

	/* The expressions follow the struct, then zeros up to the record's alignment. */
	err = nt_cmd_struct(h, &c, sizeof(c), true);
	if (err)
		return err;
	if (c.kind > NTRACE_BP_ACCESS || (!set && c.cond_len) ||
	    (h->len > sizeof(c) &&
	     (c.cond_len > h->len - sizeof(c) ||
	      memchr_inv((const u8 *)h + sizeof(c) + c.cond_len, 0,
			 h->len - sizeof(c) - c.cond_len))))
		return -EINVAL;
	if (h->len < sizeof(c) && c.cond_len)
		return -EINVAL;
	proc = nt_proc_find(s, c.pid);
	if (!proc)
		return -ESRCH;
	err = nt_exprs_parse((const u8 *)h + sizeof(c), c.cond_len, &x);
	if (err)
		return err;
	if (replace) {
		err = nt_bp_replace_exprs(s, proc, &c, &x);
		nt_exprs_put(x);
		return err;
	}
	if (set && c.kind == NTRACE_BP_SW) {
		/* Resuming at a breakpoint steps over it. */
		err = nt_want_sys_exit(s);
		if (err)
			goto out_free;
		nbp = kzalloc(sizeof(*nbp), GFP_KERNEL_ACCOUNT);
		if (!nbp) {
			err = -ENOMEM;
			goto out_free;
		}
	}
	/* Every kind is an access to the memory (a READ watchpoint reads the watched value). */
	err = nt_mem_begin(s, proc, false, &m);
	if (err == -EACCES)
		nt_proc_release(s, proc, NTRACE_DETACHED_PRIVILEGE);
	if (err)
		goto out_free;
	if (c.kind != NTRACE_BP_SW) {
		err = nt_hw_set(proc, c.addr, c.len, c.kind, set);
		/* Each SET_BP sets the whole list, as gdb's Z packets do. */
		if (!err && set) {
			err = nt_hw_set_exprs(proc, c.addr, c.len, c.kind, &x);
			if (err) /* over the expression bound: undo the reference */
				nt_hw_set(proc, c.addr, c.len, c.kind, false);
		}
		goto out;
	}

	/*
	 * The int3 is written after the breakpoint is listed, and the original byte before it
	 * is unlisted, so the die notifier knows every int3 of ours a thread can execute. A
	 * hit while CLEAR_BP restores the byte (bp->removing) retries the instruction.
	 */
	mutex_lock(&s->bp_lock);
	spin_lock_irqsave(&s->lock, flags);
	bp = nt_bp_find(proc, c.addr);
	if (set && bp) {
		if (bp->refs == U32_MAX)
			err = -ENOSPC;
		else
			err = nt_exprs_swap(proc, &bp->exprs, &x);
		if (!err)
			bp->refs++; /* setting twice is a reference count */
	} else if (!set && !bp) {
		err = -ENOENT;
	} else if (!set && --bp->refs) {
		bp = NULL;
	} else if (!set) {
		bp->removing = true;
	} else if (proc->nbps >= NT_MAX_BPS) {
		err = -ENOSPC;
	}
	spin_unlock_irqrestore(&s->lock, flags);
	if (!set) {
		if (bp) {
			if (unlikely(READ_ONCE(nt_test_release_delay_ms)))
				msleep(READ_ONCE(nt_test_release_delay_ms));
			err = nt_poke(m.task, bp->addr, &bp->orig, 1);
			spin_lock_irqsave(&s->lock, flags);
			nt_bp_erase(proc, bp);
			spin_unlock_irqrestore(&s->lock, flags);
			nt_bp_free(bp);
		}
		goto out_unlock;
	}
	if (err || bp)
		goto out_unlock; /* refused, or existed */

	if (access_process_vm(m.task, c.addr, &orig, 1, FOLL_FORCE) != 1) {
		err = -EIO;
		goto out_unlock;
	}
	nbp->addr = c.addr;
	nbp->orig = orig;
	nbp->refs = 1;
	spin_lock_irqsave(&s->lock, flags);
	err = nt_exprs_swap(proc, &nbp->exprs, &x);
	if (!err)
		nt_bp_insert(proc, nbp);
	spin_unlock_irqrestore(&s->lock, flags);
	if (err)
		goto out_unlock;
	if (nt_poke(m.task, c.addr, &int3, 1)) {
		spin_lock_irqsave(&s->lock, flags);
		nt_bp_erase(proc, nbp);
		spin_unlock_irqrestore(&s->lock, flags);
		err = -EIO;
	} else {
		nbp = NULL;
	}
out_unlock:
	mutex_unlock(&s->bp_lock);
out:
	nt_mem_end(&m);
out_free:
	if (nbp)
		nt_bp_free(nbp);
	nt_exprs_put(x);
	return err;
}

/* ---------------------------------------------------------------- dispatch */

/*
 * Testing only (the selftest's lock_per_session): the next command of any session holds its
 * session's lock, busy and with interrupts off as every holder, for up to test_lock_hold_ms,
 * showing test_lock_holding = 1 meanwhile; writing 0 to test_lock_holding ends the hold. A
 * command of another session must complete inside the hold (one lock per session; the
 * global nt_lock made it wait). Writable by root; 0 (the default): nothing.
 */
static unsigned int nt_test_lock_hold_ms;
module_param_named(test_lock_hold_ms, nt_test_lock_hold_ms, uint, 0644);
MODULE_PARM_DESC(test_lock_hold_ms, "testing only: the next command holds its session's lock (ms)");
static unsigned int nt_test_lock_holding;
module_param_named(test_lock_holding, nt_test_lock_holding, uint, 0644);
MODULE_PARM_DESC(test_lock_holding, "testing only: 1 during that hold; writing 0 ends it");

static void nt_test_hold_lock(struct nt_session *s)
{
	unsigned int ms = READ_ONCE(nt_test_lock_hold_ms);
	unsigned long flags, us;

	if (likely(!ms) || cmpxchg(&nt_test_lock_hold_ms, ms, 0) != ms)
		return;
	spin_lock_irqsave(&s->lock, flags);
	WRITE_ONCE(nt_test_lock_holding, 1);
	for (us = 0; us < ms * 1000UL && READ_ONCE(nt_test_lock_holding); us += 100)
		udelay(100);
	WRITE_ONCE(nt_test_lock_holding, 0);
	spin_unlock_irqrestore(&s->lock, flags);
}

/* @reply: a bare reply allocated by the writer, used for an error and freed otherwise. */
void nt_do_command(struct nt_session *s, const struct ntrace_hdr *h, struct nt_rec *reply)
{
	struct nt_rec *r = NULL;
	int err;

	nt_test_hold_lock(s);
	nt_adopt_procs(s);
	nt_reap_procs(s);
	if (!s->hello && h->type != NTRACE_CMD_HELLO) {
		err = -EPROTO;
		goto reply;
	}
	if (h->flags && !(h->type == NTRACE_CMD_SET_BP && h->flags == NTRACE_SETBP_REPLACE)) {
		err = -EINVAL; /* only SET_BP defines a flag in ABI 1 */
		goto reply;
	}
	switch (h->type) {
	case NTRACE_CMD_HELLO:
		err = nt_cmd_hello(s, h, &r);
		break;
	case NTRACE_CMD_ATTACH:
		err = nt_cmd_attach(s, h, &r);
		break;
	case NTRACE_CMD_DETACH:
		err = nt_cmd_detach(s, h, &r);
		break;
	case NTRACE_CMD_KILL:
		err = nt_cmd_kill(s, h, &r);
		break;
	case NTRACE_CMD_SET_OPTIONS:
		err = nt_cmd_set_options(s, h, &r);
		break;
	case NTRACE_CMD_STOP:
		err = nt_cmd_stop(s, h, &r);
		break;
	case NTRACE_CMD_RESUME:
		err = nt_cmd_resume(s, h, &r);
		break;
	case NTRACE_CMD_GET_REGS:
	case NTRACE_CMD_SET_REGS:
		err = nt_cmd_regs(s, h, &r);
		break;
	case NTRACE_CMD_READ_MEM:
	case NTRACE_CMD_WRITE_MEM:
		err = nt_cmd_mem(s, h, &r);
		break;
	case NTRACE_CMD_GET_SIGINFO:
		err = nt_cmd_get_siginfo(s, h, &r);
		break;
	case NTRACE_CMD_SET_BP:
	case NTRACE_CMD_CLEAR_BP:
		err = nt_cmd_bp(s, h, &r);
		break;
	case NTRACE_CMD_LIST_THREADS:
		err = nt_cmd_list(s, h, &r);
		break;
	case NTRACE_CMD_SET_SIGINFO:
		err = nt_cmd_set_siginfo(s, h);
		break;
	case NTRACE_CMD_LAUNCH: /* composed in userspace: fork, ATTACH STOP_AT_EXEC, exec */
		err = -EOPNOTSUPP;
		break;
	default:
		err = -EINVAL;
		break;
	}
reply:
	if (err || !r) {
		kfree(r);
		nt_reply_error(s, h, err, reply);
		return;
	}
	kfree(reply);
	nt_emit_reply(s, r);
}

void nt_session_teardown(struct nt_session *s)
{
	struct nt_proc *proc, *tmp;
	unsigned long flags;

	mutex_lock(&s->cmd_lock);
	/* No fork child is followed from now on: the last ones join the procs. */
	spin_lock_irqsave(&s->lock, flags);
	s->closing = true;
	spin_unlock_irqrestore(&s->lock, flags);
	nt_adopt_procs(s);
	list_for_each_entry_safe(proc, tmp, &s->procs, node) {
		if (!proc->exited) {
			nt_proc_remove_bps(s, proc);
			if (proc->attach_flags & NTRACE_ATTACH_KILL_ON_CLOSE)
				kill_pid(proc->pid, SIGKILL, 1);
		}
		nt_proc_drop(proc);
	}
	mutex_unlock(&s->cmd_lock);
}
