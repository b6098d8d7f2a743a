// The resume from one of our breakpoints without a step-over: the instruction under the int3
// is run here by the shared emulator (kmod/ntrace_emul.c, which the module runs in the kernel)
// when it is one of the simple forms gcc starts function bodies with. The int3 stays in place,
// so no other thread has to be stopped first and no single-step stop follows: a hit whose
// condition is false costs one ptrace stop instead of two.
#include "tracer.h"

#include <signal.h>
#include <sys/ptrace.h>

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
    long n = ptrace(PTRACE_PEEKSIGINFO, t->tid, &a, &si);
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
  if (ptrace(PTRACE_SETREGS, t->tid, 0, &r) < 0) return false;
  t->regs_dirty = false; // this write carried the rewound pc's successor and everything else
  if (debug_)
    fprintf(stderr, "[ntrace %d] emulated %u bytes at %llx tid=%d\n", tid_.load(), len,
            static_cast<unsigned long long>(t->regs.rip), t->tid);
  t->regs = r;
  return true;
}

} // namespace ntrace
