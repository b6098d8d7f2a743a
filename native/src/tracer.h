// The userspace ntrace provider: speaks the ntrace ABI (kmod/include/uapi/ntrace.h) to the
// thread that created it, which makes every ptrace call. Commands run inside Write(); wait
// statuses are taken in Write() (short resumes) and in Poll() (SIGCHLD); records wait in one
// buffer until TakeOutput().
#pragma once

#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/user.h>
#include <signal.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ntrace.h"

namespace ntrace {

constexpr uint32_t kMaxRecord = 65536;
// Bytes of droppable reports (THREAD_NEW/THREAD_EXIT) held back while nobody reads;
// HELLO's queue_bytes.
constexpr size_t kReportQueueBytes = 64 * 1024;
// Backlog above which the channel holds further commands back until records are read.
constexpr size_t kOutHighWater = 1024 * 1024;

enum class Mode : uint32_t { Cont = 0, Step = 1, RangeStep = 2, Syscall = 3 };

// The system calls the engine makes on its thread, counted by kind, so that tests can say
// what a breakpoint hit or a step costs (Channel.syscallCounts) without timing anything.
struct SysCounts {
  uint64_t ptrace[64] = {}; // by PtraceSlot(request)
  uint64_t sigaction = 0;   // SIGCHLD's action, read or written
  uint64_t mem_reads = 0;   // reads of the tracee's memory (RawRead calls)
};
// This thread's counts (every tracer's on it: all their requests come from here).
SysCounts &Counts();
// Requests 0-31 at their number, PTRACE_SETOPTIONS (0x4200) and the ones after it from 32 on.
constexpr int PtraceSlot(long req) {
  if (req >= 0 && req < 32) return static_cast<int>(req);
  return req >= 0x4200 && req < 0x4200 + 31 ? static_cast<int>(32 + (req - 0x4200)) : 63;
}
// Every ptrace request of the engine goes through here to be counted.
template <typename A, typename D> long Ptrace(long req, pid_t tid, A addr, D data) {
  Counts().ptrace[PtraceSlot(req)]++;
  return ptrace(static_cast<enum __ptrace_request>(req), tid, addr, data);
}

struct Proc;

// Reads a small /proc file (a task's status or stat) into buf, NUL-terminated; false when it
// is gone or empty. Whatever does not fit in size - 1 bytes is left out.
bool ReadProcText(const char *path, char *buf, size_t size);
// CLOCK_MONOTONIC in nanoseconds.
int64_t MonoNs();
// The CPU time process pid has run (its threads' sum, the exited ones' included), in
// nanoseconds; -1 when it cannot be read. One clock_gettime of the process's CPU clock, which
// any process may read (about 0.7 µs here, against 2 µs for a pread of a held
// /proc/TID/schedstat and 12 µs for opening and reading it).
int64_t ProcCpuNs(pid_t pid);

// One traced thread. "kstopped" is the kernel's view (in a ptrace-stop we have consumed),
// "reported" is the client's (a STOP record is out and no RESUME has answered it yet).
struct Thread {
  uint64_t handle = 0;
  pid_t tid = 0;
  Proc *proc = nullptr;
  uint64_t parent = 0;

  bool kstopped = false;
  bool signal_stop = false; // the kernel stop is a signal-delivery-stop (injection works)
  bool group_stop = false;
  bool is_new = false;  // auto-attached; its first stop is the initial PTRACE_EVENT_STOP
  bool exiting = false; // gone or going; only its exit status is still to come
  bool interrupt_outstanding = false;
  bool dr_dirty = false;
  // The debug registers as this engine last wrote them (dr_known: all of them, since the
  // thread was seized or exec'd): ApplyDebugRegs writes only what differs. Each POKEUSER of
  // one reworks a perf event in the kernel (about 14 µs for DR7 here), and gdb takes a
  // watchpoint out and puts it back at every stop (z2, Z2): 7 writes per hit, now 2.
  bool dr_known = false;
  uint64_t dr_addr[4] = {};
  uint64_t dr7 = 0;
  int hidden_sig = 0;      // signal to deliver on resume that the client never saw
  int inject_next = 0;     // a signal we queued with tgkill: deliver it silently when it shows
  int pending_status = -1; // a stop consumed while the thread waited for a step-over

