// HeldChild: the fork half of a LAUNCH composed in the binding, for providers without
// NTRACE_CAP_LAUNCH (the kernel module). The child waits on a pipe until release(), so the
// binding can ATTACH it (STOP_AT_EXEC | KILL_ON_CLOSE) before it execs. It is node's child, so
// it is reaped here: a pidfd watched by uv_poll, then waitid(P_PID, pid, WEXITED) for that pid
// only, never a wait for any child.
#pragma once

#include <napi.h>
#include <sys/types.h>
#include <uv.h>

#include <cstdint>

#include "exec_child.h"

namespace ntrace {

struct AddonData;

class HeldChild : public Napi::ObjectWrap<HeldChild> {
public:
  static Napi::Function Define(Napi::Env env);
  explicit HeldChild(const Napi::CallbackInfo &info);
  ~HeldChild() override;

  // Env teardown: kills a child that is still ours and drops the watch, no JavaScript.
  void Shutdown();
  void ForgetAddonData() { data_ = nullptr; }

private:
  Napi::Value Pid(const Napi::CallbackInfo &info);
  Napi::Value Release(const Napi::CallbackInfo &info);
  Napi::Value Kill(const Napi::CallbackInfo &info);

  static void OnPoll(uv_poll_t *handle, int status, int events);
  void Reap();
  void StopWatch();

  Napi::Env env_;
  AddonData *data_ = nullptr;
  pid_t pid_ = -1;
  int pidfd_ = -1;
  int go_ = -1;  // write end: one byte releases the child
  int err_ = -1; // read end: the errno of a failed exec
  uv_poll_t *poll_ = nullptr;
  Napi::FunctionReference on_exit_;
  bool reaped_ = false;
  bool reffed_ = false;
};

} // namespace ntrace
