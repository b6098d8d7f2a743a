// Command records: framing, validation (copy_struct_from_user rules) and the handlers.
#include "tracer.h"

#include <errno.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <elf.h>

#include <cstdio>
#include <cstring>
#include <string>

namespace ntrace {

namespace {

constexpr uint64_t kCaps =
    NTRACE_CAP_LAUNCH | NTRACE_CAP_SW_BREAK | NTRACE_CAP_HW_BREAK | NTRACE_CAP_HW_WATCH |
    NTRACE_CAP_RANGE_STEP | NTRACE_CAP_SYSCALL_ENTRY_STOP | NTRACE_CAP_SYSCALL_EXIT_STOP |
    NTRACE_CAP_EXIT_STOP_LIVE | NTRACE_CAP_FORK_EVENTS | NTRACE_CAP_VFORK_EVENTS |
    NTRACE_CAP_EXEC_EVENTS | NTRACE_CAP_CLONE_EVENTS | NTRACE_CAP_SIGINFO_WRITE |
    NTRACE_CAP_ALL_STOP | NTRACE_CAP_SIGNAL_FILTER | NTRACE_CAP_SYSCALL_FILTER |
    NTRACE_CAP_STOP_REGS | NTRACE_CAP_COND_BYTECODE;

constexpr uint64_t kEventMask = (1ULL << 9) - 1;

// Copies a fixed-size command struct: shorter records are zero-extended, a longer one must
// have a zero tail unless the caller accepts a payload (then the tail is the payload).
template <class T> bool Fixed(const uint8_t *rec, size_t len, T *out, bool payload = false) {
  memset(out, 0, sizeof *out);
  memcpy(out, rec, len < sizeof *out ? len : sizeof *out);
  if (!payload && len > sizeof *out) {
    for (size_t i = sizeof *out; i < len; i++)
      if (rec[i] != 0) return false;
  }
  return true;
}

bool ZeroFrom(const uint8_t *rec, size_t from, size_t len) {
  for (size_t i = from; i < len; i++)
    if (rec[i] != 0) return false;
  return true;
}

template <class T> void Append(std::vector<uint8_t> &out, const T &v) {
  const uint8_t *p = reinterpret_cast<const uint8_t *>(&v);
  out.insert(out.end(), p, p + sizeof v);
}

} // namespace

void Tracer::HandleMessage(const uint8_t *buf, size_t len) {
  size_t off = 0;
  while (off < len) {
    ntrace_hdr h;
    memset(&h, 0, sizeof h);
    size_t left = len - off;
    memcpy(&h, buf + off, left < sizeof h ? left : sizeof h);
    if (left < sizeof h || h.len < sizeof h || h.len % NTRACE_ALIGN != 0 || h.len > left) {
      // A broken frame: answer it once and drop the rest of the message.
      Reply(left >= sizeof h ? h.seq : 0, h.type, -EINVAL);
      return;
    }
    std::vector<uint8_t> out;
    in_command_ = true;
    after_reply_.clear();
    int err = Command(h, buf + off, out);
    in_command_ = false;
    Reply(h.seq, h.type, err, out.data(), err == 0 ? out.size() : 0);
    std::vector<std::vector<uint8_t>> later;
    later.swap(after_reply_);
    for (auto &rec : later)
      Emit(rec.data(), rec.size());
    if (peer_gone_) return;
    off += h.len;
  }
}

int Tracer::Command(const ntrace_hdr &h, const uint8_t *rec, std::vector<uint8_t> &out) {
  size_t len = h.len;
  if (debug_)
    fprintf(stderr, "[ntrace %d] cmd 0x%x seq=%llu\n", tid_.load(), h.type,
            static_cast<unsigned long long>(h.seq));
  // Flags are per type; SET_BP's one says "replace the expressions" (ntrace.h).
  if (h.flags != 0 && !(h.type == NTRACE_CMD_SET_BP && h.flags == NTRACE_SETBP_REPLACE))
    return -EINVAL;
  if (h.type == NTRACE_CMD_HELLO) return CmdHello(rec, len, out);
  if (!hello_done_) return -EPROTO;
  switch (h.type) {
  case NTRACE_CMD_LAUNCH:
    return CmdLaunch(rec, len, out);
  case NTRACE_CMD_ATTACH:
    return CmdAttach(rec, len, out);
  case NTRACE_CMD_DETACH:
    return CmdDetach(rec, len);
  case NTRACE_CMD_KILL:
    return CmdKill(rec, len);
  case NTRACE_CMD_SET_OPTIONS:
    return CmdSetOptions(rec, len);
  case NTRACE_CMD_STOP:
    return CmdStop(rec, len);
  case NTRACE_CMD_RESUME:
    return CmdResume(rec, len);
  case NTRACE_CMD_GET_REGS:
    return CmdGetRegs(rec, len, out);
  case NTRACE_CMD_SET_REGS:
    return CmdSetRegs(rec, len);
  case NTRACE_CMD_READ_MEM:
    return CmdReadMem(rec, len, out);
  case NTRACE_CMD_WRITE_MEM:
    return CmdWriteMem(rec, len, out);
  case NTRACE_CMD_GET_SIGINFO:
    return CmdGetSiginfo(rec, len, out);
  case NTRACE_CMD_SET_SIGINFO:
    return CmdSetSiginfo(rec, len);
  case NTRACE_CMD_SET_BP:
    return CmdSetBp(rec, len);
  case NTRACE_CMD_CLEAR_BP:
    return CmdClearBp(rec, len);
  case NTRACE_CMD_LIST_THREADS:
    return CmdListThreads(rec, len, out);
  default:
    return -EINVAL;
  }
}

int Tracer::CmdHello(const uint8_t *rec, size_t len, std::vector<uint8_t> &out) {
  ntrace_cmd_hello c;
  if (!Fixed(rec, len, &c) || c.features != 0) return -EINVAL;
  if (started_) return -EPROTO;
  if (c.abi_min > NTRACE_ABI_VERSION || c.abi_max < NTRACE_ABI_VERSION) return -EPROTONOSUPPORT;
  ntrace_hello_reply r;
  memset(&r, 0, sizeof r);
  r.abi = NTRACE_ABI_VERSION;
  r.backend = NTRACE_BACKEND_PTRACE;
  r.caps = kCaps | (xstate_size_ ? NTRACE_CAP_XSTATE : 0);
  r.max_record = kMaxRecord;
  r.queue_bytes = static_cast<uint32_t>(kReportQueueBytes);
  r.hw_slots = 4;
  r.xstate_size = xstate_size_;
  r.xcr0 = xstate_size_ ? xcr0_ : 0;
  Append(out, r);
  hello_done_ = true;
  return 0;
}

int Tracer::CmdLaunch(const uint8_t *rec, size_t len, std::vector<uint8_t> &out) {
  ntrace_cmd_launch c;
  Fixed(rec, len, &c, true);
  if (c.flags & ~(NTRACE_LAUNCH_NO_ASLR | NTRACE_LAUNCH_NEW_PGRP)) return -EINVAL;
  size_t base = sizeof c;
  if (len < base || c.strings_len > len - base || !ZeroFrom(rec, base + c.strings_len, len))
    return -EINVAL;
  if (c.argc > 4096 || c.envc > 65536) return -E2BIG;
  // path, cwd, argv[argc], envp[envc], each NUL-terminated, exactly filling strings_len.
  std::vector<std::string> strs;
  const char *s = reinterpret_cast<const char *>(rec + base);
  size_t n = c.strings_len, pos = 0;
  size_t want = 2 + static_cast<size_t>(c.argc) + c.envc;
  while (pos < n && strs.size() < want) {
    const void *nul = memchr(s + pos, 0, n - pos);
    if (nul == nullptr) return -EINVAL;
    size_t l = static_cast<const char *>(nul) - (s + pos);
    strs.emplace_back(s + pos, l);
    pos += l + 1;
  }
  if (strs.size() != want || pos != n || strs[0].empty()) return -EINVAL;
  std::vector<char *> argv, envp;
  for (size_t i = 0; i < c.argc; i++)
    argv.push_back(const_cast<char *>(strs[2 + i].c_str()));
  argv.push_back(nullptr);
  for (size_t i = 0; i < c.envc; i++)
    envp.push_back(const_cast<char *>(strs[2 + c.argc + i].c_str()));
  envp.push_back(nullptr);
  Thread *t = nullptr;
  int err = Launch(strs[0].c_str(), strs[1].empty() ? nullptr : strs[1].c_str(), argv.data(),
                   envp.data(), c.flags, &t);
  if (err != 0) return err;
  started_ = true;
  ntrace_launch_reply r;
  memset(&r, 0, sizeof r);
  r.thread.handle = t->handle;
  r.thread.tgid = t->proc->pid;
  r.thread.tid = t->tid;
  Append(out, r);
  Report(t, NTRACE_STOP_LAUNCH, SIGTRAP);
  return 0;
}

static void AppendThreadInfo(std::vector<uint8_t> &out, const Thread &t) {
  ntrace_thread_info ti;
  memset(&ti, 0, sizeof ti);
  ti.thread.handle = t.handle;
  ti.thread.tgid = t.proc->pid;
  ti.thread.tid = t.tid;
  ti.stop_id = t.reported ? t.stop_id : 0;
  ti.state = t.reported ? NTRACE_THREAD_STOPPED
                        : (t.exiting ? NTRACE_THREAD_EXITING : NTRACE_THREAD_RUNNING);
  Append(out, ti);
}

int Tracer::CmdAttach(const uint8_t *rec, size_t len, std::vector<uint8_t> &out) {
  ntrace_cmd_attach c;
  if (!Fixed(rec, len, &c)) return -EINVAL;
  if (c.flags & ~(NTRACE_ATTACH_STOP | NTRACE_ATTACH_KILL_ON_CLOSE | NTRACE_ATTACH_STOP_AT_EXEC))
    return -EINVAL;
  if (c.pid <= 0) return -ESRCH;
  if (FindProc(c.pid) != nullptr) return -EBUSY;
  std::vector<Thread *> list;
  int err = Attach(c.pid, c.flags, &list);
  if (err != 0) return err;
  started_ = true;
  ntrace_thread_list_reply r;
  memset(&r, 0, sizeof r);
  r.count = static_cast<uint32_t>(list.size());
  Append(out, r);
  for (Thread *t : list)
    AppendThreadInfo(out, *t);
  return 0;
}

int Tracer::CmdDetach(const uint8_t *rec, size_t len) {
  ntrace_cmd_pid c;
  if (!Fixed(rec, len, &c) || c.reserved != 0) return -EINVAL;
  Proc *p = FindProc(c.pid);
  if (p == nullptr) return -ESRCH;
  return DetachProc(p, true);
}

int Tracer::CmdKill(const uint8_t *rec, size_t len) {
  ntrace_cmd_pid c;
  if (!Fixed(rec, len, &c) || c.reserved != 0) return -EINVAL;
  Proc *p = FindProc(c.pid);
  if (p == nullptr) return -ESRCH;
  if (kill(p->pid, SIGKILL) < 0) return -errno;
  p->killed = true; // its threads leave their stops: wait in waitid until it is reaped
  return 0;
}

int Tracer::CmdSetOptions(const uint8_t *rec, size_t len) {
  ntrace_cmd_set_options c;
  if (!Fixed(rec, len, &c)) return -EINVAL;
  if ((c.flags & ~NTRACE_OPT_ALL_STOP) || (c.events & ~kEventMask)) return -EINVAL;
  Proc *p = FindProc(c.pid);
  if (p == nullptr) return -ESRCH;
  p->opt_flags = c.flags;
  p->events = c.events;
  p->stop_signals = c.stop_signals;
  memcpy(p->syscalls, c.syscalls, sizeof p->syscalls);
  return 0;
}

int Tracer::CmdStop(const uint8_t *rec, size_t len) {
  ntrace_cmd_stop c;
  if (!Fixed(rec, len, &c) || c.reserved != 0) return -EINVAL;
  if (c.handle != 0) {
    Thread *t = FindHandle(c.handle);
    if (t == nullptr || (c.pid != 0 && c.pid != t->proc->pid)) return -ESRCH;
    RequestStop(t, false);
    return 0;
  }
  Proc *p = FindProc(c.pid);
  if (p == nullptr) return -ESRCH;
  std::vector<Thread *> ts;
  for (auto &kv : p->threads)
    ts.push_back(kv.second);
  for (Thread *t : ts) {
    RequestStop(t, false);
    t->stop_whole = t->stop_requested;
  }
  return 0;
}

int Tracer::StoppedThread(uint64_t handle, uint64_t stop_id, Thread **out) {
  Thread *t = FindHandle(handle);
  if (t == nullptr) return -ESRCH;
  if (!t->reported || (stop_id != 0 && stop_id != t->stop_id)) return -ESTALE;
  *out = t;
  return 0;
}

int Tracer::CmdResume(const uint8_t *rec, size_t len) {
  ntrace_cmd_resume c;
  if (!Fixed(rec, len, &c)) return -EINVAL;
  if (c.mode > NTRACE_RESUME_SYSCALL || c.sig < NTRACE_SIG_PASS || c.sig > 64) return -EINVAL;
  if (c.mode != NTRACE_RESUME_RANGE_STEP && (c.range_start != 0 || c.range_end != 0))
    return -EINVAL;
  Thread *t;
  int err = StoppedThread(c.handle, c.stop_id, &t);
  if (err != 0) return err;
  int sig = c.sig == NTRACE_SIG_PASS ? t->report_sig : c.sig;
  // A resume that delivers the client's signal from a breakpoint is not stepped over: the
  // handler returns to the breakpoint, or an ignored signal leaves the thread on it, and it
  // hits then (gdb continues with a signal from its breakpoint to come back to it, with a
  // step-resume breakpoint there; gdbserver never steps over a breakpoint of gdb's).
  bool delivering = sig != 0;
  if (t->hidden_sig != 0) {
    // A signal the client never saw (its stop turned into REQUESTED): it still gets delivered.
    if (sig != 0 && sig != t->hidden_sig)
      tgkill(t->proc->pid, t->tid, t->hidden_sig);
    else
      sig = t->hidden_sig;
    t->hidden_sig = 0;
  }
  if (sig != 0 && !t->signal_stop) {
    // Only a signal-delivery-stop can inject; elsewhere queue it and let it through silently.
    if (tgkill(t->proc->pid, t->tid, sig) == 0) t->inject_next = sig;
    sig = 0;
  }
  t->mode = static_cast<Mode>(c.mode);
  t->range_start = c.range_start;
  t->range_end = c.range_end;
  t->reported = false;
  t->report_sig = 0;
  t->stop_whole = false;
  t->skip_bp = 0;
  // Step over a breakpoint only when the thread still sits where it stopped (a pc the client
  // moved onto one, `jump` or skipping a permanent int3, is there to hit it at once), and only
  // when that stop was the breakpoint's own hit (or a hit the engine took for itself, cut
  // short by a stop). A thread stopped there for another reason (a stop request, a step's
  // end) hits it at once: gdbserver never steps over a breakpoint of gdb's that gdb expects
  // to hit (linux-low.cc, thread_needs_step_over); gdb does its own step-overs, and puts a
  // breakpoint at a stopped thread's pc to catch it there
  // (gdb.threads/signal-while-stepping-over-bp-other-thread.exp). Another thread's step-over
  // may have the breakpoint lifted right now: this thread still has to step over it.
  if (!delivering && t->stop_at_bp && !t->proc->bps.empty() && LoadRegs(t) &&
      t->regs.rip == t->stop_pc && BpSet(t->proc, t->regs.rip))
    t->skip_bp = t->regs.rip;
  KResume(t, sig);
  // An all-stop is being collected for this process: the thread joins it at once (its
  // REQUESTED stop comes with the others), or the collection would wait for it forever.
  if (t->proc->collecting) RequestStop(t, false);
  return 0;
}

static int RegsetNote(uint32_t regset, uint32_t xsize, size_t *size) {
  switch (regset) {
  case NTRACE_REGSET_GPR:
    *size = sizeof(user_regs_struct);
    return NT_PRSTATUS;
  case NTRACE_REGSET_FPR:
    *size = sizeof(user_fpregs_struct);
    return NT_PRFPREG;
  case NTRACE_REGSET_XSTATE:
    if (xsize == 0) return -1;
    *size = xsize;
    return NT_X86_XSTATE;
  default:
    return -1;
  }
}

int Tracer::CmdGetRegs(const uint8_t *rec, size_t len, std::vector<uint8_t> &out) {
  ntrace_cmd_regs c;
  if (!Fixed(rec, len, &c) || c.len != 0) return -EINVAL;
  size_t size;
  int note = RegsetNote(c.regset, xstate_size_, &size);
  if (note < 0) return -EINVAL;
  Thread *t;
  int err = StoppedThread(c.handle, c.stop_id, &t);
  if (err != 0) return err;
  std::vector<uint8_t> data(size, 0);
  if (note == NT_PRSTATUS) {
    if (!LoadRegs(t)) return -ESRCH;
    memcpy(data.data(), &t->regs, size);
  } else {
    struct iovec iov = {data.data(), size};
    if (Ptrace(PTRACE_GETREGSET, t->tid, note, &iov) < 0) return -errno;
    size = iov.iov_len;
  }
  ntrace_regs_reply r;
  memset(&r, 0, sizeof r);
  r.len = static_cast<uint32_t>(size);
  Append(out, r);
  out.insert(out.end(), data.begin(), data.begin() + size);
  return 0;
}

int Tracer::CmdSetRegs(const uint8_t *rec, size_t len) {
  ntrace_cmd_regs c;
  Fixed(rec, len, &c, true);
  if (c.len > len - sizeof c || !ZeroFrom(rec, sizeof c + c.len, len) || len < sizeof c)
    return -EINVAL;
  size_t size;
  int note = RegsetNote(c.regset, xstate_size_, &size);
  if (note < 0 || c.len != size) return -EINVAL;
  Thread *t;
  int err = StoppedThread(c.handle, c.stop_id, &t);
  if (err != 0) return err;
  std::vector<uint8_t> data(rec + sizeof c, rec + sizeof c + c.len);
  struct iovec iov = {data.data(), data.size()};
  if (Ptrace(PTRACE_SETREGSET, t->tid, note, &iov) < 0) return -errno;
  if (note == NT_PRSTATUS) {
    t->regs_dirty = false; // the client's GPRs replace any write still pending
    // Keep the cache equal to what the kernel holds (it may have sanitised segments/flags).
    t->regs_valid = false;
    LoadRegs(t);
  }
  return 0;
}

long Tracer::ReadMemNow(int32_t pid, uint64_t addr, uint8_t *buf, uint32_t len) {
  if (!hello_done_) return -EPROTO; // as Command() answers any command before HELLO
  if (len > kMaxRecord - 32) return -EINVAL;
  Proc *p = FindProc(pid);
  if (p == nullptr) return -ESRCH;
  return len ? ReadMem(p, addr, buf, len) : 0;
}

int Tracer::CmdReadMem(const uint8_t *rec, size_t len, std::vector<uint8_t> &out) {
  ntrace_cmd_mem c;
  if (!Fixed(rec, len, &c)) return -EINVAL;
  // The reply header, then the bytes read straight behind it; trimmed to what was read.
  ntrace_mem_reply r;
  memset(&r, 0, sizeof r);
  size_t at = out.size();
  bool fits = c.len <= kMaxRecord - 32; // a longer one is refused before buf is touched
  if (fits) out.resize(at + sizeof r + c.len);
  long n = ReadMemNow(c.pid, c.addr, fits ? out.data() + at + sizeof r : nullptr, c.len);
  if (n < 0) {
    out.resize(at);
    return static_cast<int>(n);
  }
  r.len = static_cast<uint32_t>(n);
  memcpy(out.data() + at, &r, sizeof r);
  out.resize(at + sizeof r + static_cast<size_t>(n));
  return 0;
}

int Tracer::CmdWriteMem(const uint8_t *rec, size_t len, std::vector<uint8_t> &out) {
  ntrace_cmd_mem c;
  Fixed(rec, len, &c, true);
  if (len < sizeof c || c.len > len - sizeof c || !ZeroFrom(rec, sizeof c + c.len, len))
    return -EINVAL;
  Proc *p = FindProc(c.pid);
  if (p == nullptr) return -ESRCH;
  long n = c.len ? WriteMem(p, c.addr, rec + sizeof c, c.len) : 0;
  if (n < 0) return static_cast<int>(n);
  ntrace_mem_reply r;
  memset(&r, 0, sizeof r);
  r.len = static_cast<uint32_t>(n);
  Append(out, r);
  return 0;
}

int Tracer::CmdGetSiginfo(const uint8_t *rec, size_t len, std::vector<uint8_t> &out) {
  ntrace_cmd_siginfo c;
  if (!Fixed(rec, len, &c)) return -EINVAL;
  Thread *t;
  int err = StoppedThread(c.handle, c.stop_id, &t);
  if (err != 0) return err;
  if (!t->signal_stop) return -EINVAL;
  siginfo_t si;
  if (Ptrace(PTRACE_GETSIGINFO, t->tid, 0, &si) < 0) return -errno;
  static_assert(sizeof si == NTRACE_SIGINFO_SIZE, "siginfo size");
  Append(out, si);
  return 0;
}

int Tracer::CmdSetSiginfo(const uint8_t *rec, size_t len) {
  ntrace_cmd_siginfo c;
  Fixed(rec, len, &c, true);
  if (len < sizeof c + NTRACE_SIGINFO_SIZE || !ZeroFrom(rec, sizeof c + NTRACE_SIGINFO_SIZE, len))
    return -EINVAL;
  Thread *t;
  int err = StoppedThread(c.handle, c.stop_id, &t);
  if (err != 0) return err;
  if (!t->signal_stop) return -EINVAL;
  siginfo_t si;
  memcpy(&si, rec + sizeof c, sizeof si);
  if (Ptrace(PTRACE_SETSIGINFO, t->tid, 0, &si) < 0) return -errno;
  return 0;
}

int Tracer::CmdSetBp(const uint8_t *rec, size_t len) {
  ntrace_cmd_bp c;
  Fixed(rec, len, &c, true);
  size_t base = sizeof c;
  if (c.cond_len > (len > base ? len - base : 0) || !ZeroFrom(rec, base + c.cond_len, len))
    return -EINVAL;
  std::shared_ptr<const BpExprs> x;
  if (c.cond_len != 0) {
    int err = ParseBpExprs(rec + base, c.cond_len, &x);
    if (err != 0) return err;
  }
  bool replace = (c.hdr.flags & NTRACE_SETBP_REPLACE) != 0;
  Proc *p = FindProc(c.pid);
  if (p == nullptr) return -ESRCH;
  if (c.kind == NTRACE_BP_SW) {
    if (!replace) {
      int err = InsertSw(p, c.addr);
      if (err != 0) return err;
    }
    auto it = p->bps.find(c.addr);
    if (it == p->bps.end()) return -ENOENT;
    it->second.exprs = std::move(x); // each SET_BP sets the whole list, as gdb's Z packets do
    ReplantSw(p, it);
    AgentInstall(p, c.addr); // conditions the tracee can evaluate itself
    return 0;
  }
  if (c.kind > NTRACE_BP_ACCESS) return -EINVAL;
  if (!replace) {
    int err = SetHw(p, c.kind, c.addr, c.len);
    if (err != 0) return err;
    // A watchpoint would see the pads' stores below the red zone: int3s from now on (no pad
    // is made while one is set, AgentInstall).
    if (c.kind != NTRACE_BP_HW) AgentRetireAll(p);
  }
  uint32_t l = c.kind == NTRACE_BP_HW && c.len == 0 ? 1 : c.len;
  for (auto &s : p->hw) {
    if (!s.used || s.kind != c.kind || s.addr != c.addr || s.len != l) continue;
    s.exprs = std::move(x);
    return 0;
  }
  return -ENOENT;
}

int Tracer::CmdClearBp(const uint8_t *rec, size_t len) {
  ntrace_cmd_bp c;
  if (!Fixed(rec, len, &c) || c.cond_len != 0) return -EINVAL;
  Proc *p = FindProc(c.pid);
  if (p == nullptr) return -ESRCH;
  if (c.kind == NTRACE_BP_SW) return RemoveSw(p, c.addr);
  if (c.kind > NTRACE_BP_ACCESS) return -EINVAL;
  return ClearHw(p, c.kind, c.addr, c.len);
}

int Tracer::CmdListThreads(const uint8_t *rec, size_t len, std::vector<uint8_t> &out) {
  ntrace_cmd_pid c;
  if (!Fixed(rec, len, &c) || c.reserved != 0) return -EINVAL;
  Proc *p = FindProc(c.pid);
  if (p == nullptr) return -ESRCH;
  ntrace_thread_list_reply r;
  memset(&r, 0, sizeof r);
  r.count = static_cast<uint32_t>(p->threads.size());
  Append(out, r);
  for (auto &kv : p->threads)
    AppendThreadInfo(out, *kv.second);
  return 0;
}

} // namespace ntrace