  bool reported = false;
  uint64_t stop_id = 0;
  int report_sig = 0;   // the signal NTRACE_SIG_PASS delivers
  uint64_t stop_pc = 0; // the pc the last STOP reported (0: unknown)
  // The last STOP left the thread on a breakpoint the resume may step over: that breakpoint's
  // hit, or one the engine took for itself (false conditions, commands) before a stop came.
  bool stop_at_bp = false;
  bool stop_requested = false;
  bool stop_whole = false; // stopped by a STOP of the whole process, until resumed
  bool attach_stop = false;

  Mode mode = Mode::Cont;
  uint64_t range_start = 0, range_end = 0;
  uint64_t skip_bp = 0;   // resumed from this breakpoint address: step over it first
  uint64_t step_over = 0; // a breakpoint lifted for this thread's step-over
  bool deferred = false;  // resume postponed until another thread's step-over ends
  // This thread's step-over waits for the process's running threads to stop (PauseOthers);
  // the signal its resume carries.
  bool step_over_wait = false;
  int step_over_sig = 0;
  int deferred_sig = 0;
  long syscall_nr = -1;
  // Addresses of breakpoints removed while this thread ran: it may still report the
  // trap of one it hit just before. Cleared when it next runs, after that trap can no longer
  // come (the trap stops the thread before it executes anything else), except the one right
  // behind its pc: an interrupt stop can come before that trap (see KResume).
  std::vector<uint64_t> gone_bps;
  // A single-step ended by our PTRACE_INTERRUPT's stop while the step's SIGTRAP was queued
  // (the kernel takes the interrupt first): that trap shows at the next resume, not a stop.
  bool step_trap_queued = false;
  // Its single step over a breakpoint was run by the emulator (EmulateStep): still in the
  // breakpoint's ptrace-stop, its step's stop due from DispatchEmulSteps.
  bool emul_step = false;
  // ... and its made-up siginfo reached the kernel: the step's stop then reads neither the
  // siginfo nor the registers back (the emulation wrote both), and looks at no DR6 (no #DB).
  bool emul_known = false;
  // The stop being dispatched is that made-up one (DispatchEmulSteps, until HandleSignal).
  bool made_up = false;
  // A plain continue's start (MonoNs; 0: not in one) and its process's CPU time then
  // (ProcCpuNs, for a lone thread; -1: none), whether this thread's last continue ended within
  // microseconds of its own CPU time (a breakpoint in a tight loop; then the next one is
  // waited for in place like a step, KResume; assumed at first), whether this one is waited
  // for so, and a counter that makes every 8th continue of a slow thread look again.
  // cont_slept: an in-place wait gave up while the thread slept (a blocking system call): its
  // continues are not quick by their CPU time alone until one is taken in place again.
  int64_t cont_ns = 0;
  int64_t cont_cpu = -1;
  bool cont_quick = true;
  bool cont_wait = false;
  bool cont_slept = false;
  uint8_t cont_probe = 0;

