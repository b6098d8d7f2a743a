// Breakpoint conditions and commands (NTRACE_CAP_COND_BYTECODE): GDB agent expressions,
// verified when SET_BP carries them and evaluated at a hit by the shared evaluator
// (kmod/ntrace_ax.c), before anything is reported. A hit whose conditions are all false, or
// whose commands (dprintf's agent printf) ran, is never reported: the thread steps over the
// breakpoint and runs on, and the client hears only the OUTPUT records.
#include "tracer.h"

#include <errno.h>

#include <cstdio>
#include <cstring>

extern "C" {
#include "ntrace_ax.h"
}

namespace ntrace {

namespace {

// Text one command may print into one OUTPUT record.
constexpr uint32_t kOutputMax = 4000;

struct AxCtx {
  Tracer *tracer;
  Proc *proc;
  const user_regs_struct *regs;
};

int AxReg(void *ctx, unsigned regnum, __u64 *val) {
  const auto *c = static_cast<const AxCtx *>(ctx);
  static_assert(sizeof(user_regs_struct) == 27 * sizeof(__u64), "user_regs_struct layout");
  return ntrace_ax_user_reg(reinterpret_cast<const __u64 *>(c->regs), regnum, val);
}

} // namespace

int Tracer::AxRead(void *ctx, unsigned long long addr, void *buf, unsigned len) {
  auto *c = static_cast<AxCtx *>(ctx);
  long n = c->tracer->ReadMem(c->proc, addr, static_cast<uint8_t *>(buf), len);
  return n == static_cast<long>(len) ? 0 : -1;
}

int Tracer::ParseBpExprs(const uint8_t *data, size_t len, std::shared_ptr<const BpExprs> *out) {
  auto x = std::make_shared<BpExprs>();
  std::vector<uint8_t> work;
  size_t off = 0;
  while (off < len) {
    ntrace_bp_expr e;
    if (len - off < sizeof e) return -EINVAL;
    memcpy(&e, data + off, sizeof e);
    off += sizeof e;
    bool cond = e.type == NTRACE_BP_EXPR_COND;
    if (e.flags != 0 || (!cond && e.type != NTRACE_BP_EXPR_CMD) || e.len > len - off)
      return -EINVAL;
    work.resize(NTRACE_AX_VERIFY_WORK(static_cast<size_t>(e.len)) + 1);
    int v = ntrace_ax_verify(data + off, e.len, cond ? NTRACE_AX_WANT_VALUE : 0, work.data(),
                             static_cast<__u32>(work.size()), nullptr);
    if (v != NTRACE_AX_V_OK) {
      if (debug_)
        fprintf(stderr, "[ntrace] agent expression refused: %s\n", ntrace_ax_verdict_name(v));
      return -EINVAL;
    }
    (cond ? x->conds : x->cmds).emplace_back(data + off, data + off + e.len);
    off += e.len;
  }
  if (x->conds.empty() && x->cmds.empty())
    out->reset();
  else
    *out = std::move(x);
  return 0;
}

bool Tracer::BpWantsStop(Thread *t, const BpExprs &x, uint64_t addr) {
  if (!LoadRegs(t)) return true;
  AxCtx c{this, t->proc, &t->regs};
  ntrace_ax_env env;
  memset(&env, 0, sizeof env);
  env.ctx = &c;
  env.read_mem = AxRead;
  env.get_reg = AxReg;
  // Any condition true, or failing (unreadable memory, budget), makes the hit count
  // (gdbserver's gdb_condition_true_at_breakpoint): the debugger then decides.
  bool hit = x.conds.empty();
  for (const auto &code : x.conds) {
    __u64 v = 0;
    env.budget = NTRACE_AX_DEFAULT_BUDGET;
    int r = ntrace_ax_eval(code.data(), static_cast<__u32>(code.size()), &env, &v);
    if (debug_)
      fprintf(stderr, "[ntrace %d] condition at %lx: %s %llx\n", tid_.load(), (unsigned long)addr,
              ntrace_ax_result_name(r), static_cast<unsigned long long>(v));
    if (r != NTRACE_AX_OK || v != 0) {
      hit = true;
      break;
    }
  }
  if (!hit) return false;
  if (x.cmds.empty()) return true;
  char text[kOutputMax];
  for (const auto &code : x.cmds) {
    __u64 v = 0;
    env.out = text;
    env.out_cap = sizeof text;
    env.out_len = 0;
    env.out_truncated = 0;
    env.budget = NTRACE_AX_DEFAULT_BUDGET;
    int r = ntrace_ax_eval(code.data(), static_cast<__u32>(code.size()), &env, &v);
    if (env.out_len != 0) EmitOutput(*t, addr, text, env.out_len, env.out_truncated != 0);
    if (r != NTRACE_AX_OK) return true; // a failed command stops, so the debugger sees it
  }
  return false;
}

void Tracer::EmitOutput(const Thread &t, uint64_t addr, const char *text, uint32_t len,
                        bool truncated) {
  ntrace_ev_output ev;
  memset(&ev, 0, sizeof ev);
  size_t total = NTRACE_RECORD_ALIGN(sizeof ev + len);
  ev.hdr.len = static_cast<uint32_t>(total);
  ev.hdr.type = NTRACE_EV_OUTPUT;
  ev.thread.handle = t.handle;
  ev.thread.tgid = t.proc->pid;
  ev.thread.tid = t.tid;
  ev.addr = addr;
  ev.len = len;
  ev.flags = truncated ? NTRACE_OUTPUT_TRUNCATED : 0;
  std::vector<uint8_t> rec(total, 0);
  memcpy(rec.data(), &ev, sizeof ev);
  memcpy(rec.data() + sizeof ev, text, len);
  EmitVec(std::move(rec));
}

} // namespace ntrace
