// Numbers of the ntrace ABI (kmod/include/uapi/ntrace.h), kept in one place for the codec.

export const ABI_VERSION = 1;
export const DEVICE_PATH = '/dev/ntrace';
export const HDR_SIZE = 16;

export const Cmd = {
  HELLO: 0x0101,
  LAUNCH: 0x0102,
  ATTACH: 0x0103,
  DETACH: 0x0104,
  KILL: 0x0105,
  SET_OPTIONS: 0x0106,
  STOP: 0x0107,
  RESUME: 0x0108,
  GET_REGS: 0x0109,
  SET_REGS: 0x010a,
  READ_MEM: 0x010b,
  WRITE_MEM: 0x010c,
  GET_SIGINFO: 0x010d,
  SET_SIGINFO: 0x010e,
  SET_BP: 0x010f,
  CLEAR_BP: 0x0110,
  LIST_THREADS: 0x0111,
} as const;

export const REPLY = 0x0200;

export const Ev = {
  STOP: 0x0301,
  THREAD_NEW: 0x0302,
  THREAD_EXIT: 0x0303,
  PROC_EXIT: 0x0304,
  DETACHED: 0x0305,
  LOST: 0x0306,
  OUTPUT: 0x0307,
} as const;

/** SET_BP hdr.flags: replace an existing breakpoint's expressions, adding no reference. */
export const SETBP_REPLACE = 0x0001;
/** struct ntrace_bp_expr types. */
export const BP_EXPR_COND = 1;
export const BP_EXPR_CMD = 2;
export const OUTPUT_TRUNCATED = 0x0001;
/** sizeof(struct ntrace_ev_output): header, thread, addr, len, flags. */
export const OUTPUT_SIZE = 48;

/** NTRACE_CAP_* bit positions, in the order of the Caps interface. */
export const CAP_BITS = [
  'launch',
  'swBreak',
  'hwBreak',
  'hwWatch',
  'rangeStep',
  'syscallEntryStop',
  'syscallExitStop',
  'exitStopLive',
  'forkEvents',
  'vforkEvents',
  'execEvents',
  'cloneEvents',
  'xstate',
  'siginfoWrite',
  'allStop',
  'signalFilter',
  'condBytecode',
  'syscallFilter',
  'stopRegs',
] as const;

export const BACKEND_KMOD = 1;
export const BACKEND_PTRACE = 2;

export const LAUNCH_NO_ASLR = 1;
export const LAUNCH_NEW_PGRP = 2;

export const ATTACH_STOP = 1;
export const ATTACH_KILL_ON_CLOSE = 2;
export const ATTACH_STOP_AT_EXEC = 4;

export const THREAD_STATES = ['running', 'stopped', 'exiting'] as const;

/** NTRACE_EVENT_* bits, in the order of the EventSelection interface. */
export const EVENT_BITS = [
  'clone',
  'fork',
  'vfork',
  'vforkDone',
  'exec',
  'exit',
  'syscallEntry',
  'syscallExit',
  'threadReports',
] as const;

export const OPT_ALL_STOP = 1;

export const RESUME_MODES = ['cont', 'step', 'range-step', 'syscall'] as const;
export const SIG_PASS = -1;

export const REGSETS = { gpr: 1, fpr: 2, xstate: 0x202 } as const;
export const GPR_SIZE = 216;
export const FPR_SIZE = 512;

export const BP_KINDS = ['sw', 'hw', 'write', 'read', 'access'] as const;

/** enum ntrace_stop_reason, index = value. */
export const STOP_REASONS = [
  undefined,
  'attach',
  'requested',
  'signal',
  'breakpoint',
  'step',
  'watch',
  'hw-breakpoint',
  'syscall-entry',
  'syscall-exit',
  'clone',
  'fork',
  'vfork',
  'vfork-done',
  'exec',
  'exit',
  'launch',
  'new-thread',
] as const;

export const DETACH_REASONS = [undefined, 'request', 'privilege', 'gone'] as const;

export const SIGINFO_SIZE = 128;
export const STOP_DATA_WORDS = 7;
/** sizeof(struct ntrace_ev_stop): where the GPRs of a STOP with STOPF_REGS start. */
export const STOP_SIZE = 248;
/** hdr.flags of a STOP record: the GPR block (user_regs_struct) follows the struct. */
export const STOPF_REGS = 0x0001;
export const STOP_REGS_SIZE = 216;

/** Offsets in struct user_regs_struct (NT_PRSTATUS) for the registers tests and tools touch. */
export const GprOffset = {
  r15: 0,
  r14: 8,
  r13: 16,
  r12: 24,
  rbp: 32,
  rbx: 40,
  r11: 48,
  r10: 56,
  r9: 64,
  r8: 72,
  rax: 80,
  rcx: 88,
  rdx: 96,
  rsi: 104,
  rdi: 112,
  origRax: 120,
  rip: 128,
  cs: 136,
  eflags: 144,
  rsp: 152,
  ss: 160,
  fsBase: 168,
  gsBase: 176,
  ds: 184,
  es: 192,
  fs: 200,
  gs: 208,
} as const;
