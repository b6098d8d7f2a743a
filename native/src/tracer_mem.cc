// Memory access, engine-owned software breakpoints and the x86 debug registers.
#include "tracer.h"

#include <errno.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>

namespace ntrace {

namespace {

constexpr uint64_t kPage = 4096;
constexpr uint64_t kUserTop = 0x00007ffffffff000ULL;
constexpr uint8_t kInt3 = 0xcc;

long DrOffset(int i) {
  return static_cast<long>(offsetof(struct user, u_debugreg) + i * 8);
}

} // namespace

// Reads without the breakpoint overlay. Up to a page (gdb's `m` reads, the engine's own
// instruction and condition reads): one pread of /proc/PID/mem, as gdbserver reads; it costs
// less than process_vm_readv, which looks the task up and checks ptrace access on every call
// (1.5-1.8 against 2.1-2.5 us of CPU here, bench/RESULTS.md session 14). Longer reads, and
// what that pread left: process_vm_readv page by page (it refuses to split an iovec), falling
// back to /proc/PID/mem for pages it will not read. Short at the first page neither can read;
// -EIO when that is the first.
long Tracer::RawRead(Proc *p, uint64_t addr, uint8_t *buf, size_t len) {
  Counts().mem_reads++;
  size_t done = 0;
  if (len <= kPage && p->memfd >= 0) {
    ssize_t r;
    do
      r = pread(p->memfd, buf, len, static_cast<off_t>(addr));
    while (r < 0 && errno == EINTR);
    if (r > 0) done = static_cast<size_t>(r);
    if (done == len) return static_cast<long>(done);
  }
  while (done < len) {
    uint64_t a = addr + done;
    size_t chunk = len - done;
    // Up to 64 pages per call, each its own iovec so partial transfers land on page edges.
    struct iovec remote[64];
    int n = 0;
    size_t total = 0;
    while (total < chunk && n < 64) {
      uint64_t ra = a + total;
      size_t in_page = kPage - (ra % kPage);
      size_t l = chunk - total < in_page ? chunk - total : in_page;
      remote[n].iov_base = reinterpret_cast<void *>(ra);
      remote[n].iov_len = l;
      total += l;
      n++;
    }
    struct iovec local = {buf + done, total};
    ssize_t r = process_vm_readv(p->pid, &local, 1, remote, n, 0);
    if (r > 0) {
      done += static_cast<size_t>(r);
      if (static_cast<size_t>(r) == total) continue;
    }
    // This page refused: try /proc/PID/mem for it alone.
    uint64_t fa = addr + done;
    size_t l = kPage - (fa % kPage);
    if (l > len - done) l = len - done;
    ssize_t m = p->memfd >= 0 ? pread(p->memfd, buf + done, l, static_cast<off_t>(fa)) : -1;
    if (m <= 0) break;
    done += static_cast<size_t>(m);
    if (static_cast<size_t>(m) < l) break;
  }
  if (done == 0) return -EIO;
  return static_cast<long>(done);
}

long Tracer::RawWrite(Proc *p, uint64_t addr, const uint8_t *buf, size_t len) {
  if (p->memfd < 0) return -EIO;
  size_t done = 0;
  while (done < len) {
    ssize_t r = pwrite(p->memfd, buf + done, len - done, static_cast<off_t>(addr + done));
    if (r < 0) {
      if (errno == EINTR) continue;
      if (done == 0) return -errno;
      break;
    }
    if (r == 0) break;
    done += static_cast<size_t>(r);
  }
  if (done == 0) return -EIO;
  return static_cast<long>(done);
}

long Tracer::ReadMem(Proc *p, uint64_t addr, uint8_t *buf, size_t len) {
  long n = RawRead(p, addr, buf, len);
  if (n <= 0 || p->bps_lifted) return n;
  // Hide our int3s and agent jumps: show the saved bytes.
  uint64_t end = addr + static_cast<uint64_t>(n);
  for (auto it = p->bps.lower_bound(addr >= 4 ? addr - 4 : 0);
       it != p->bps.end() && it->first < end; ++it) {
    if (it->first >= addr) buf[it->first - addr] = it->second.saved;
    if (it->second.pad == 0) continue;
    for (uint64_t k = 1; k < 5; k++) {
      uint64_t a = it->first + k;
      if (a >= addr && a < end) buf[a - addr] = it->second.under[k - 1];
    }
  }
  return n;
}

long Tracer::WriteMem(Proc *p, uint64_t addr, const uint8_t *buf, size_t len) {
  // A write under an agent jump changes the instruction its pad copied: back to an int3.
  if (!p->agent.pads.empty()) AgentRange(p, addr, len);
  // The emulator's copies of the bytes at breakpoints that this write reaches into.
  constexpr uint64_t kInsn = sizeof(SwBp::insn);
  for (auto c = p->bps.lower_bound(addr >= kInsn ? addr - (kInsn - 1) : 0);
       c != p->bps.end() && c->first < addr + len; ++c)
    c->second.insn_valid = false;
  auto it = p->bps.lower_bound(addr);
  if (it == p->bps.end() || it->first >= addr + len) return RawWrite(p, addr, buf, len);
  // Writes under a breakpoint update the saved byte and keep the int3.
  std::vector<uint8_t> copy(buf, buf + len);
  for (; it != p->bps.end() && it->first < addr + len; ++it) {
    it->second.saved = copy[it->first - addr];
    bool lifted = p->bps_lifted || (p->stepping != nullptr && p->stepping->step_over == it->first);
    if (!lifted) copy[it->first - addr] = kInt3;
  }
  return RawWrite(p, addr, copy.data(), len);
}

bool Tracer::BpSet(const Proc *p, uint64_t addr) const {
  return !p->bps_lifted && p->bps.count(addr) != 0;
}

bool Tracer::BpInserted(Proc *p, uint64_t addr) const {
  return !p->bps_lifted && p->bps.count(addr) != 0 &&
         !(p->stepping != nullptr && p->stepping->step_over == addr);
}

int Tracer::InsertSw(Proc *p, uint64_t addr) {
  auto it = p->bps.find(addr);
  if (it != p->bps.end()) {
    it->second.refs++;
    return 0;
  }
  if (addr >= kUserTop) return -EINVAL;
  if (!p->agent.pads.empty()) AgentRange(p, addr, 1); // not inside an agent jump
  uint8_t orig;
  long r = RawRead(p, addr, &orig, 1);
  if (r < 0) return static_cast<int>(r);
  if (!p->bps_lifted) {
    r = RawWrite(p, addr, &kInt3, 1);
    if (r < 0) return static_cast<int>(r);
  }
  SwBp bp;
  bp.saved = orig;
  bp.refs = 1;
  p->bps[addr] = bp;
  return 0;
}

// A breakpoint set again whose int3 is gone: a library was unloaded and another mapped at the
// same address (gdb.base/unload.exp). The int3 goes into the new code, over its own byte, as
// gdbserver's set_gdb_breakpoint_1 does after validate_breakpoints.
void Tracer::ReplantSw(Proc *p, std::map<uint64_t, SwBp>::iterator it) {
  uint64_t addr = it->first;
  if (p->bps_lifted || (p->stepping != nullptr && p->stepping->step_over == addr)) return;
  if (it->second.pad != 0) {
    uint8_t cur5[5], want[5] = {0xe9};
    uint32_t d = static_cast<uint32_t>(it->second.pad - (addr + 5));
    memcpy(want + 1, &d, 4);
    if (RawRead(p, addr, cur5, 5) != 5 || memcmp(cur5, want, 5) == 0) return;
    // New code under the jump: its pad copied the old instruction.
    auto pad = p->agent.pads.find(it->second.pad);
    if (pad != p->agent.pads.end()) pad->second.live = false;
    it->second.pad = 0;
  }
  uint8_t cur;
  if (RawRead(p, addr, &cur, 1) < 0 || cur == kInt3) return;
  if (RawWrite(p, addr, &kInt3, 1) < 0) return;
  it->second.saved = cur;
  it->second.insn_valid = false; // new code under it
}

int Tracer::RemoveSw(Proc *p, uint64_t addr) {
  auto it = p->bps.find(addr);
  if (it == p->bps.end()) return -ENOENT;
  if (--it->second.refs > 0) return 0;
  AgentUninstall(p, addr); // an int3 again, its pad retired
  uint8_t b = it->second.saved;
  bool lifted = p->bps_lifted || (p->stepping != nullptr && p->stepping->step_over == addr);
  p->bps.erase(it);
  if (!lifted) RawWrite(p, addr, &b, 1);
  // A thread that hit it may have its trap still queued (or held as a pending status): the
  // trap is ours to take back (see HandleSignal). An original int3 there traps on its own.
  if (b != kInt3)
    for (auto &kv : p->threads)
      kv.second->gone_bps.push_back(addr);
  return 0;
}

void Tracer::LiftAll(Proc *p) {
  if (p->bps_lifted) return;
  for (auto &kv : p->bps) {
    if (p->stepping != nullptr && p->stepping->step_over == kv.first) continue;
    LiftBp(p, kv.first, kv.second);
  }
  p->bps_lifted = true;
}

void Tracer::RestoreAll(Proc *p) {
  if (!p->bps_lifted) return;
  p->bps_lifted = false;
  for (auto &kv : p->bps) {
    if (p->stepping != nullptr && p->stepping->step_over == kv.first) continue;
    PlantBp(p, kv.first, kv.second);
  }
}

bool Tracer::HwSlotsUsed(const Proc *p) const {
  for (const auto &s : p->hw)
    if (s.used) return true;
  return false;
}

static bool WatchLenOk(uint32_t len, uint64_t addr) {
  return (len == 1 || len == 2 || len == 4 || len == 8) && addr % len == 0;
}

int Tracer::SetHw(Proc *p, uint32_t kind, uint64_t addr, uint32_t len) {
  if (kind == NTRACE_BP_HW) {
    if (len > 1) return -EINVAL;
    len = 1;
  } else if (!WatchLenOk(len, addr)) {
    return -EINVAL;
  }
  if (addr >= kUserTop) return -EINVAL;
  for (auto &s : p->hw) {
    if (s.used && s.kind == kind && s.addr == addr && s.len == len) {
      s.refs++;
      return 0;
    }
  }
  for (auto &s : p->hw) {
    if (s.used) continue;
    s.used = true;
    s.kind = kind;
    s.addr = addr;
    s.len = len;
    s.refs = 1;
    s.value = 0; // a read watchpoint's value, told from a write at its hits (HandleSignal)
    if (kind == NTRACE_BP_READ) ReadMem(p, addr, reinterpret_cast<uint8_t *>(&s.value), len);
    // Apply now to the threads we can touch; probe the first for the kernel's verdict.
    for (auto &kv : p->threads) {
      Thread *t = kv.second;
      if (!t->kstopped) continue;
      int e = ApplyDebugRegs(t);
      if (e != 0 && e != -ESRCH) {
        s = HwSlot();
        for (auto &kv2 : p->threads)
          if (kv2.second->kstopped) ApplyDebugRegs(kv2.second);
        return e;
      }
    }
    MarkDebugRegsDirty(p);
    return 0;
  }
  return -ENOSPC;
}

// A removal reaches a stopped thread's registers when it next runs (KResume, or the
// agent's own steps): gdb takes every watchpoint out at each stop and puts it back before
// resuming (z2, Z2), and the put-back then finds the registers as they are, with nothing to
// write (two POKEUSERs of DR7 per hit before, about 14 us each here). Running threads are
// interrupted for it, as for a new one.
int Tracer::ClearHw(Proc *p, uint32_t kind, uint64_t addr, uint32_t len) {
  if (kind == NTRACE_BP_HW && len == 0) len = 1;
  for (auto &s : p->hw) {
    if (s.used && s.kind == kind && s.addr == addr && s.len == len) {
      if (--s.refs == 0) {
        s = HwSlot();
        MarkDebugRegsDirty(p);
      }
      return 0;
    }
  }
  return -ENOENT;
}

// Every thread gets the slots before it next runs (KResume): running threads are interrupted
// for it; stopped ones keep what they have until then (SetHw writes its new slot into them at
// once, for the kernel's verdict).
void Tracer::MarkDebugRegsDirty(Proc *p) {
  for (auto &kv : p->threads) {
    Thread *t = kv.second;
    if (t->exiting) continue;
    t->dr_dirty = true;
    if (t->kstopped) continue;
    if (!t->is_new && !t->interrupt_outstanding && Ptrace(PTRACE_INTERRUPT, t->tid, 0, 0) == 0)
      t->interrupt_outstanding = true;
  }
}

// Writes the process's slots into t's debug registers: DR7 off first whenever an address
// changes under an enabled DR7 (the kernel checks each write against the others), then the
// addresses, then DR7. Only what differs from the last write (dr_known); after a failed write
// everything is written again next time.
int Tracer::ApplyDebugRegs(Thread *t) {
  Proc *p = t->proc;
  uint64_t dr7 = 0;
  bool moved = !t->dr_known;
  for (int i = 0; i < 4; i++) {
    const HwSlot &s = p->hw[i];
    if (!s.used) continue;
    moved = moved || t->dr_addr[i] != s.addr;
    uint64_t rw = s.kind == NTRACE_BP_HW ? 0 : (s.kind == NTRACE_BP_WRITE ? 1 : 3);
    uint64_t ln = 0;
    if (s.kind != NTRACE_BP_HW) ln = s.len == 1 ? 0 : s.len == 2 ? 1 : s.len == 8 ? 2 : 3;
    dr7 |= (1ULL << (i * 2)) | (rw << (16 + i * 4)) | (ln << (18 + i * 4));
  }
  bool known = t->dr_known;
  t->dr_known = false; // until every write below went through
  if (moved && (!known || t->dr7 != 0)) {
    if (Ptrace(PTRACE_POKEUSER, t->tid, DrOffset(7), 0) < 0) return -errno;
    t->dr7 = 0;
  }
  for (int i = 0; i < 4; i++) {
    const HwSlot &s = p->hw[i];
    if (!s.used || (known && t->dr_addr[i] == s.addr)) continue;
    if (Ptrace(PTRACE_POKEUSER, t->tid, DrOffset(i), s.addr) < 0) return -errno;
    t->dr_addr[i] = s.addr;
  }
  if (dr7 != t->dr7) {
    if (Ptrace(PTRACE_POKEUSER, t->tid, DrOffset(7), dr7) < 0) return -errno;
    t->dr7 = dr7;
  }
  t->dr_known = true;
  t->dr_dirty = false;
  return 0;
}

} // namespace ntrace