  bool regs_valid = false;
  // regs holds a pc the kernel does not have yet: a breakpoint hit's rewind onto the int3 is
  // written with the resume's one register write (the emulation's, or FlushRegs), so a hit
  // costs no write of its own, reported or not (the client's reads are served from regs).
  // Flushed before the thread runs or is let go.
  bool regs_dirty = false;
  user_regs_struct regs{};
};

// A breakpoint's verified agent expressions (NTRACE_CAP_COND_BYTECODE, tracer_cond.cc).
// Shared, never changed once built: fork children copy the pointer with the breakpoint table.
struct BpExprs {
  std::vector<std::vector<uint8_t>> conds;
  std::vector<std::vector<uint8_t>> cmds;
};

struct SwBp {
  uint8_t saved = 0;
  // A jump to an in-process agent pad (tracer_agent.cc) replaces the int3: the pad's entry
  // (0: an int3), and the program's bytes under the jump's four other bytes.
  uint64_t pad = 0;
  uint8_t under[4] = {};
  uint32_t refs = 0;
  std::shared_ptr<const BpExprs> exprs; // null: unconditional, no commands
  // The program's bytes at the address (our int3s hidden) for the emulator, read at the first
  // resume from it and dropped when the engine writes anywhere under them (tracer_emul.cc).
  bool insn_valid = false;
  uint8_t insn[8] = {};
};

struct HwSlot {
  bool used = false;
  uint32_t kind = 0;
  uint64_t addr = 0;
  uint32_t len = 0;
  uint32_t refs = 0;
  uint64_t value = 0; // last seen value, for NTRACE_BP_READ emulation
  std::shared_ptr<const BpExprs> exprs;
};

// One jump pad of the in-process agent (tracer_agent.cc): the breakpoint's conditions are
// evaluated there, inside the tracee, and only a true one traps (at `stop`).
struct AgentPad {
  uint64_t bp = 0;       // the breakpoint's address
  uint32_t insn_len = 0; // the program's instruction there, copied to `reloc`
  bool branch = false;   // that copy is a jump or call of its own (no jump back)
  bool live = false;     // the jump at bp leads here; retired pads stay for threads inside
  uint64_t start = 0;    // its conditions' bytes, below entry: the pad is [start, end)
  uint64_t entry = 0, reloc = 0, back = 0, stop = 0, end = 0;
  uint64_t flags_at = 0; // the pushfq: up to it, only rsp has changed
  // From saved_at on the block below the red zone holds the program's registers, until
  // decide_end (the way out starts): at rsp up to the mov at rbx_at, then at rbx. call_ret: the
  // evaluator's return address (found on the stack when a thread stops inside the evaluator).
  uint64_t saved_at = 0, rbx_at = 0, call_ret = 0, decide_end = 0;
  uint64_t popf[2] = {}; // the popfq of each way out (emulated when stabilizing)
  // The instruction and conditions it was built for: a retired pad with the same is used
  // again (gdb takes its breakpoints out at every stop and puts them back on resume).
  std::vector<uint8_t> key;
};

struct AgentRegion {
  uint64_t base = 0, size = 0, next = 0; // the evaluator at base, pads from next on
};

struct Agent {
  std::vector<AgentRegion> regions;
  std::map<uint64_t, AgentPad> pads; // by entry
  bool broken = false;               // a mapping failed: int3s only from then on
};

struct Proc {
  pid_t pid = 0;
  bool launched = false;
  bool kill_on_close = false;
  bool stop_at_exec = false;
  bool detach_on_start = false; // a fork child nobody asked to follow
  bool vfork_child = false;
  pid_t vfork_parent = 0;
  bool bps_lifted = false; // sw breakpoints out of memory while an unfollowed vfork child runs
  int memfd = -1;
  bool killed = false; // KILL sent: its stopped threads are leaving their stops
  uint32_t opt_flags = 0;
  uint64_t events = 0;
  uint64_t stop_signals = ~0ULL;
  uint64_t syscalls[8];
  std::map<pid_t, Thread *> threads;
  std::map<uint64_t, SwBp> bps;
  HwSlot hw[4];
  Agent agent;
  // The thread whose step-over holds the others back: it has a breakpoint lifted, or waits
  // for the running threads to stop before lifting one (step_over_wait).
  Thread *stepping = nullptr;
  bool collecting = false;
  std::vector<std::vector<uint8_t>> held;
  Thread *last = nullptr;
  Proc() {
    for (auto &w : syscalls)
      w = ~0ULL;
  }
};

class Tracer {
public:
  // Every call, from construction to destruction, must come from the same thread: it becomes
  // the tracer of everything the session launches or attaches (see README, "Threading").
  Tracer();
  ~Tracer();
  Tracer(const Tracer &) = delete;
  Tracer &operator=(const Tracer &) = delete;

