/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ntrace kernel provider: shared definitions of the session (ntrace_main.c), the commands
 * (ntrace_cmd.c), the traced threads (ntrace_thread.c), their stops (ntrace_park.c,
 * ntrace_allstop.c), software breakpoints (ntrace_bp.c), their conditions and commands
 * (ntrace_cond.c), debug registers (ntrace_hw.c), the kernel hooks (ntrace_hooks.c) and fork
 * following (ntrace_fork.c).
 *
 * Lock order (outermost first):
 *
 *   session->cmd_lock (mutex, one command at a time per session)
 *     -> target signal->cred_guard_mutex (ATTACH: check and hashing; the kernel's exec
 *        holds it from prepare_bprm_creds() to setup_new_exec())
 *       -> target signal->exec_update_lock (read: every memory access, nt_mem_begin; mm_access
 *          in ATTACH's /proc/<pid>/mem check; an exec holds it for writing)
 *         -> session->bp_lock (mutex: int3 and original-byte writes with their bps changes;
 *            also taken by the target's own threads, in task_work, without the locks above)
 *           -> the target's mmap_lock (access_process_vm, get_user_pages_remote)
 *   nt_sys_exit_lock (mutex, global: sys_exit registration) nests in cmd_lock and, at
 *   close, alone; session->read_lock (mutex) is the readers' and nests nothing of ours but
 *   qlock.
 *
 *   sighand->siglock (held by the kernel around signal_generate and signal_deliver; taken
 *                     by a thread giving back the signals held for it, nt_signal_unhold)
 *     -> session->lock (spinlock, irqsave, one per session: its proc and thread lists,
 *                       handle tree, thread stop state, breakpoint trees; taken under the
 *                       mutexes above too; never two sessions' at once)
 *       -> nt_hash_lock (global spinlock: changes of the thread hash, and ATTACH's
 *                        check-and-hash of a whole thread group)
 *       -> session->qlock (spinlock, irqsave: the record queue)
 *       -> what session->lock's holders call into: task_work_add(TWA_SIGNAL)
 *          (set_notify_signal's wake-up: the target's pi_lock and rq lock), wake_up() of
 *          t->wq, nt_gate_wq and session->readq (and, through readq, epoll's ep->lock),
 *          schedule_delayed_work() (the timer base); never the perf/hw-breakpoint core
 *          (nt_hw_set drops it first).
 *
 * session->lock is taken from tracepoints (preemption off), from the die notifier and the
 * hw breakpoint handler (IRQs off) and under siglock, so nothing that sleeps, takes siglock
 * or touches user memory may run under it. The hooks find a task's thread by an RCU lookup
 * of the hash (nt_task_traced, then nt_lock_task, which takes the thread's session lock and
 * checks it is still hashed: a thread is unhashed only under its session's lock), so the
 * forks, signals, syscalls and int3s of the machine's other tasks take no lock, and one
 * session's never contend with another's but for nt_hash_lock when threads come and go.
 * Threads and sessions are freed after an RCU grace period. A session pointer reached
 * through a thread or proc is only valid under its lock while the thread is attached:
 * release() unlinks everything under it; a thread's own reference (t->s) keeps the struct
 * (its locks and wait queues) alive after that, until the thread is freed.
 *
 * Lifetimes: a struct nt_thread is kref-counted; its proc membership holds one reference and
 * every queued task_work holds another plus a module reference, so a callback that runs after
 * the session closed (task_work_cancel is not exported) still finds valid memory and code.
 * Procs are freed only under session->cmd_lock, so command code may use them while holding it.
 * A breakpoint's agent expressions (struct nt_exprs) are kref-counted: the breakpoint holds
 * one, a hit evaluating them (nt_filter_hits, no lock held) takes another under the session
 * lock, so
 * SET_BP may replace them and CLEAR_BP free the breakpoint meanwhile; the last put frees them
 * in any context (kfree only).
 *
 * Fork following (ntrace_fork.c): the fork hook runs in the parent with preemption off, so it
 * builds the child's proc under the session's lock with atomic allocations and hangs it on
 * session->newprocs (under that lock only); the next command, under cmd_lock, moves it to
 * session->procs (nt_adopt_procs), which commands walk without it. Release sets
 * session->closing under it first, so no child is added after the last adoption.
 *
 * All-stop gate (proc->gate, under the session's lock): a stopping thread waits on a global
 * waitqueue, holding no lock, for its siblings to be held (t->in_stop or parked) or for the gate
 * to open. A FORK/VFORK stop, published by the fork hook where nothing may sleep, is the one
 * exception to "its thread waits": with others to hold, its record stays on the parent
 * (early_rec) and the child passes the gate for the parent (nt_fork_release_parent) in its
 * first task_work, before its first instruction, then publishes the record; the parent's exit
 * or detach publishes it first if that comes earlier.
 */
#ifndef _NTRACE_INTERNAL_H
#define _NTRACE_INTERNAL_H

#include <linux/completion.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rbtree.h>
#include <linux/sched.h>
#include <linux/signal.h>
#include <linux/spinlock.h>
#include <linux/task_work.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <asm/user.h>

#include "include/uapi/ntrace.h"

struct user_regset;

#define NT_MAX_RECORD 65536
/* Bound on queued droppable reports, as the userspace provider's: past it, LOST. */
#define NT_QUEUE_BYTES (1U << 16)
/*
 * Bound on the memory of queued replies (each command has one, which cannot be dropped):
 * past it, write() waits for the reader (EAGAIN with O_NONBLOCK). Stops are bounded by the
 * threads (one slot each), other events by the processes.
 */
#define NT_REPLY_BYTES (1U << 20)
/* Software breakpoints per process. */
#define NT_MAX_BPS 16384
/* Bytes of agent expressions (conditions, commands) per SET_BP and per process. */
#define NT_MAX_EXPR_BYTES 32768
#define NT_PROC_EXPR_BYTES (1U << 20)
/* Text one breakpoint command may print into one OUTPUT record. */
#define NT_OUTPUT_MAX 4000
/* Processes per session: past it, fork children are not followed (like unfollowed ones). */
#define NT_MAX_PROCS 64

enum nt_rec_kind {
	NT_REC_EVENT, /* a stop, PROC_EXIT, DETACHED, LOST: never dropped */
	NT_REC_REPORT, /* THREAD_NEW/THREAD_EXIT: droppable, counted against NT_QUEUE_BYTES */
	NT_REC_REPLY, /* counted against NT_REPLY_BYTES */
};

/* A queued record: a reply, a stop or a report. */
struct nt_rec {
	struct list_head node;
	u32 len;
	u32 cost; /* bytes allocated, for NT_REPLY_BYTES */
	enum nt_rec_kind kind;
	struct task_struct *exiting; /* PROC_EXIT held until this leader's group is reapable */
	u64 data[]; /* starts with struct ntrace_hdr */
};

struct nt_session {
	struct kref ref; /* the open file's, and one per struct nt_thread */
	struct rcu_head rcu; /* freed after a grace period: nt_lock_task locks a thread's */
	spinlock_t lock; /* the session's threads, procs and breakpoints (see the lock order) */
	struct mutex cmd_lock;
	struct mutex bp_lock; /* int3 and original-byte writes, with their bps changes */
	struct mutex read_lock;
	spinlock_t qlock;
	struct list_head queue;
	u32 report_bytes;
	u32 reply_bytes;
	u64 ev_seq;
	u64 lost;
	u64 lost_first;
	wait_queue_head_t readq; /* readers and writers waiting for room */
	const struct cred *cred;
	struct pid_namespace *pidns;
	pid_t opener_tgid;
	bool hello;
	bool attached;
	bool sys_exit; /* holds the sys_exit tracepoint (nt_want_sys_exit), under cmd_lock */
	atomic64_t next_handle;
	struct list_head procs; /* nt_proc, under the session lock and cmd_lock */
	struct list_head newprocs; /* followed fork children not adopted yet, under the session lock */
	u32 nprocs; /* in procs and newprocs, under the session lock */
	bool closing; /* release under way: follow no more children, under the session lock */
	struct rb_root handles; /* nt_thread.hrb of every thread in a proc, by handle, session lock */
	struct list_head exits; /* held PROC_EXIT records, under qlock */
	struct delayed_work exit_work; /* emits them once their task is a zombie */
};

/*
 * A breakpoint's agent expressions (NTRACE_CAP_COND_BYTECODE, ntrace_cond.c), verified:
 * conditions first (nconds), then commands. Immutable; a hit evaluating them holds a
 * reference, taken under the session lock, so SET_BP may replace or free the breakpoint's meanwhile.
 */
struct nt_expr {
	const u8 *code;
	u32 len;
};

struct nt_exprs {
	struct kref ref;
	u32 bytes; /* counted in proc->expr_bytes while hung on a breakpoint */
	u32 n;
	u32 nconds;
	struct nt_expr items[]; /* followed by their code */
};

struct nt_bp {
	struct rb_node rb; /* proc->bps, by address */
	u64 addr;
	u32 refs;
	u8 orig;
	bool removing; /* CLEAR_BP restoring the byte: a hit retries the instruction */
	struct nt_exprs *exprs; /* under the session lock; NULL: unconditional, no commands */
};

struct nt_proc {
	struct list_head node; /* in session->procs */
	struct nt_session *s;
	struct mm_struct *mm; /* the traced image: compared only, moved by the exec hook */
	struct pid *pid; /* the thread group */
	pid_t vpid; /* in the session's pid namespace */
	u32 attach_flags;
	u64 events;
	u64 stop_sigs; /* bit (sig - 1) */
	bool stop_at_exec;
	bool exited;
	u32 opts; /* NTRACE_OPT_*, under the session lock */
	u64 syscalls[8]; /* NTRACE_EVENT_SYSCALL_EXIT filter: bit n, syscall n; under the session lock */
	struct nt_thread *gate; /* all-stop: the thread whose stop is published first */
	struct list_head threads; /* nt_thread.pnode */
	struct rb_root bps; /* struct nt_bp by address */
	u32 nbps;
	u32 expr_bytes; /* of the nt_exprs hung on bps and hws, under the session lock */
	struct list_head hws; /* struct nt_hw: changed under cmd_lock and the session lock */
	/* A followed fork child: the parent's debug-register breakpoints, set at adoption. */
	struct nt_hw_spec *fork_hws;
	u32 fork_nhws;
};

struct nt_hw_spec {
	u64 addr;
	u32 len;
	u32 kind;
	u32 refs;
	struct nt_exprs *exprs; /* referenced */
};

/* Reasons waiting for the thread's task_work, highest priority first. */
#define NT_P_LAUNCH BIT(0)
#define NT_P_EXEC BIT(1)
#define NT_P_NEW_THREAD BIT(2)
#define NT_P_CLONE BIT(3)
#define NT_P_BREAKPOINT BIT(4)
#define NT_P_STEP BIT(5)
#define NT_P_ATTACH BIT(6)
#define NT_P_REQUESTED BIT(7)
#define NT_P_WATCH BIT(9)
#define NT_P_STEPOVER BIT(8) /* not a stop: re-insert the breakpoint stepped over */
#define NT_P_HWBP BIT(10)
#define NT_P_SYSCALL_EXIT BIT(11)
#define NT_P_VFORK_DONE BIT(12)
#define NT_P_REFETCH BIT(13) /* not a stop: write back the byte a stale int3 stood for */

enum nt_req_op { NT_REQ_GET_REGS, NT_REQ_SET_REGS, NT_REQ_FLUSH_FPU };

/* Work for a parked thread, run in its own context. */
struct nt_req {
	enum nt_req_op op;
	u32 regset;
	const struct user_regset *rs; /* x86-64 layout */
	void *buf;
	u32 len; /* in: buffer size (GET) or payload (SET); out: bytes (GET) */
	int ret;
	struct completion done;
};

struct nt_thread {
	struct hlist_node hnode; /* nt_hash, keyed by task (RCU: nt_task_traced) */
	struct rcu_head rcu; /* freed after a grace period: nt_task_traced reads t->task */
	struct list_head pnode; /* proc->threads */
	struct rb_node hrb; /* session->handles while in proc->threads */
	struct kref ref;
	struct nt_session *s; /* referenced: outlives the proc */
	struct nt_proc *proc; /* NULL once detached or exited */
	struct task_struct *task;
	u64 handle;
	struct callback_head work;
	atomic_t work_queued;
	wait_queue_head_t wq;

	/* Under the session's lock. */
	u32 pending; /* NT_P_* */
	sigset_t pend_sigs; /* intercepted signals to report */
	/*
	 * Signals taken off the kernel's queues by the signal hook for this thread to report
	 * (nt_signal_hold), thread-directed and process-wide: back on its own queue before it
	 * reports them (nt_signal_unhold), in its task_work, which is queued while any is held.
	 * Also under the target's siglock; held_any is read without it in nt_work_fn.
	 */
	struct sigpending held;
	struct sigpending held_group;
	bool held_any;
	u64 bp_addr;
	u64 refetch_addr; /* NT_P_REFETCH */
	u64 clone_handle;
	s64 clone_tid;
	u64 exec_old_tid;
	pid_t vtid; /* in the session's pid namespace: an exec by another thread changes it */
	u64 watch_addr;
	u32 watch_kind;
	u64 hwbp_addr;
	long sc_nr; /* NT_P_SYSCALL_EXIT: the syscall and its return value */
	long sc_ret;
	bool in_stop; /* between entering nt_park and leaving it: held for all-stop */
	bool stopped;
	u64 stop_id;
	int stop_signo;
	kernel_siginfo_t stop_info;
	bool resume;
	u32 resume_mode;
	int resume_sig;
	struct nt_req *req;
	bool tf_set; /* we set EFLAGS.TF for a step */
	bool range_step; /* keep stepping while range_start <= pc < range_end */
	u64 range_start;
	u64 range_end;
	bool siginfo_set; /* SET_SIGINFO replaced stop_info: applied on delivery */
	bool stepover; /* stepping over our breakpoint at stepover_addr */
	u64 stepover_addr;
	u32 stepover_mode; /* the RESUME mode that started it */
	bool orphan; /* detached with TF set: still hashed to claim its step trap */
	int skip_sig; /* signal sent by RESUME itself: not intercepted again */
	/*
	 * A FORK or VFORK stop published by the fork hook, before the thread could park (it is
	 * still in the kernel; a vfork parent waits there for its child): the thread takes the
	 * stop over from its task_work. Until then, vfork_wait: register reads are served from
	 * early_regs and the task's saved FPU state by the debugger (ntrace_fork.c).
	 */
	bool early;
	bool vfork_wait;
	u32 early_reason;
	u64 fork_handle;
	s64 fork_pid;
	struct user_regs_struct early_regs;
	/*
	 * All-stop: the FORK/VFORK record, held until every other thread of the process is
	 * held (the fork hook cannot wait for that); the child, whose fork_parent this thread
	 * is (a reference), publishes it before its first instruction. Under the session lock.
	 */
	struct nt_rec *early_rec;
	struct nt_thread *fork_parent;
};

extern spinlock_t nt_hash_lock;
extern atomic_t nt_nthreads;

/* ntrace_main.c */
struct nt_rec *nt_rec_alloc(u32 len, u16 type, gfp_t gfp);
void nt_emit(struct nt_session *s, struct nt_rec *r); /* events: assigns hdr.seq */
void nt_emit_reply(struct nt_session *s, struct nt_rec *r);
void nt_emit_exit(struct nt_session *s, struct nt_rec *r, struct task_struct *leader);
void nt_reply_error(struct nt_session *s, const struct ntrace_hdr *h, int err, struct nt_rec *r);
void nt_session_put(struct nt_session *s);

/* ntrace_cmd.c */
void nt_do_command(struct nt_session *s, const struct ntrace_hdr *cmd, struct nt_rec *reply);
void nt_session_teardown(struct nt_session *s);

/* ntrace_hw.c */
int nt_hw_set(struct nt_proc *proc, u64 addr, u32 len, u32 kind, bool set);
void nt_hw_release_all(struct nt_proc *proc);
bool nt_hw_read_changed(struct nt_thread *t, u64 addr);
int nt_hw_set_exprs(struct nt_proc *proc, u64 addr, u32 len, u32 kind, struct nt_exprs **x);
struct nt_exprs *nt_hw_exprs_get(struct nt_proc *proc, u64 addr, u32 kind); /* session lock held */
int nt_hw_fork_copy(struct nt_proc *from, struct nt_proc *to, gfp_t gfp); /* session lock held */
void nt_hw_fork_adopt(struct nt_proc *proc); /* cmd_lock held */
void nt_hw_fork_drop(struct nt_proc *proc); /* frees fork_hws; any context */

/* ntrace_thread.c */
extern wait_queue_head_t nt_gate_wq; /* all-stop gates of every process */
struct nt_thread *nt_thread_new(struct nt_proc *proc, struct task_struct *task, gfp_t gfp);
void nt_thread_link(struct nt_thread *t); /* session lock held */
void nt_thread_unlink(struct nt_thread *t); /* session lock held; drops the membership ref */
void nt_thread_put(struct nt_thread *t);
struct nt_thread *nt_find_task(struct task_struct *task); /* nt_hash_lock held */
struct nt_thread *nt_lock_task(struct task_struct *task, unsigned long *flags);
void nt_thread_link_hashed(struct nt_thread *t); /* nt_hash_lock held too */
bool nt_task_traced(struct task_struct *task); /* no lock: the hooks' cheap first look */
struct nt_thread *nt_find_handle(struct nt_session *s, u64 handle); /* session lock held */
bool nt_queue_work(struct nt_thread *t, enum task_work_notify_mode mode); /* session lock held */
void nt_queue_stop(struct nt_thread *t, u32 reason, int twa); /* session lock held */
void nt_fill_thread(struct nt_session *s, struct nt_thread *t, struct ntrace_thread *out);
void nt_detach_thread(struct nt_thread *t); /* session lock held */
void nt_orphan_done(struct nt_thread *t); /* session lock held */

/* ntrace_park.c */
int nt_regset_init(void);
const struct user_regset *nt_find_regset(u32 note); /* x86-64 layout */
void nt_work_fn(struct callback_head *cb);
bool nt_in_range(struct nt_thread *t, u64 pc); /* session lock held */
int nt_thread_call(struct nt_thread *t, u64 stop_id, struct nt_req *req);
int nt_set_fpu(struct nt_thread *t, u64 stop_id, const struct user_regset *rs, const void *buf,
	       u32 len);
int nt_thread_resume(struct nt_thread *t, const struct ntrace_cmd_resume *c); /* session lock held */
u64 nt_new_stop_id(void);

/* ntrace_allstop.c */
void nt_gate_enter(struct nt_thread *t, u32 reason); /* any sleepable context */
bool nt_gate_leave(struct nt_thread *t); /* session lock held; the caller wakes nt_gate_wq */
bool nt_others_held_locked(struct nt_thread *t); /* session lock held */

/* ntrace_bp.c */
struct nt_bp *nt_bp_find(struct nt_proc *proc, u64 addr); /* session lock held */
struct nt_bp *nt_bp_first_from(struct nt_proc *proc, u64 addr); /* session lock held */
void nt_bp_insert(struct nt_proc *proc, struct nt_bp *bp); /* session lock held */
void nt_bp_erase(struct nt_proc *proc, struct nt_bp *bp); /* session lock held */
void nt_bp_free_all(struct nt_proc *proc); /* session lock held, or the proc unlinked */
void nt_reinsert_bp(struct nt_thread *t, u64 addr); /* current == t->task */
void nt_refetch_bp(struct nt_thread *t, u64 addr); /* likewise */
bool nt_start_stepover(struct nt_thread *t, struct pt_regs *regs, u32 mode); /* likewise */
bool nt_emulate_bp(struct nt_thread *t, struct pt_regs *regs); /* likewise */
void nt_restore_released(u64 addr); /* current: a thread no longer ours; atomic context */
void nt_note_bp_put_back(void); /* DETACH/close wrote a breakpoint's byte back, or releases */
void nt_fork_child(struct task_struct *parent, struct task_struct *child); /* no lock held */
void nt_bp_free(struct nt_bp *bp); /* erased (or never listed) */
int nt_exprs_swap(struct nt_proc *proc, struct nt_exprs **slot, struct nt_exprs **x); /* session lock held */

/* ntrace_cond.c */
int nt_exprs_parse(const u8 *data, u32 len, struct nt_exprs **out);
struct nt_exprs *nt_exprs_get(struct nt_exprs *x); /* session lock held */
void nt_exprs_put(struct nt_exprs *x);
void nt_filter_hits(struct nt_thread *t); /* current == t->task, no lock held */

/* ntrace_fork.c */
bool nt_fork_follow(struct nt_thread *pt, struct task_struct *child); /* session lock held */
void nt_fork_vfork_done(struct nt_thread *pt, struct task_struct *child); /* session lock held */
int nt_fork_regs(struct nt_thread *t, struct nt_req *req); /* vfork_wait: debugger side */
void nt_fork_release_parent(struct nt_thread *ct, bool wait); /* current == ct->task */
void nt_fork_emit_held(struct nt_thread *pt); /* session lock held */
void nt_adopt_procs(struct nt_session *s); /* cmd_lock held */

/* ntrace_hooks.c */
int nt_hooks_init(void);
void nt_hooks_exit(void);
int nt_want_sys_exit(struct nt_session *s);
void nt_drop_sys_exit(struct nt_session *s);

#endif /* _NTRACE_INTERNAL_H */
