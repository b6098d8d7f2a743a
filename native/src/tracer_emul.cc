// The resume from one of our breakpoints without a step-over: the instruction under the int3
// is run here by the shared emulator (kmod/ntrace_emul.c, which the module runs in the kernel)
// when it is one of the simple forms gcc starts function bodies with. The int3 stays in place,
// so no other thread has to be stopped first and no single-step stop follows: a hit whose
// condition is false costs one ptrace stop instead of two.
#include "tracer.h"

#include <signal.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstring>

extern "C" {
#include "ntrace_emul.h"
}

namespace ntrace {

namespace {

struct EmulCtx {
  Tracer *tracer;
  Proc *proc;
};

} // namespace

int Tracer::EmulRead(void *ctx, unsigned long long addr, void *buf, unsigned int len) {
  auto *c = static_cast<EmulCtx *>(ctx);
  long n = c->tracer->ReadMem(c->proc, addr, static_cast<uint8_t *>(buf), len);
  return n == static_cast<long>(len) ? 0 : -1;
}

int Tracer::EmulWrite(void *ctx, unsigned long long addr, const void *buf, unsigned int len) {
  auto *c = static_cast<EmulCtx *>(ctx);
  long n = c->tracer->WriteMem(c->proc, addr, static_cast<const uint8_t *>(buf), len);
  return n == static_cast<long>(len) ? 0 : -1;
}

// Whether a signal is queued for t (its own or its process's): the kernel would stop for it
// before running the next instruction.
bool Tracer::SignalPending(Thread *t) {
  siginfo_t si;
  for (unsigned flags : {0u, static_cast<unsigned>(PTRACE_PEEKSIGINFO_SHARED)}) {
    __ptrace_peeksiginfo_args a{0, flags, 1};
    long n = Ptrace(PTRACE_PEEKSIGINFO, t->tid, &a, &si);
    if (n != 0) return true; // one queued, or cannot tell (-1): the step-over is always right
  }
  return false;
}

// t sits on its breakpoint at t->regs.rip (loaded) and is to continue with no signal. True
// when the instruction there was run and the registers written back: t may simply continue.
bool Tracer::EmulateAtBp(Thread *t) {
  Proc *p = t->proc;
  if (SignalPending(t)) return false; // its stop comes before the instruction, as a step's does
  auto bp = p->bps.find(t->regs.rip);
  if (bp == p->bps.end()) return false;
  SwBp &b = bp->second;
  static_assert(sizeof b.insn == NTRACE_EMUL_INSN_MAX, "SwBp::insn holds what the emulator reads");
  uint8_t insn[NTRACE_EMUL_INSN_MAX];
  if (b.insn_valid) {
    memcpy(insn, b.insn, sizeof insn);
  } else {
    memset(insn, 0, sizeof insn);
    // Program bytes with our int3s hidden; a short read near the end of a mapping leaves
    // zeros, which decode as nothing runnable or as an instruction that does not reach them.
    long n = ReadMem(p, t->regs.rip, insn, sizeof insn);
    if (n <= 0) return false;
    // Kept for the next hits: the engine's own writes under them drop the copy (WriteMem,
    // ReplantSw), as they update the saved byte, which the same reasoning already trusts.
    if (n == static_cast<long>(sizeof insn)) {
      memcpy(b.insn, insn, sizeof insn);
      b.insn_valid = true;
    }
  }
  user_regs_struct r = t->regs;
  EmulCtx c{this, p};
  ntrace_emul_env env;
  memset(&env, 0, sizeof env);
  __u64 *g[16] = {&r.rax, &r.rcx, &r.rdx, &r.rbx, &r.rsp, &r.rbp, &r.rsi, &r.rdi,
                  &r.r8,  &r.r9,  &r.r10, &r.r11, &r.r12, &r.r13, &r.r14, &r.r15};
  memcpy(env.gpr, g, sizeof g);
  env.ip = r.rip;
  // A memory access made here would not trigger the process's debug-register watchpoints.
  env.mem = HwSlotsUsed(p) ? 0 : 1;
  env.ctx = &c;
  env.read_mem = EmulRead;
  env.write_mem = EmulWrite;
  unsigned int len = ntrace_emul_insn(insn, &env);
  if (len == 0) return false;
  r.rip = env.ip;
  // Fails only for a thread being killed (its store, if any, is then moot).
  if (Ptrace(PTRACE_SETREGS, t->tid, 0, &r) < 0) return false;
  t->regs_dirty = false; // this write carried the rewound pc's successor and everything else
  if (debug_)
    fprintf(stderr, "[ntrace %d] emulated %u bytes at %llx tid=%d\n", tid_.load(), len,
            static_cast<unsigned long long>(t->regs.rip), t->tid);
  t->regs = r;
  return true;
}

// A single step from one of our breakpoints with no signal to deliver (gdb's vCont;s after
// z0, the int3 still ours): the instruction under it runs in the emulator as for a continue,
// and the step's stop is made up. The thread stays in the breakpoint's ptrace-stop, its
// siginfo becomes what a real step leaves (TRAP_TRACE at the new pc: GET_SIGINFO, and a
// SIGTRAP passed on, see what they would), and a SIGTRAP status goes through the usual
// classification after the command's reply (DispatchEmulSteps), as a real step's would.
// Nothing lifted, so nothing paused, and no tracee round trip. Not with debug registers in use
// (an execute breakpoint at the pc would fire first, and memory forms would miss watches),
// with agent pads, or with a step's trap still queued (that trap is taken at the next real
// resume: HandleSignal's step_trap_queued).
bool Tracer::EmulateStep(Thread *t) {
  Proc *p = t->proc;
  if (HwSlotsUsed(p) || !p->agent.pads.empty() || t->step_trap_queued) return false;
  auto bp = p->bps.find(t->regs.rip);
  if (bp == p->bps.end() || bp->second.pad != 0) return false;
  if (!EmulateAtBp(t)) return false;
  siginfo_t si;
  memset(&si, 0, sizeof si);
  si.si_signo = SIGTRAP;
  si.si_code = TRAP_TRACE;
  si.si_addr = reinterpret_cast<void *>(t->regs.rip);
  // Fails only for a thread being killed: its exit status follows the made-up stop, which
  // then reads the kernel's siginfo, finds none and leaves it to that status.
  t->emul_known = Ptrace(PTRACE_SETSIGINFO, t->tid, 0, &si) == 0;
  t->emul_step = true;
  emul_steps_.push_back(t->tid);
  return true;
}

// The stops of the steps EmulateStep ran, once the commands' replies are out. A thread that
// left the tables meanwhile (detach, kill) or was stopped otherwise is skipped.
void Tracer::DispatchEmulSteps() {
  std::vector<pid_t> l;
  l.swap(emul_steps_);
  for (pid_t tid : l) {
    Thread *t = FindTid(tid);
    if (t == nullptr || !t->emul_step) continue;
    t->emul_step = false;
    // What the emulation wrote is what the kernel holds, unless the process is being killed.
    t->made_up = t->emul_known && !t->proc->killed;
    t->emul_known = false;
    Dispatch(tid, W_STOPCODE(SIGTRAP));
  }
}

} // namespace ntrace
