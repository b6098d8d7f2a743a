// The in-process agent: a conditional breakpoint whose conditions the tracee evaluates
// itself, so that a false one costs no trap and no ptrace stop (gdbserver's fast tracepoints,
// with libinproctrace, do the same for tracepoints). The engine maps a region in the tracee
// near the code (an mmap injected on a stopped thread), copies the evaluator there (kmod's
// ntrace_ax.c built freestanding, native/agent/), and replaces the instruction at the
// breakpoint by a 5-byte jump to a pad of its own:
//
//   entry:  below the red zone, the registers saved in struct user_regs_struct's layout,
//           the evaluator called on the breakpoint's conditions
//           all false: registers back, then
//   reloc:  the program's instruction, copied (a [rip+disp32] operand adjusted)
//   back:   jmp to the instruction after it
//           any true (or failing): registers back, then
//   stop:   int3, which the engine reports as the breakpoint's hit at its own address;
//           then jmp reloc (reached once the int3 is a nop: a detached process's pads)
//
// Only an instruction of 5 bytes or more that runs the same elsewhere is replaced (gdb's rule
// for fast tracepoints, i386_fast_tracepoint_valid_at), and only while every thread of the
// process is stopped; anything else keeps the int3 (tracer_cond.cc evaluates at the trap).
#include "tracer.h"

#include <errno.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

extern "C" {
#include "ntrace_emul.h"
}
#include "ntrace_agent_blob.h"

