#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "channel.h"

namespace ntrace {

namespace {

void CloseFd(int *fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

std::vector<std::string> Strings(const Napi::Value &v, bool *ok) {
  std::vector<std::string> out;
  if (!v.IsArray()) {
    *ok = false;
    return out;
  }
  Napi::Array a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); i++) {
    Napi::Value s = a.Get(i);
    if (!s.IsString()) {
      *ok = false;
      return out;
    }
    out.push_back(s.As<Napi::String>().Utf8Value());
  }
  return out;
}

std::vector<char *> Pointers(std::vector<std::string> &v) {
  std::vector<char *> out;
  for (auto &s : v)
    out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Whether /proc says a ptracer holds the process (TracerPid). False when it cannot be read.
bool Traced(pid_t pid) {
  std::string path = "/proc/" + std::to_string(pid) + "/status";
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf - 1)) < 0 && errno == EINTR) {
  }
  close(fd);
  if (n <= 0) return false;
  buf[n] = 0;
  const char *t = strstr(buf, "\nTracerPid:");
  return t != nullptr && atoi(t + strlen("\nTracerPid:")) > 0;
}

} // namespace

Napi::Function HeldChild::Define(Napi::Env env) {
  return DefineClass(env, "HeldChild",
                     {InstanceAccessor<&HeldChild::Pid>("pid"),
                      InstanceMethod<&HeldChild::Release>("release"),
                      InstanceMethod<&HeldChild::Kill>("kill")});
}