  // Runs the whole command records in buf, in order, then waits in place for the single steps
  // they started (bounded, see WaitShort). Replies and the events known by then are queued.
  void Write(const uint8_t *buf, size_t len);
  // Takes every wait status our tracees have pending (call on SIGCHLD; spurious calls are
  // cheap) and waits in place for the single steps that started.
  void Poll();
  // Moves the queued records, whole and in order, to the end of *out.
  void TakeOutput(std::vector<uint8_t> *out);
  bool HasOutput() const { return !out_.empty() || lost_count_ != 0; }
  size_t Backlog() const { return out_.size(); }
  // Ends the session: breakpoints out, launched and kill-on-close processes killed and reaped,
  // attached ones detached. Idempotent; nothing is queued after it.
  void Close();
  bool Closed() const { return peer_gone_; }
  // READ_MEM without a record (Channel.readMem): the same checks and errors as the command,
  // the bytes straight into buf (at least len long). Returns the count read or -errno.
  long ReadMemNow(int32_t pid, uint64_t addr, uint8_t *buf, uint32_t len);

private:
  // The driver (tracer.cc)
  void Settle(bool signalled);
  bool WaitShort(int64_t budget_end);
  bool ShortPending(pid_t tid);
  bool AllKnownStopped() const;
  void DrainWaits();
  bool Collect(bool scan);
  void TakeStatus(pid_t tid, int status);
  bool Ours(pid_t tid, bool trapped);
  void OrderBatch();
  void NoteShortResume(pid_t tid) { short_.push_back(tid); }
  void QuietStops();
  void LoudStops();
  void Bury(pid_t tid) { graveyard_.insert(tid); }

  // Records
  void Emit(const void *rec, size_t len);
  void EmitLost();
  void EmitVec(std::vector<uint8_t> rec);
  void Reply(uint64_t seq, uint32_t cmd, int err, const void *a = nullptr, size_t alen = 0,
             const void *b = nullptr, size_t blen = 0);
  void EmitThreadEvent(uint16_t type, const Thread &t, int64_t data);
  void EmitDetached(pid_t pid, uint32_t reason);

  // Commands (tracer_cmd.cc)
  void HandleMessage(const uint8_t *buf, size_t len);
  int Command(const ntrace_hdr &h, const uint8_t *rec, std::vector<uint8_t> &out);
  int CmdHello(const uint8_t *rec, size_t len, std::vector<uint8_t> &out);
  int CmdLaunch(const uint8_t *rec, size_t len, std::vector<uint8_t> &out);
  int CmdAttach(const uint8_t *rec, size_t len, std::vector<uint8_t> &out);
  int CmdDetach(const uint8_t *rec, size_t len);
  int CmdKill(const uint8_t *rec, size_t len);
  int CmdSetOptions(const uint8_t *rec, size_t len);
  int CmdStop(const uint8_t *rec, size_t len);
  int CmdResume(const uint8_t *rec, size_t len);
  int CmdGetRegs(const uint8_t *rec, size_t len, std::vector<uint8_t> &out);
  int CmdSetRegs(const uint8_t *rec, size_t len);
  int CmdReadMem(const uint8_t *rec, size_t len, std::vector<uint8_t> &out);
  int CmdWriteMem(const uint8_t *rec, size_t len, std::vector<uint8_t> &out);
  int CmdGetSiginfo(const uint8_t *rec, size_t len, std::vector<uint8_t> &out);
  int CmdSetSiginfo(const uint8_t *rec, size_t len);
  int CmdSetBp(const uint8_t *rec, size_t len);
  int CmdClearBp(const uint8_t *rec, size_t len);
  int CmdListThreads(const uint8_t *rec, size_t len, std::vector<uint8_t> &out);
  int StoppedThread(uint64_t handle, uint64_t stop_id, Thread **out);

