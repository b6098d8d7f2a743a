// The in-process agent of the userspace engine: evaluates a breakpoint's conditions inside
// the tracee, called from the breakpoint's jump pad (native/src/tracer_agent.cc), so that a
// false condition costs no trap and no ptrace stop (gdbserver's fast tracepoints with
// libinproctrace do the same for tracepoints). Built freestanding and position independent
// into a flat blob at build time (build.mjs); the engine copies it into a region it maps in
// the tracee. No libc, no relocations, no SSE: it runs on the program's stack in the middle of
// the program's code, with only the general registers saved by the pad.
#include <linux/types.h>

#include "ntrace_ax.h"

// Conditions as the engine lays them out: a count, then per condition a 32-bit length and its
// bytes, each condition starting on a 4-byte boundary.
struct agent_conds {
  __u32 count;
  __u32 reserved;
};

static long Syscall6(long nr, long a, long b, long c, long d, long e, long f) {
  register long r10 __asm__("r10") = d;
  register long r8 __asm__("r8") = e;
  register long r9 __asm__("r9") = f;
  long ret;
  __asm__ volatile("syscall"
                   : "=a"(ret)
                   : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                   : "rcx", "r11", "memory");
  return ret;
}

struct agent_iovec {
  void *base;
  unsigned long len;
};

// A read that cannot fault: process_vm_readv on our own pid returns EFAULT for an unreadable
// address instead of a SIGSEGV (a failed read makes the condition true, as in gdbserver).
static int ReadMem(void *ctx, __u64 addr, void *buf, __u32 len) {
  (void)ctx;
  struct agent_iovec local = {buf, len}, remote = {(void *)addr, len};
  long pid = Syscall6(39 /* getpid */, 0, 0, 0, 0, 0, 0);
  long n = Syscall6(310 /* process_vm_readv */, pid, (long)&local, 1, (long)&remote, 1, 0);
  return n == (long)len ? 0 : -1;
}

static int GetReg(void *ctx, unsigned int regnum, __u64 *val) {
  if (regnum == 58 || regnum == 59) { // fs_base, gs_base: the pad does not save them
    long code = regnum == 58 ? 0x1003 /* ARCH_GET_FS */ : 0x1004 /* ARCH_GET_GS */;
    return Syscall6(158 /* arch_prctl */, code, (long)val, 0, 0, 0, 0) == 0 ? 0 : -1;
  }
  return ntrace_ax_user_reg((const __u64 *)ctx, regnum, val);
}

// The compiler may call these for struct copies and zeroing; volatile stores keep it from
// turning the loops back into calls to themselves.
void *memset(void *d, int c, unsigned long n) {
  volatile unsigned char *p = d;
  while (n--)
    *p++ = (unsigned char)c;
  return d;
}

void *memcpy(void *d, const void *s, unsigned long n) {
  volatile unsigned char *p = d;
  const unsigned char *q = s;
  while (n--)
    *p++ = *q++;
  return d;
}

// The entry, first in the blob (agent.ld). regs: the thread's registers at the breakpoint in
// struct user_regs_struct's layout. Returns nonzero when the thread is to stop: a condition
// true, or one that failed (unreadable memory, the budget, a register it cannot read).
__attribute__((section(".text.entry"), used)) int ntrace_agent_eval(const __u8 *data, __u64 *regs) {
  const struct agent_conds *h = (const struct agent_conds *)data;
  const __u8 *p = data + sizeof *h;
  struct ntrace_ax_env env;
  memset(&env, 0, sizeof env);
  env.ctx = regs;
  env.read_mem = ReadMem;
  env.get_reg = GetReg;
  for (__u32 i = 0; i < h->count; i++) {
    __u32 len = *(const __u32 *)p;
    __u64 v = 0;
    env.budget = NTRACE_AX_DEFAULT_BUDGET;
    if (ntrace_ax_eval(p + 4, len, &env, &v) != NTRACE_AX_OK || v != 0) return 1;
    p += 4 + ((len + 3) & ~3u);
  }
  return 0;
}