// new HeldChild(path, cwd, argv[], envp[], flags, onExit(execErrno, wstatus)): forks a child
// blocked before exec. onExit runs once, after the child is reaped (or, when traced, once its
// exit status is seen: its tracer reaps it); execErrno is the errno of a failed exec (or of
// personality/setpgid/chdir), 0 when it exec'd or never got that far.
HeldChild::HeldChild(const Napi::CallbackInfo &info)
    : Napi::ObjectWrap<HeldChild>(info), env_(info.Env()) {
  Napi::Env env = info.Env();
  bool ok = info.Length() >= 6 && info[0].IsString() && info[1].IsString() && info[4].IsNumber() &&
            info[5].IsFunction();
  std::vector<std::string> argv, envp;
  if (ok) argv = Strings(info[2], &ok);
  if (ok) envp = Strings(info[3], &ok);
  if (!ok) {
    Napi::TypeError::New(env, "HeldChild(path, cwd, argv[], envp[], flags, onExit)")
        .ThrowAsJavaScriptException();
    return;
  }
  std::string path = info[0].As<Napi::String>();
  std::string cwd = info[1].As<Napi::String>();
  uint32_t flags = info[4].As<Napi::Number>().Uint32Value();
  // Everything the child touches is built before the fork: it may only make async-signal-safe
  // calls, node being multi-threaded.
  std::vector<char *> av = Pointers(argv), ev = Pointers(envp);
  const char *cwdp = cwd.empty() ? nullptr : cwd.c_str();

  int go[2], err[2];
  if (pipe2(go, O_CLOEXEC) < 0) {
    ErrnoError(env, "pipe2", errno).ThrowAsJavaScriptException();
    return;
  }
  if (pipe2(err, O_CLOEXEC | O_NONBLOCK) < 0) {
    int e = errno;
    close(go[0]);
    close(go[1]);
    ErrnoError(env, "pipe2", e).ThrowAsJavaScriptException();
    return;
  }
  // The child starts with every signal blocked, so none reaches a copy of node's handlers
  // before ExecChild resets them.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pid_t pid = fork();
  int fork_errno = errno;
  if (pid == 0) {
    close(go[1]);
    close(err[0]);
    ExecChild(go[0], err[1], path.c_str(), cwdp, av.data(), ev.data(), flags);
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  close(go[0]);
  close(err[1]);
  go_ = go[1];
  err_ = err[0];
  if (pid < 0) {
    CloseFd(&go_);
    CloseFd(&err_);
    ErrnoError(env, "fork", fork_errno).ThrowAsJavaScriptException();
    return;
  }
  pid_ = pid;
  const char *failed = nullptr;
  int e = 0;
  pidfd_ = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (pidfd_ < 0) {
    failed = "pidfd_open";
    e = errno;
  } else {
    uv_loop_t *loop = nullptr;
    napi_get_uv_event_loop(env, &loop);
    poll_ = new uv_poll_t;
    int r = uv_poll_init(loop, poll_, pidfd_);
    if (r != 0) {
      delete poll_;
      poll_ = nullptr;
    } else if ((r = uv_poll_start(poll_, UV_READABLE, OnPoll)) != 0) {
      uv_close(reinterpret_cast<uv_handle_t *>(poll_),
               [](uv_handle_t *h) { delete reinterpret_cast<uv_poll_t *>(h); });
      poll_ = nullptr;
    }
    if (r != 0) {
      failed = "uv_poll";
      e = -r;
    }
  }
  if (failed != nullptr) {
    // Not released yet, not traced: it dies at once and is reaped here.
    kill(pid, SIGKILL);
    siginfo_t si;
    while (waitid(P_PID, pid, &si, WEXITED) < 0 && errno == EINTR) {
    }
    reaped_ = true;
    CloseFd(&pidfd_);
    CloseFd(&go_);
    CloseFd(&err_);
    ErrnoError(env, failed, e).ThrowAsJavaScriptException();
    return;
  }
  poll_->data = this;
  // The watch never keeps node alive by itself; the object stays alive until the reap.
  uv_unref(reinterpret_cast<uv_handle_t *>(poll_));
  Ref();
  reffed_ = true;
  on_exit_ = Napi::Persistent(info[5].As<Napi::Function>());
  data_ = env.GetInstanceData<AddonData>();
  if (data_ != nullptr) data_->held.insert(this);
}

HeldChild::~HeldChild() {
  Shutdown();
}

void HeldChild::Shutdown() {
  if (!reaped_ && pid_ > 0) kill(pid_, SIGKILL); // a launched debuggee never outlives us
  reaped_ = true;
  StopWatch();
}

void HeldChild::StopWatch() {
  if (poll_ != nullptr) {
    uv_poll_stop(poll_);
    poll_->data = nullptr;
    if (data_ != nullptr) {
      uv_close(reinterpret_cast<uv_handle_t *>(poll_),
               [](uv_handle_t *h) { delete reinterpret_cast<uv_poll_t *>(h); });
    } else {
      uv_close(reinterpret_cast<uv_handle_t *>(poll_), nullptr); // as Channel::Shutdown
    }
    poll_ = nullptr;
  }
  CloseFd(&pidfd_);
  CloseFd(&go_);
  CloseFd(&err_);
  if (data_ != nullptr) data_->held.erase(this);
}

Napi::Value HeldChild::Pid(const Napi::CallbackInfo &info) {
  return Napi::Number::New(info.Env(), pid_);
}

// release(): lets the child exec. Throws (EPIPE, ...) if it cannot be told.
Napi::Value HeldChild::Release(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (go_ < 0) {
    ErrnoError(env, "release", reaped_ ? ESRCH : EALREADY).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  char one = 1;
  ssize_t n;
  while ((n = write(go_, &one, 1)) < 0 && errno == EINTR) {
  }
  int e = errno;
  CloseFd(&go_);
  if (n != 1) ErrnoError(env, "release", e).ThrowAsJavaScriptException();
  return env.Undefined();
}

// kill(): SIGKILL unless already reaped (until then the pid cannot be reused).
Napi::Value HeldChild::Kill(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  CloseFd(&go_);
  if (!reaped_ && kill(pid_, SIGKILL) < 0 && errno != ESRCH)
    ErrnoError(env, "kill", errno).ThrowAsJavaScriptException();
  return env.Undefined();
}

void HeldChild::OnPoll(uv_poll_t *handle, int status, int) {
  HeldChild *self = static_cast<HeldChild *>(handle->data);
  if (self == nullptr || self->reaped_) return;
  (void)status; // an error on a pidfd poll still ends in the waitid below
  self->Reap();
}

void HeldChild::Reap() {
  siginfo_t si = {};
  int r;
  // A tracer thread of this same process (the userspace provider, when a test composes LAUNCH
  // on it) is not "reparented" in the kernel's eyes, so this thread could reap the tracee's
  // zombie too and rob the tracer of the exit status it reports. A traced child's status is
  // only looked at (WNOWAIT); its tracer reaps it.
  int how = WEXITED | WNOHANG | (Traced(pid_) ? WNOWAIT : 0);
  while ((r = waitid(P_PID, pid_, &si, how)) < 0 && errno == EINTR) {
  }
  // A readable pidfd means the child exited; si_pid 0 would mean a ptracer still holds its
  // exit (the kernel provider does not ptrace), so wait for the next readiness.
  if (r == 0 && si.si_pid == 0) return;
  int wstatus = -1; // ECHILD: reaped elsewhere (SIGCHLD ignored); the status is unknown
  if (r == 0) {
    if (si.si_code == CLD_EXITED)
      wstatus = (si.si_status & 0xff) << 8;
    else
      wstatus = (si.si_status & 0x7f) | (si.si_code == CLD_DUMPED ? 0x80 : 0);
  }
  int exec_errno = 0;
  if (err_ >= 0 && read(err_, &exec_errno, sizeof exec_errno) != sizeof exec_errno)
    exec_errno = 0; // it exec'd (EOF) or never reported
  reaped_ = true;
  StopWatch();
  Napi::Env env = env_;
  Napi::HandleScope scope(env);
  napi_value args[2], result;
  napi_create_int32(env, exec_errno, &args[0]);
  napi_create_int32(env, wstatus, &args[1]);
  Napi::FunctionReference cb = std::move(on_exit_);
  napi_value recv = Value();
  if (reffed_) {
    reffed_ = false;
    Unref();
  }
  if (cb.IsEmpty()) return;
  if (napi_make_callback(env, nullptr, recv, cb.Value(), 2, args, &result) != napi_ok) {
    bool pending = false;
    napi_value exc;
    if (napi_is_exception_pending(env, &pending) == napi_ok && pending &&
        napi_get_and_clear_last_exception(env, &exc) == napi_ok)
      napi_fatal_exception(env, exc);
  }
}

} // namespace ntrace