  // Stops (tracer_stop.cc)
  void Dispatch(pid_t tid, int status);
  void HandleExit(Thread *t, int status);
  void HandleStopped(Thread *t, int status);
  // stepped_over: the breakpoint address whose step-over this stop ends (0: none).
  void HandleSignal(Thread *t, int sig, bool from_step_over, uint64_t stepped_over);
  void HandleSyscall(Thread *t);
  void HandleNewChild(Thread *t, int event);
  void HandleNewThreadStop(Thread *t);
  void HandleExec(Thread *t);
  void Report(Thread *t, uint32_t reason, int signo, const uint64_t *data = nullptr,
              size_t ndata = 0, const siginfo_t *si = nullptr);
  void Continue(Thread *t, int sig);
  void KResume(Thread *t, int sig);
  void FinishStepOver(Thread *t);
  bool PauseOthers(Thread *t);
  void TryStepOver(Proc *p);
  void AbandonStepOverWait(Thread *t);
  void ReleaseDeferred(Proc *p);
  void StartCollect(Proc *p);
  void CheckCollected(Proc *p);
  void RequestStop(Thread *t, bool attach);
  bool LoadRegs(Thread *t);
  bool FlushRegs(Thread *t);
  void NoteSleepers();
  bool IsZombie(pid_t tid) const;
  bool IsZombieLeader(const Thread &t) const;
  void ZombieLeader(Thread *t);
  bool GroupExiting(const Proc *p, pid_t except) const;

  // Processes and threads (tracer_proc.cc)
  Thread *AddThread(Proc *p, pid_t tid);
  void RemoveThread(Thread *t);
  void RemoveProc(Proc *p);
  Proc *FindProc(pid_t pid);
  Thread *FindTid(pid_t tid);
  Thread *FindHandle(uint64_t handle);
  int OpenMem(Proc *p);
  int Launch(const char *path, const char *cwd, char *const argv[], char *const envp[],
             uint32_t flags, Thread **out);
  int Attach(pid_t pid, uint32_t flags, std::vector<Thread *> *out);
  int DetachProc(Proc *p, bool emit);
  void WaitStopped(Thread *t);
  void Teardown();
  void ReapKilled(pid_t pid);

  // Breakpoint conditions and commands (tracer_cond.cc)
  int ParseBpExprs(const uint8_t *data, size_t len, std::shared_ptr<const BpExprs> *out);
  // Evaluates a hit's expressions (registers loaded, pc at the breakpoint) and runs its
  // commands; true when the hit is to be reported.
  bool BpWantsStop(Thread *t, const BpExprs &x, uint64_t addr);
  void EmitOutput(const Thread &t, uint64_t addr, const char *text, uint32_t len, bool truncated);
  static int AxRead(void *ctx, unsigned long long addr, void *buf, unsigned int len);
  // Runs the instruction under t's breakpoint in place of a step-over (tracer_emul.cc).
  bool EmulateAtBp(Thread *t);
  bool EmulateStep(Thread *t);
  void DispatchEmulSteps();
  bool SignalPending(Thread *t);
  static int EmulRead(void *ctx, unsigned long long addr, void *buf, unsigned int len);
  static int EmulWrite(void *ctx, unsigned long long addr, const void *buf, unsigned int len);

  // The in-process agent (tracer_agent.cc)
  void AgentInstall(Proc *p, uint64_t addr);
  void AgentUninstall(Proc *p, uint64_t addr);
  bool AgentRange(Proc *p, uint64_t addr, uint64_t len);
  AgentRegion *AgentRegionNear(Proc *p, uint64_t addr);
  uint64_t AgentReclaim(Proc *p, AgentRegion *r, uint64_t need);
  long InjectSyscall(Thread *t, long nr, const long args[6]);
  bool InjectableAt(Thread *t);
  const AgentPad *AgentPadAt(const Proc *p, uint64_t pc) const;
  bool AgentCode(const Proc *p, uint64_t pc) const;
  bool AgentTrap(Thread *t, const siginfo_t &si);
  bool AgentResume(Thread *t);
  void AgentStabilize(Thread *t);
  uint64_t AgentBlock(Thread *t, const AgentPad **which);
  void AgentDisarm(Proc *p);
  bool AgentFree(Proc *p, Thread *on);
  void AgentRetireAll(Proc *p);
  void PlantBp(Proc *p, uint64_t addr, const SwBp &b);
  void LiftBp(Proc *p, uint64_t addr, const SwBp &b);
  void DispatchLate();