namespace ntrace {

namespace {

constexpr uint64_t kRegionSize = 1 << 20;
// Distance kept between the code and the region: a jump reaches 2 GiB, and a copied
// [rip+disp32] operand must still reach its data from the pad.
constexpr int64_t kReach = 0x60000000;
constexpr uint8_t kInt3 = 0xcc;
constexpr uint8_t kJmp = 0xe9;
// Bytes of the pad's register block (struct user_regs_struct) and of the red zone under rsp.
constexpr int32_t kBlock = 27 * 8;
constexpr int32_t kRedZone = 128;
// Single steps a thread stopped inside a pad may take to leave it: a thread in the evaluator
// is put back from the register block without any (AgentBlock), so only the few instructions
// of a way out are stepped; the bound is for a block that cannot be found.
constexpr int kStabilizeSteps = 200000;

// The user_regs_struct slot of each general register, in encoding order (rax rcx rdx rbx rsp
// rbp rsi rdi r8-r15); rsp (-1) is saved apart.
constexpr int kSlot[16] = {10, 11, 12, 5, -1, 4, 13, 14, 9, 8, 7, 6, 3, 2, 1, 0};
constexpr int kSlotOrigRax = 15, kSlotRip = 16, kSlotCs = 17, kSlotFlags = 18, kSlotRsp = 19,
              kSlotSs = 20, kSlotFsBase = 21, kSlotGsBase = 22, kSlotDs = 23, kSlotEs = 24,
              kSlotFs = 25, kSlotGs = 26;

bool Fits32(int64_t v) {
  return v >= INT32_MIN && v <= INT32_MAX;
}

// Machine code for one pad, at a known address.
class Code {
public:
  explicit Code(uint64_t at) : at_(at) {}
  uint64_t Here() const { return at_ + b_.size(); }
  const std::vector<uint8_t> &Bytes() const { return b_; }
  void Put(std::initializer_list<uint8_t> v) { b_.insert(b_.end(), v); }
  void U32(uint32_t v) {
    for (int i = 0; i < 4; i++)
      b_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  void U64(uint64_t v) {
    for (int i = 0; i < 8; i++)
      b_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  // mov %reg, slot*8(%rsp) (op 0x89) or mov slot*8(%rsp), %reg (op 0x8b).
  void Slot(uint8_t op, int reg, int slot) {
    int32_t d = slot * 8;
    b_.push_back(static_cast<uint8_t>(0x48 | (reg & 8 ? 4 : 0)));
    b_.push_back(op);
    b_.push_back(static_cast<uint8_t>((d < 128 ? 0x44 : 0x84) | (reg & 7) << 3));
    b_.push_back(0x24);
    if (d < 128)
      b_.push_back(static_cast<uint8_t>(d));
    else
      U32(static_cast<uint32_t>(d));
  }
  // lea d(%rsp), %rsp (flags untouched).
  void LeaRsp(int32_t d) {
    Put({0x48, 0x8d, 0xa4, 0x24});
    U32(static_cast<uint32_t>(d));
  }
  // A rel32 to target from the end of these 4 bytes; false when out of reach.
  bool Rel32(uint64_t target) {
    int64_t d = static_cast<int64_t>(target - (Here() + 4));
    if (!Fits32(d)) return false;
    U32(static_cast<uint32_t>(d));
    return true;
  }
  void Patch32(size_t off, uint32_t v) { memcpy(&b_[off], &v, 4); }
  size_t Size() const { return b_.size(); }

private:
  uint64_t at_;
  std::vector<uint8_t> b_;
};

// Registers back from the block at (%rsp), flags first, then rsp above the red zone. Returns
// the popfq's address.
uint64_t Restore(Code *c) {
  c->Put({0xff, 0xb4, 0x24}); // push kSlotFlags*8(%rsp); popfq
  c->U32(kSlotFlags * 8);
  uint64_t popf = c->Here();
  c->Put({0x9d});
  for (int r = 0; r < 16; r++)
    if (kSlot[r] >= 0) c->Slot(0x8b, r, kSlot[r]);
  c->LeaRsp(kBlock + kRedZone);
  return popf;
}

// The 5 bytes of `jmp entry` written at addr.
void JumpBytes(uint64_t addr, uint64_t entry, uint8_t out[5]) {
  uint32_t d = static_cast<uint32_t>(entry - (addr + 5));
  out[0] = kJmp;
  memcpy(out + 1, &d, 4);
}

// Builds the pad of the breakpoint at addr (instruction insn, decoded d) with its conditions
// data_size bytes at data_at, the evaluator at `evaluator`: the code in *out, its layout in
// *pad. False when some jump or operand would be out of reach. The size does not depend on
// data_at modulo 16.
bool BuildPad(uint64_t data_at, size_t data_size, uint64_t addr, const uint8_t *insn,
              const ntrace_insn &d, uint64_t evaluator, AgentPad *pp, Code *out) {
  uint64_t entry = (data_at + data_size + 15) & ~15ULL;
  *out = Code(entry);
  Code &c = *out;
  AgentPad &pad = *pp;
  pad = AgentPad{};
  pad.start = data_at;
  c.LeaRsp(-(kBlock + kRedZone));
  for (int reg = 0; reg < 16; reg++)
    if (kSlot[reg] >= 0) c.Slot(0x89, reg, kSlot[reg]);
  uint64_t flags_at = c.Here();
  c.Put({0x9c, 0x58}); // pushfq; pop %rax
  c.Slot(0x89, 0, kSlotFlags);
  uint64_t saved_at = c.Here();
  c.Put({0x48, 0x8d, 0x84, 0x24}); // lea kBlock+kRedZone(%rsp), %rax: the program's rsp
  c.U32(kBlock + kRedZone);
  c.Slot(0x89, 0, kSlotRsp);
  c.Put({0x48, 0xb8}); // movabs $addr, %rax
  c.U64(addr);
  c.Slot(0x89, 0, kSlotRip);
  c.Put({0x48, 0xc7, 0xc0, 0xff, 0xff, 0xff, 0xff}); // mov $-1, %rax
  c.Slot(0x89, 0, kSlotOrigRax);
  const std::pair<uint8_t, int> segs[] = {{0xc8, kSlotCs}, {0xd0, kSlotSs}, {0xd8, kSlotDs},
                                          {0xc0, kSlotEs}, {0xe0, kSlotFs}, {0xe8, kSlotGs}};
  for (const auto &s : segs) {
    c.Put({0x48, 0x8c, s.first}); // mov %sreg, %rax (zero-extended)
    c.Slot(0x89, 0, s.second);
  }
  c.Put({0x31, 0xc0}); // xor %eax, %eax: fs_base and gs_base are read on demand
  c.Slot(0x89, 0, kSlotFsBase);
  c.Slot(0x89, 0, kSlotGsBase);
  uint64_t rbx_at = c.Here();
  c.Put({0x48, 0x89, 0xe3});       // mov %rsp, %rbx (callee-saved: the block)
  c.Put({0x48, 0x83, 0xe4, 0xf0}); // and $-16, %rsp
  c.Put({0xfc});                   // cld
  c.Put({0x48, 0x89, 0xde});       // mov %rbx, %rsi
  c.Put({0x48, 0xbf});             // movabs $data, %rdi
  c.U64(data_at);
  c.Put({0x48, 0xb8}); // movabs $evaluator, %rax
  c.U64(evaluator);
  c.Put({0xff, 0xd0}); // call *%rax
  uint64_t call_ret = c.Here();
  c.Put({0x48, 0x89, 0xdc}); // mov %rbx, %rsp
  c.Put({0x85, 0xc0});       // test %eax, %eax
  c.Put({0x0f, 0x85});       // jnz stop path
  size_t jnz_at = c.Size();
  c.U32(0);
  uint64_t decide_end = c.Here();
  uint64_t popf_false = Restore(&c);
  pad.popf[0] = popf_false;
  pad.saved_at = saved_at;
  pad.rbx_at = rbx_at;
  pad.call_ret = call_ret;
  pad.decide_end = decide_end;
  pad.bp = addr;
  pad.insn_len = d.len;
  pad.entry = entry;
  pad.flags_at = flags_at;
  pad.reloc = c.Here();
  if (d.rel_branch != 0) {
    int32_t rel;
    memcpy(&rel, insn + d.len - 4, 4);
    uint64_t target = addr + d.len + static_cast<int64_t>(rel);
    pad.branch = true;
    if (d.len != 5) return false; // a prefixed form: not one compilers emit here
    if (d.rel_branch == 2) {
      // call: push the return address of the original, then jump to the callee.
      uint64_t ret = addr + d.len;
      c.Put({0x48, 0x8d, 0x64, 0x24, 0xf8}); // lea -8(%rsp), %rsp
      c.Put({0xc7, 0x04, 0x24});             // movl $lo, (%rsp)
      c.U32(static_cast<uint32_t>(ret));
      c.Put({0xc7, 0x44, 0x24, 0x04}); // movl $hi, 4(%rsp)
      c.U32(static_cast<uint32_t>(ret >> 32));
    }
    c.Put({kJmp});
    if (!c.Rel32(target)) return false;
    pad.back = c.Here();
  } else {
    std::vector<uint8_t> copy(insn, insn + d.len);
    if (d.rip_rel) {
      int32_t disp;
      memcpy(&disp, &copy[d.disp_off], 4);
      int64_t nd = static_cast<int64_t>(disp) + static_cast<int64_t>(addr - pad.reloc);
      if (!Fits32(nd)) return false;
      int32_t v = static_cast<int32_t>(nd);
      memcpy(&copy[d.disp_off], &v, 4);
    }
    for (uint8_t byte : copy)
      c.Put({byte});
    pad.back = c.Here();
    c.Put({kJmp});
    if (!c.Rel32(addr + d.len)) return false;
  }
  uint32_t to_stop = static_cast<uint32_t>(c.Size() - (jnz_at + 4));
  c.Patch32(jnz_at, to_stop);
  pad.popf[1] = Restore(&c);
  pad.stop = c.Here();
  c.Put({kInt3, kJmp});
  if (!c.Rel32(pad.reloc)) return false;
  pad.end = c.Here();
  // The jump must reach the pad.
  if (!Fits32(static_cast<int64_t>(entry - (addr + 5)))) return false;
  return true;
}

} // namespace

// Writes a breakpoint into memory: the jump to its pad (its first byte last, over an int3, so
// that no thread can run a half-written jump), or the int3.
void Tracer::PlantBp(Proc *p, uint64_t addr, const SwBp &b) {
  RawWrite(p, addr, &kInt3, 1);
  if (b.pad == 0) return;
  uint8_t j[5];
  JumpBytes(addr, b.pad, j);
  RawWrite(p, addr + 1, j + 1, 4);
  RawWrite(p, addr, j, 1);
}

// Puts the program's bytes back under a breakpoint, the same way round.
void Tracer::LiftBp(Proc *p, uint64_t addr, const SwBp &b) {
  if (b.pad != 0) {
    RawWrite(p, addr, &kInt3, 1);
    RawWrite(p, addr + 1, b.under, 4);
  }
  RawWrite(p, addr, &b.saved, 1);
}

const AgentPad *Tracer::AgentPadAt(const Proc *p, uint64_t pc) const {
  auto it = p->agent.pads.upper_bound(pc);
  if (it == p->agent.pads.begin()) return nullptr;
  --it;
  return pc < it->second.end ? &it->second : nullptr;
}

// Whether pc is in the agent's code: a pad or the evaluator.
bool Tracer::AgentCode(const Proc *p, uint64_t pc) const {
  for (const AgentRegion &r : p->agent.regions)
    if (pc >= r.base && pc < r.base + r.size) return true;
  return false;
}

// Whether [addr, addr+len) reaches under the jump of one of p's agent breakpoints; if so the
// breakpoint goes back to an int3 first (the caller writes there, or plants another).
bool Tracer::AgentRange(Proc *p, uint64_t addr, uint64_t len) {
  bool any = false;
  for (auto it = p->bps.lower_bound(addr >= 4 ? addr - 4 : 0);
       it != p->bps.end() && it->first < addr + len; ++it) {
    if (it->second.pad == 0) continue;
    AgentUninstall(p, it->first);
    any = true;
  }
  return any;
}

// Runs one system call in the tracee on t (stopped): `mov $nr, %eax; syscall` written at its
// pc (rax itself would not do: a thread stopped inside a system call, at an exec or clone
// event, gets that call's result written into rax on the way out), the registers set, single
// steps to the end of it, everything put back. Returns the call's result, or -errno
// of our own failure (-ESRCH: t died, its status kept for DispatchLate).
long Tracer::InjectSyscall(Thread *t, long nr, const long args[6]) {
  Proc *p = t->proc;
  if (!FlushRegs(t) || !LoadRegs(t)) return -ESRCH;
  if (t->dr_dirty) ApplyDebugRegs(t); // a removal still pending: not on this step
  user_regs_struct saved = t->regs, r = t->regs;
  uint8_t orig[7], code[7] = {0xb8, 0, 0, 0, 0, 0x0f, 0x05};
  uint32_t nr32 = static_cast<uint32_t>(nr);
  memcpy(code + 1, &nr32, 4);
  if (RawRead(p, saved.rip, orig, 7) != 7) return -EFAULT;
  if (RawWrite(p, saved.rip, code, 7) != 7) return -EFAULT;
  r.orig_rax = ~0ULL; // no system call of its own to restart
  r.rdi = static_cast<uint64_t>(args[0]);
  r.rsi = static_cast<uint64_t>(args[1]);
  r.rdx = static_cast<uint64_t>(args[2]);
  r.r10 = static_cast<uint64_t>(args[3]);
  r.r8 = static_cast<uint64_t>(args[4]);
  r.r9 = static_cast<uint64_t>(args[5]);
  long result = -EIO;
  int held = 0;
  bool alive = true;
  if (Ptrace(PTRACE_SETREGS, t->tid, 0, &r) < 0) {
    result = -errno;
  } else {
    QuietStops();
    for (int tries = 0; tries < 16; tries++) {
      if (Ptrace(PTRACE_SINGLESTEP, t->tid, 0, 0) < 0) {
        result = -errno;
        break;
      }
      int status;
      pid_t w;
      do
        w = waitpid(t->tid, &status, __WALL);
      while (w < 0 && errno == EINTR);
      if (w < 0) {
        result = -errno;
        alive = false;
        break;
      }
      if (!WIFSTOPPED(status) || (status >> 16) == PTRACE_EVENT_EXIT) {
        late_.emplace_back(t->tid, status);
        alive = false;
        result = -ESRCH;
        break;
      }
      if ((status >> 16) == 0 && WSTOPSIG(status) != SIGTRAP) {
        held = WSTOPSIG(status); // sent again once the thread is back
        continue;
      }
      user_regs_struct now;
      if (Ptrace(PTRACE_GETREGS, t->tid, 0, &now) < 0) {
        result = -errno;
        break;
      }
      if (now.rip == saved.rip + 7) {
        result = static_cast<long>(now.rax);
        break;
      }
    }
  }
  RawWrite(p, saved.rip, orig, 7);
  if (alive && Ptrace(PTRACE_SETREGS, t->tid, 0, &saved) < 0) result = -errno;
  t->regs_valid = false;
  t->signal_stop = false; // its stop is now the step's, whatever it was
  if (held != 0 && alive) tgkill(p->pid, t->tid, held);
  return result;
}

// Whether an injected system call may run on t (stopped): not at the event stop of a fork,
// vfork or clone, whose result the kernel writes into rax only on the way out (the injection
// takes it, and the registers put back would show the program -ENOSYS). An interrupted system
// call is fine: it restarts from the registers put back.
bool Tracer::InjectableAt(Thread *t) {
  if (!LoadRegs(t)) return false;
  long nr = static_cast<long>(t->regs.orig_rax);
  return nr != SYS_clone && nr != SYS_fork && nr != SYS_vfork && nr != 435 /* clone3 */;
}

// A region of p within reach of addr, mapped (and the evaluator copied in) if none is.
AgentRegion *Tracer::AgentRegionNear(Proc *p, uint64_t addr) {
  for (AgentRegion &r : p->agent.regions) {
    int64_t lo = static_cast<int64_t>(r.base - addr),
            hi = static_cast<int64_t>(r.base + r.size - addr);
    if (lo > -kReach && hi < kReach) return &r;
  }
  if (p->agent.broken) return nullptr;
  // The thread to run the mmap: one not at a signal-delivery stop if there is one (after the
  // injection its signal could only be sent again, with the kernel's siginfo lost).
  Thread *t = nullptr;
  for (auto &kv : p->threads) {
    Thread *u = kv.second;
    if (!u->kstopped || u->exiting || u->group_stop || u->is_new || !InjectableAt(u)) continue;
    if (t == nullptr || (t->signal_stop && !u->signal_stop)) t = u;
  }
  if (t == nullptr) return nullptr;
  // The free gap nearest to addr, from /proc/PID/maps.
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/maps", p->pid);
  FILE *f = fopen(path, "re");
  if (f == nullptr) return nullptr;
  uint64_t best = 0, best_dist = ~0ULL, prev_end = 0x10000;
  char line[512];
  auto consider = [&](uint64_t gap_lo, uint64_t gap_hi) {
    if (gap_hi < gap_lo + kRegionSize) return;
    // The end of the gap nearest to addr.
    uint64_t cand = addr < gap_lo ? gap_lo : gap_hi - kRegionSize;
    if (addr > gap_lo && addr + kRegionSize < gap_hi) cand = addr & ~0xfffULL;
    uint64_t dist = cand > addr ? cand + kRegionSize - addr : addr - cand;
    if (dist < best_dist) {
      best = cand;
      best_dist = dist;
    }
  };
  while (fgets(line, sizeof line, f) != nullptr) {
    unsigned long lo, hi;
    if (sscanf(line, "%lx-%lx", &lo, &hi) != 2) continue;
    if (lo > prev_end) consider(prev_end, lo);
    if (hi > prev_end) prev_end = hi;
  }
  fclose(f);
  if (best_dist >= static_cast<uint64_t>(kReach)) return nullptr;
  const long args[6] = {static_cast<long>(best),
                        static_cast<long>(kRegionSize),
                        PROT_READ | PROT_EXEC,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
                        -1,
                        0};
  long got = InjectSyscall(t, SYS_mmap, args);
  if (debug_)
    fprintf(stderr, "[ntrace %d] agent region at %lx for %lx: %lx\n", tid_.load(),
            static_cast<unsigned long>(best), static_cast<unsigned long>(addr),
            static_cast<unsigned long>(got));
  if (got < 0 && got > -4096) {
    p->agent.broken = true;
    return nullptr;
  }
  uint64_t base = static_cast<uint64_t>(got);
  AgentRegion r;
  r.base = base;
  r.size = kRegionSize;
  // The evaluator, then the pads. The region is not writable by the program: the engine
  // writes through /proc/PID/mem.
  if (RawWrite(p, base, kAgentBlob, sizeof kAgentBlob) != static_cast<long>(sizeof kAgentBlob)) {
    p->agent.broken = true;
    return nullptr;
  }
  r.next = (base + sizeof kAgentBlob + 63) & ~63ULL;
  p->agent.regions.push_back(r);
  int64_t lo = static_cast<int64_t>(base - addr), hi = static_cast<int64_t>(base + r.size - addr);
  if (lo <= -kReach || hi >= kReach) return nullptr; // MAP_FIXED_NOREPLACE ignored: elsewhere
  return &p->agent.regions.back();
}

// Room for `need` bytes in the full region r: its retired pads are forgotten when no thread can
// be in them (every thread of p stopped, as AgentInstall asks, none in the agent's code, so no
// return address into a pad either, and no vfork child sharing the memory), and the first gap
// between its live pads that fits is returned (0 if none). r->next goes back to the end of the
// last live pad.
uint64_t Tracer::AgentReclaim(Proc *p, AgentRegion *r, uint64_t need) {
  if (p->vfork_child) return 0;
  for (const auto &kv : procs_)
    if (kv.second->vfork_child && kv.second->vfork_parent == p->pid) return 0;
  for (auto &kv : p->threads) {
    Thread *u = kv.second;
    if (u->exiting) continue;
    if (!u->kstopped || !LoadRegs(u) || AgentCode(p, u->regs.rip)) return 0;
  }
  const uint64_t lo = (r->base + sizeof kAgentBlob + 63) & ~63ULL, hi = r->base + r->size;
  uint64_t found = 0, at = lo;
  for (auto it = p->agent.pads.lower_bound(r->base); it != p->agent.pads.end() && it->first < hi;) {
    if (!it->second.live) {
      it = p->agent.pads.erase(it);
      continue;
    }
    if (found == 0 && it->second.start >= at + need) found = at;
    at = (it->second.end + 15) & ~15ULL;
    ++it;
  }
  r->next = at;
  if (found == 0 && hi >= at + need) found = at;
  if (debug_)
    fprintf(stderr, "[ntrace %d] agent region at %lx reclaimed: %lx\n", tid_.load(),
            static_cast<unsigned long>(r->base), static_cast<unsigned long>(found));
  return found;
}

// Replaces the int3 of p's breakpoint at addr by a jump to a new pad, when it may.
void Tracer::AgentInstall(Proc *p, uint64_t addr) {
  auto it = p->bps.find(addr);
  if (it == p->bps.end()) return;
  SwBp &b = it->second;
  if (b.pad != 0) AgentUninstall(p, addr); // new conditions: a new pad
  if (getenv("NTRACE_NO_AGENT") != nullptr) return;
  const BpExprs *x = b.exprs.get();
  if (x == nullptr || x->conds.empty() || !x->cmds.empty()) return; // commands: the tracer's
  // Every thread stopped: none runs the jump half-written, and the mmap has a thread to run on.
  // Not under a step-over or a vfork child's run, nor with watchpoints (the pad's stores), nor
  // with system call stops asked for (the evaluator's calls would be seen).
  if (p->bps_lifted || p->stepping != nullptr || HwSlotsUsed(p) ||
      (p->events & (NTRACE_EVENT_SYSCALL_ENTRY | NTRACE_EVENT_SYSCALL_EXIT)))
    return;
  for (auto &kv : p->threads) {
    const Thread *u = kv.second;
    if (!u->exiting && (!u->kstopped || u->is_new || u->mode == Mode::Syscall)) return;
  }
  uint8_t insn[16];
  memset(insn, 0, sizeof insn);
  long n = ReadMem(p, addr, insn, sizeof insn); // the program's bytes, our int3s hidden
  if (n < 5) return;
  ntrace_insn d;
  if (ntrace_insn_decode(insn, static_cast<unsigned>(n), &d) != 0 || d.len < 5) return;
  // Another breakpoint inside the instruction would be overwritten by the jump.
  for (auto o = p->bps.upper_bound(addr); o != p->bps.end() && o->first < addr + d.len; ++o)
    return;
  if (p->bps.lower_bound(addr) != p->bps.begin()) {
    auto prev = std::prev(p->bps.lower_bound(addr));
    if (prev->second.pad != 0 && prev->first + 5 > addr) return;
  }
  std::vector<uint8_t> key(insn, insn + d.len);
  for (const auto &c : x->conds) {
    uint32_t len = static_cast<uint32_t>(c.size());
    key.insert(key.end(), reinterpret_cast<const uint8_t *>(&len),
               reinterpret_cast<const uint8_t *>(&len) + 4);
    key.insert(key.end(), c.begin(), c.end());
  }
  for (auto &kv : p->agent.pads) {
    AgentPad &old = kv.second;
    if (old.live || old.bp != addr || old.key != key) continue;
    // Revived: its int3 back (a nop while retired), then the jump.
    if (RawWrite(p, old.stop, &kInt3, 1) != 1) return;
    old.live = true;
    memcpy(b.under, insn + 1, 4);
    b.pad = old.entry;
    b.insn_valid = false;
    if (!p->bps_lifted) PlantBp(p, addr, b);
    return;
  }
  AgentRegion *r = AgentRegionNear(p, addr);
  if (r == nullptr) return;
  // The conditions: a count, then each as a 32-bit length and its bytes (agent.c).
  std::vector<uint8_t> data(8, 0);
  uint32_t count = static_cast<uint32_t>(x->conds.size());
  memcpy(data.data(), &count, 4);
  for (const auto &c : x->conds) {
    uint32_t len = static_cast<uint32_t>(c.size());
    size_t at = data.size();
    data.resize(at + 4 + ((len + 3) & ~3u), 0);
    memcpy(&data[at], &len, 4);
    memcpy(&data[at + 4], c.data(), len);
  }
  AgentPad pad;
  Code c(0);
  uint64_t data_at = r->next;
  if (!BuildPad(data_at, data.size(), addr, insn, d, r->base, &pad, &c)) return;
  if (pad.end > r->base + r->size) {
    // The region is full: its retired pads' space, when no thread can be in them.
    data_at = AgentReclaim(p, r, pad.end - data_at);
    if (data_at == 0 || !BuildPad(data_at, data.size(), addr, insn, d, r->base, &pad, &c)) return;
  }
  if (RawWrite(p, data_at, data.data(), data.size()) != static_cast<long>(data.size())) return;
  const std::vector<uint8_t> &code = c.Bytes();
  if (RawWrite(p, pad.entry, code.data(), code.size()) != static_cast<long>(code.size())) return;
  if (data_at == r->next) r->next = (pad.end + 15) & ~15ULL;
  memcpy(b.under, insn + 1, 4);
  pad.live = true;
  pad.key = std::move(key);
  uint64_t entry = pad.entry;
  p->agent.pads[entry] = std::move(pad);
  b.pad = entry;
  b.insn_valid = false;
  if (!p->bps_lifted) PlantBp(p, addr, b);
  if (debug_)
    fprintf(stderr, "[ntrace %d] agent pad for %lx at %lx (%u-byte instruction)\n", tid_.load(),
            static_cast<unsigned long>(addr), static_cast<unsigned long>(entry), d.len);
}

// Back to an int3 at addr: the pad is retired (its int3 a nop, so a thread inside runs on).
void Tracer::AgentUninstall(Proc *p, uint64_t addr) {
  auto it = p->bps.find(addr);
  if (it == p->bps.end() || it->second.pad == 0) return;
  SwBp &b = it->second;
  bool lifted = p->bps_lifted || (p->stepping != nullptr && p->stepping->step_over == addr);
  if (!lifted) {
    RawWrite(p, addr, &kInt3, 1);
    RawWrite(p, addr + 1, b.under, 4);
  }
  auto pad = p->agent.pads.find(b.pad);
  if (pad != p->agent.pads.end()) {
    pad->second.live = false;
    static const uint8_t nop = 0x90;
    RawWrite(p, pad->second.stop, &nop, 1);
  }
  b.pad = 0;
}

// Every breakpoint of p back to an int3, its pad retired.
void Tracer::AgentRetireAll(Proc *p) {
  for (auto &kv : p->bps)
    if (kv.second.pad != 0) AgentUninstall(p, kv.first);
}

// Every pad's int3 a nop: a detached process's threads inside pads run on.
void Tracer::AgentDisarm(Proc *p) {
  static const uint8_t nop = 0x90;
  for (auto &kv : p->agent.pads) {
    kv.second.live = false;
    RawWrite(p, kv.second.stop, &nop, 1);
  }
}

// Unmaps p's regions when no thread can be in them any more: every thread stopped and none
// inside the agent's code (a signal handler never runs on a pad's context: a thread is moved
// out before any signal is delivered to it, HandleSignal). `on` runs the munmap (any stopped
// thread not at a signal stop if null). False when the regions stay.
bool Tracer::AgentFree(Proc *p, Thread *on) {
  if (p->agent.regions.empty()) return true;
  for (auto &kv : p->threads) {
    Thread *u = kv.second;
    if (u->exiting) continue;
    if (!u->kstopped || !LoadRegs(u) || AgentCode(p, u->regs.rip)) return false;
    if (on == nullptr && !u->signal_stop && !u->group_stop && !u->is_new && InjectableAt(u)) on = u;
  }
  if (on == nullptr) return false;
  bool all = true;
  for (const AgentRegion &r : p->agent.regions) {
    const long args[6] = {static_cast<long>(r.base), static_cast<long>(r.size), 0, 0, 0, 0};
    long got = InjectSyscall(on, SYS_munmap, args);
    if (debug_)
      fprintf(stderr, "[ntrace %d] agent region at %lx unmapped: %ld\n", tid_.load(),
              static_cast<unsigned long>(r.base), got);
    if (got != 0) all = false;
  }
  p->agent.regions.clear();
  p->agent.pads.clear();
  return all;
}

// A SIGTRAP of t that the agent explains: a true condition's int3, or a single step that ran
// the jump into a pad. True when handled (reported or resumed).
bool Tracer::AgentTrap(Thread *t, const siginfo_t &si) {
  Proc *p = t->proc;
  if (p->agent.pads.empty() || !LoadRegs(t)) return false;
  uint64_t pc = t->regs.rip;
  if (si.si_code == SI_KERNEL) {
    const AgentPad *pad = AgentPadAt(p, pc - 1);
    if (pad == nullptr || pc - 1 != pad->stop) return false;
    uint64_t a = pad->bp;
    t->regs.rip = a; // the registers are the program's again: only the pc is the pad's
    t->regs_dirty = true;
    auto it = p->bps.find(a);
    if (pad->live && it != p->bps.end() && it->second.pad == pad->entry) {
      uint64_t d[1] = {a};
      Report(t, NTRACE_STOP_BREAKPOINT, SIGTRAP, d, 1);
    } else {
      Continue(t, 0); // a retired pad's (removed, or new conditions): the address decides
    }
    return true;
  }
  const AgentPad *pad = AgentPadAt(p, pc);
  if (pad == nullptr || pc != pad->entry) return false;
  // A single step ran the jump: as if it had run an int3 there.
  uint64_t a = pad->bp;
  t->regs.rip = a;
  t->regs_dirty = true;
  auto it = p->bps.find(a);
  if (!pad->live || it == p->bps.end() || it->second.pad != pad->entry) {
    Continue(t, 0); // no longer ours: step again from the address
    return true;
  }
  std::shared_ptr<const BpExprs> x = it->second.exprs;
  if (x && !BpWantsStop(t, *x, a)) {
    t->skip_bp = a;
    Continue(t, 0);
    return true;
  }
  uint64_t d[1] = {a};
  Report(t, NTRACE_STOP_BREAKPOINT, SIGTRAP, d, 1);
  return true;
}

// t continues from its agent breakpoint (skip_bp): it runs the pad's copy of the instruction
// instead, the jump staying in place. True when so.
bool Tracer::AgentResume(Thread *t) {
  Proc *p = t->proc;
  auto it = p->bps.find(t->skip_bp);
  if (it == p->bps.end() || it->second.pad == 0) return false;
  auto pad = p->agent.pads.find(it->second.pad);
  if (pad == p->agent.pads.end()) return false;
  t->regs.rip = pad->second.reloc;
  t->regs_dirty = true;
  return true;
}

// The register block of the pad t is stopped in, while it holds the program's registers
// (from the flags' store to the decision): at rsp, then at rbx, and inside the evaluator above
// the return address into the pad, found on the stack. 0 when t is elsewhere.
uint64_t Tracer::AgentBlock(Thread *t, const AgentPad **which) {
  Proc *p = t->proc;
  uint64_t pc = t->regs.rip;
  const AgentPad *pad = AgentPadAt(p, pc);
  if (pad != nullptr) {
    *which = pad;
    if (pc >= pad->saved_at && pc <= pad->rbx_at) return t->regs.rsp;
    if (pc > pad->rbx_at && pc < pad->decide_end) return t->regs.rbx;
    return 0;
  }
  bool in_eval = false;
  for (const AgentRegion &r : p->agent.regions)
    if (pc >= r.base && pc < r.base + sizeof kAgentBlob) in_eval = true;
  if (!in_eval) return 0;
  // The evaluator's frames are small (a 64-value stack): its return address is near rsp.
  uint64_t st[1024];
  long n = RawRead(p, t->regs.rsp & ~7ULL, reinterpret_cast<uint8_t *>(st), sizeof st);
  for (long i = 0; n > 0 && i < n / 8; i++) {
    const AgentPad *q = AgentPadAt(p, st[i]);
    if (q == nullptr || st[i] != q->call_ret) continue;
    // The call pushed its address at the block rounded down to 16, less 8.
    uint64_t slot = (t->regs.rsp & ~7ULL) + 8 * i + 8;
    for (uint64_t block : {slot, slot + 8}) {
      uint64_t v[kBlock / 8];
      if (RawRead(p, block, reinterpret_cast<uint8_t *>(v), kBlock) != kBlock) continue;
      if (v[kSlotRip] == q->bp && v[kSlotRsp] == block + kBlock + kRedZone &&
          v[kSlotOrigRax] == ~0ULL) {
        *which = q;
        return block;
      }
    }
  }
  return 0;
}

// t is stopped inside the agent's code (an interrupt, a signal): single-steps it out, so the
// client sees it in the program, at the breakpoint's address when the pad had not run the
// program's instruction yet (its conditions run again on the resume).
void Tracer::AgentStabilize(Thread *t) {
  Proc *p = t->proc;
  int held = 0;
  bool stepped = false;
  for (int i = 0; i < kStabilizeSteps; i++) {
    if (!LoadRegs(t)) return;
    uint64_t pc = t->regs.rip;
    if (!AgentCode(p, pc)) break;
    const AgentPad *pad = AgentPadAt(p, pc);
    if (pad != nullptr && pc > pad->entry && pc <= pad->flags_at) {
      // Saving the registers: only rsp has moved. Undone rather than stepped: a pushfq run
      // under a single step would save the trap flag, and the popfq put it back for good.
      t->regs.rsp += kBlock + kRedZone;
      t->regs.rip = pad->bp;
      t->regs_dirty = true;
      break;
    }
    const AgentPad *at = nullptr;
    if (debug_)
      fprintf(stderr, "[ntrace %d] stabilizing tid=%d pc=%lx rsp=%lx\n", tid_.load(), t->tid,
              static_cast<unsigned long>(pc), static_cast<unsigned long>(t->regs.rsp));
    if (uint64_t block = AgentBlock(t, &at)) {
      // The program's registers are all in the block: the thread goes back to the breakpoint
      // as it came, at once, however long the evaluation still had to run (its conditions
      // run again on the resume). No system call of the evaluator's is restarted there.
      uint64_t v[kBlock / 8];
      if (RawRead(p, block, reinterpret_cast<uint8_t *>(v), kBlock) != kBlock) return;
      memcpy(&t->regs, v, 15 * 8); // r15 .. rdi, user_regs_struct's order
      t->regs.orig_rax = ~0ULL;
      t->regs.eflags = (v[kSlotFlags] & ~0x100ULL) | 0x2;
      t->regs.rsp = block + kBlock + kRedZone;
      t->regs.rip = at->bp;
      t->regs_dirty = true;
      break;
    }
    if (pad != nullptr && (pc == pad->popf[0] || pc == pad->popf[1])) {
      // popfq emulated, not stepped: a single step over popf leaves the trap flag the
      // program's for the kernel (arch/x86/kernel/step.c, is_setting_trap_flag), so a step
      // cut short there would leave it set for good.
      uint64_t v;
      if (RawRead(p, t->regs.rsp, reinterpret_cast<uint8_t *>(&v), 8) != 8) return;
      t->regs.eflags = (v & ~0x100ULL) | 0x2;
      t->regs.rsp += 8;
      t->regs.rip = pc + 1;
      t->regs_dirty = true;
      continue;
    }
    if (pad != nullptr) {
      uint64_t to = 0;
      if (pc == pad->entry || pc == pad->reloc || pc == pad->stop || pc == pad->stop + 1)
        to = pad->bp;
      else if (pc == pad->back && !pad->branch)
        to = pad->bp + pad->insn_len;
      if (to != 0) {
        t->regs.rip = to;
        t->regs.eflags &= ~0x100ULL; // no trap flag from our steps through popfq
        t->regs_dirty = true;
        break;
      }
    }
    if (t->group_stop) break; // not stepped out of a group stop: it stays where it is
    if (!FlushRegs(t)) return;
    if (t->dr_dirty) ApplyDebugRegs(t);
    QuietStops();
    if (Ptrace(PTRACE_SINGLESTEP, t->tid, 0, 0) < 0) return;
    stepped = true;
    t->regs_valid = false;
    int status;
    pid_t w;
    do
      w = waitpid(t->tid, &status, __WALL);
    while (w < 0 && errno == EINTR);
    if (w < 0) return;
    if (!WIFSTOPPED(status) || (status >> 16) == PTRACE_EVENT_EXIT) {
      late_.emplace_back(t->tid, status); // dying: its end is dispatched after this
      return;
    }
    if ((status >> 16) == 0 && WSTOPSIG(status) != SIGTRAP) held = WSTOPSIG(status);
  }
  if (debug_)
    fprintf(stderr, "[ntrace %d] stabilized tid=%d at %lx\n", tid_.load(), t->tid,
            static_cast<unsigned long>(t->regs.rip));
  if (stepped) t->signal_stop = false;
  if (held != 0) tgkill(p->pid, t->tid, held);
}

void Tracer::DispatchLate() {
  DispatchEmulSteps();
  while (!late_.empty()) {
    std::vector<std::pair<pid_t, int>> l;
    l.swap(late_);
    for (auto &e : l)
      Dispatch(e.first, e.second);
  }
}

} // namespace ntrace