  // Memory and breakpoints (tracer_mem.cc)
  long ReadMem(Proc *p, uint64_t addr, uint8_t *buf, size_t len);
  long WriteMem(Proc *p, uint64_t addr, const uint8_t *buf, size_t len);
  long RawRead(Proc *p, uint64_t addr, uint8_t *buf, size_t len);
  long RawWrite(Proc *p, uint64_t addr, const uint8_t *buf, size_t len);
  int InsertSw(Proc *p, uint64_t addr);
  int RemoveSw(Proc *p, uint64_t addr);
  void ReplantSw(Proc *p, std::map<uint64_t, SwBp>::iterator it);
  void LiftAll(Proc *p);
  void RestoreAll(Proc *p);
  bool BpInserted(Proc *p, uint64_t addr) const;
  // A breakpoint of the client's is at addr, even if another thread's step-over has it
  // lifted for the moment.
  bool BpSet(const Proc *p, uint64_t addr) const;
  int SetHw(Proc *p, uint32_t kind, uint64_t addr, uint32_t len);
  int ClearHw(Proc *p, uint32_t kind, uint64_t addr, uint32_t len);
  int ApplyDebugRegs(Thread *t);
  void MarkDebugRegsDirty(Proc *p);
  bool HwSlotsUsed(const Proc *p) const;

  std::atomic<pid_t> tid_{0}; // the tracer thread (for the debug log)
  bool hello_done_ = false;
  bool started_ = false;   // first LAUNCH or ATTACH seen: HELLO no longer allowed
  bool peer_gone_ = false; // closed: nothing more is queued
  bool in_command_ = false;
  std::vector<std::vector<uint8_t>> after_reply_;
  // Records not taken yet, whole and in order. Droppable reports among them are bounded by
  // kReportQueueBytes; past that they are counted in lost_count_ and an NTRACE_EV_LOST
  // follows (see Emit).
  std::vector<uint8_t> out_;
  size_t report_bytes_ = 0;
  uint64_t lost_count_ = 0;
  uint64_t lost_first_ = 0;
  uint64_t ev_seq_ = 0;
  uint64_t next_handle_ = 1;
  uint64_t next_stop_ = 1;
  std::map<pid_t, std::unique_ptr<Proc>> procs_;
  std::unordered_map<pid_t, std::unique_ptr<Thread>> threads_;
  std::unordered_map<uint64_t, Thread *> handles_;
  std::unordered_map<pid_t, int> orphans_; // stops of tids whose creation event is still to come
  // Tids resumed by PTRACE_SINGLESTEP since the last wait in place (see WaitShort).
  std::vector<pid_t> short_;
  // SIGCHLD's action has SA_NOCLDSTOP set by QuietStops; loud_ is the action to put back.
  bool quiet_ = false;
  bool loud_known_ = false;
  struct sigaction loud_ {};
  // Tids whose threads left the tables before their exit status was taken (exec's dead
  // threads, a detached child of ours): reaped when it comes, so none stays a zombie.
  std::set<pid_t> graveyard_;
  // Statuses taken by the agent's own waits (a thread that died under an injected system
  // call or a stabilizing step): dispatched when the Write or Poll ends.
  std::vector<std::pair<pid_t, int>> late_;
  // Threads whose step over a breakpoint the emulator ran (EmulateStep): their step's stop is
  // dispatched after the command's reply, as a real step's status would be.
  std::vector<pid_t> emul_steps_;
  // Wait statuses taken and not dispatched yet (see DrainWaits).
  std::vector<std::pair<pid_t, int>> batch_;
  uint64_t rng_ = 0x9e3779b97f4a7c15ULL;
  bool debug_ = false; // NTRACE_DEBUG=1: trace every status and resume on stderr
  uint32_t xstate_size_ = 0;
  uint64_t xcr0_ = 0;
};

} // namespace ntrace
