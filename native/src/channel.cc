#include "channel.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <cmath>
#include <string>

namespace ntrace {

namespace {

constexpr size_t kReadBuf = 1 << 20;
// Number.MAX_SAFE_INTEGER: a number address above it may not be the integer JS meant.
constexpr double kMaxSafeInteger = 9007199254740991.0;

// Closes a handle. During env teardown (no instance data) the loop may run the close after the
// addon is unloaded (workers), so no callback into our code: the handle's bytes are left.
template <class H> void CloseHandle(H *&h, bool with_callback) {
  if (h == nullptr) return;
  h->data = nullptr;
  uv_handle_t *u = reinterpret_cast<uv_handle_t *>(h);
  if (with_callback)
    uv_close(u, [](uv_handle_t *x) { delete reinterpret_cast<H *>(x); });
  else
    uv_close(u, nullptr);
  h = nullptr;
}

} // namespace

Napi::Error ErrnoError(Napi::Env env, const char *what, int err) {
  const char *name = strerrorname_np(err);
  Napi::Error e =
      Napi::Error::New(env, std::string(what) + ": " + (name ? name : "?") + " " + strerror(err));
  e.Set("code", Napi::String::New(env, name ? name : "EUNKNOWN"));
  e.Set("errno", Napi::Number::New(env, err));
  return e;
}

Napi::Function Channel::Define(Napi::Env env) {
  return DefineClass(env, "Channel",
                     {InstanceMethod<&Channel::Start>("start"),
                      InstanceMethod<&Channel::Write>("write"),
                      InstanceMethod<&Channel::Close>("close"), InstanceMethod<&Channel::Fd>("fd"),
                      InstanceMethod<&Channel::SetReading>("setReading"),
                      InstanceMethod<&Channel::ReadMemFn>("readMemFn"),
                      InstanceMethod<&Channel::SyscallCounts>("syscallCounts")});
}

// new Channel('user') starts a userspace engine run by this thread; new Channel('device', path)
// opens a device.
Channel::Channel(const Napi::CallbackInfo &info)
    : Napi::ObjectWrap<Channel>(info), env_(info.Env()) {
  Napi::Env env = info.Env();
  std::string kind =
      info.Length() > 0 && info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "";
  if (kind == "user") {
    engine_ = std::make_unique<Tracer>();
  } else if (kind == "device" && info.Length() > 1 && info[1].IsString()) {
    std::string path = info[1].As<Napi::String>();
    fd_ = open(path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd_ < 0) {
      ErrnoError(env, path.c_str(), errno).ThrowAsJavaScriptException();
      return;
    }
    rbuf_.resize(kReadBuf);
  } else {
    Napi::TypeError::New(env, "Channel('user') or Channel('device', path)")
        .ThrowAsJavaScriptException();
    return;
  }
  data_ = env.GetInstanceData<AddonData>();
  if (data_ != nullptr) data_->channels.insert(this);
}

Channel::~Channel() {
  Shutdown();
  AddonData *data = env_.GetInstanceData<AddonData>();
  if (data != nullptr) data->channels.erase(this);
}

void Channel::CloseHandles() {
  bool cb = data_ != nullptr;
  if (poll_ != nullptr) uv_poll_stop(poll_);
  CloseHandle(poll_, cb);
  poll_events_ = 0;
  if (sigchld_ != nullptr) uv_signal_stop(sigchld_);
  CloseHandle(sigchld_, cb);
  if (check_ != nullptr) uv_check_stop(check_);
  CloseHandle(check_, cb);
  CloseHandle(nudge_, cb);
}

void Channel::Shutdown() {
  if (closed_) return;
  closed_ = true;
  CloseHandles();
  if (fd_ >= 0) {
    close(fd_);
    fd_ = -1;
  }
  if (engine_) {
    engine_->Close(); // breakpoints out, launched killed and reaped, attached detached
    engine_.reset();
  }
  queue_.clear();
}

// The system calls the userspace engines of this thread made so far (SysCounts), for tests:
// { ptrace: { GETREGS: n, ... } (requests made at least once), sigaction, memReads }; undefined
// for a device.
Napi::Value Channel::SyscallCounts(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (!engine_) return env.Undefined();
  static const struct {
    long req;
    const char *name;
  } kNames[] = {{PTRACE_PEEKUSER, "PEEKUSER"},
                {PTRACE_POKEUSER, "POKEUSER"},
                {PTRACE_CONT, "CONT"},
                {PTRACE_KILL, "KILL"},
                {PTRACE_SINGLESTEP, "SINGLESTEP"},
                {PTRACE_GETREGS, "GETREGS"},
                {PTRACE_SETREGS, "SETREGS"},
                {PTRACE_DETACH, "DETACH"},
                {PTRACE_SYSCALL, "SYSCALL"},
                {PTRACE_SETOPTIONS, "SETOPTIONS"},
                {PTRACE_GETEVENTMSG, "GETEVENTMSG"},
                {PTRACE_GETSIGINFO, "GETSIGINFO"},
                {PTRACE_SETSIGINFO, "SETSIGINFO"},
                {PTRACE_GETREGSET, "GETREGSET"},
                {PTRACE_SETREGSET, "SETREGSET"},
                {PTRACE_SEIZE, "SEIZE"},
                {PTRACE_INTERRUPT, "INTERRUPT"},
                {PTRACE_LISTEN, "LISTEN"},
                {PTRACE_PEEKSIGINFO, "PEEKSIGINFO"},
                {PTRACE_GET_SYSCALL_INFO, "GET_SYSCALL_INFO"}};
  const SysCounts &c = Counts();
  Napi::Object pt = Napi::Object::New(env);
  for (const auto &n : kNames) {
    uint64_t v = c.ptrace[PtraceSlot(n.req)];
    if (v != 0) pt.Set(n.name, Napi::Number::New(env, static_cast<double>(v)));
  }
  Napi::Object o = Napi::Object::New(env);
  o.Set("ptrace", pt);
  o.Set("sigaction", Napi::Number::New(env, static_cast<double>(c.sigaction)));
  o.Set("memReads", Napi::Number::New(env, static_cast<double>(c.mem_reads)));
  return o;
}

Napi::Value Channel::Fd(const Napi::CallbackInfo &info) {
  return Napi::Number::New(info.Env(), fd_);
}

// start(onData(buffer of whole records), onEnd(errnoName | null))
Napi::Value Channel::Start(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (closed_) {
    ErrnoError(env, "start", EBADF).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (info.Length() < 2 || !info[0].IsFunction() || !info[1].IsFunction()) {
    Napi::TypeError::New(env, "start(onData, onEnd)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  on_data_ = Napi::Persistent(info[0].As<Napi::Function>());
  on_end_ = Napi::Persistent(info[1].As<Napi::Function>());
  uv_loop_t *loop = nullptr;
  napi_get_uv_event_loop(env, &loop);
  int r = 0;
  if (engine_ && sigchld_ == nullptr) {
    // Every tracee state change sends the tracer's process a SIGCHLD. libuv runs the handlers
    // of every watcher of a signal, so node's child_process (which watches SIGCHLD too) keeps
    // its own; each one then waits only for its own children.
    sigchld_ = new uv_signal_t;
    r = uv_signal_init(loop, sigchld_);
    if (r == 0) {
      sigchld_->data = this;
      r = uv_signal_start(sigchld_, OnSigchld, SIGCHLD);
      if (r != 0) CloseHandle(sigchld_, true);
    } else {
      delete sigchld_;
      sigchld_ = nullptr;
    }
    if (r == 0) {
      check_ = new uv_check_t;
      r = uv_check_init(loop, check_);
      if (r == 0) {
        check_->data = this;
        uv_unref(reinterpret_cast<uv_handle_t *>(check_));
      } else {
        delete check_;
        check_ = nullptr;
      }
    }
    if (r == 0) {
      nudge_ = new uv_async_t;
      r = uv_async_init(loop, nudge_, OnNudge);
      if (r == 0) {
        nudge_->data = this;
        uv_unref(reinterpret_cast<uv_handle_t *>(nudge_));
      } else {
        delete nudge_;
        nudge_ = nullptr;
      }
    }
  } else if (fd_ >= 0 && poll_ == nullptr) {
    poll_ = new uv_poll_t;
    r = uv_poll_init(loop, poll_, fd_);
    if (r == 0) {
      poll_->data = this;
    } else {
      delete poll_;
      poll_ = nullptr;
    }
  }
  if (r != 0) {
    ErrnoError(env, "uv handle", -r).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (!reffed_) {
    Ref(); // alive while started, even if JS drops it
    reffed_ = true;
  }
  UpdatePoll();
  if (engine_ && engine_->HasOutput()) uv_async_send(nudge_);
  return env.Undefined();
}

void Channel::UpdatePoll() {
  if (poll_ == nullptr) return;
  int want = (reading_ ? UV_READABLE : 0) | (queue_.empty() ? 0 : UV_WRITABLE);
  if (want == poll_events_) return;
  poll_events_ = want;
  if (want == 0)
    uv_poll_stop(poll_);
  else
    uv_poll_start(poll_, want, OnPoll);
}

void Channel::OnPoll(uv_poll_t *handle, int status, int events) {
  Channel *self = static_cast<Channel *>(handle->data);
  if (self == nullptr || self->closed_) return;
  if (status < 0) {
    self->Fail(-status);
    return;
  }
  if (events & UV_WRITABLE) self->Writable();
  if (!self->closed_ && (events & UV_READABLE)) self->Readable();
}

// A tracee changed state (or some other child of this process did: Poll is cheap then). The
// statuses are taken once the loop has run every callback of this iteration (uv_check), so a
// burst of SIGCHLDs costs one Poll.
void Channel::OnSigchld(uv_signal_t *handle, int) {
  Channel *self = static_cast<Channel *>(handle->data);
  if (self == nullptr || self->closed_ || self->check_ == nullptr) return;
  uv_check_start(self->check_, OnCheck);
}

void Channel::OnCheck(uv_check_t *handle) {
  uv_check_stop(handle);
  Channel *self = static_cast<Channel *>(handle->data);
  if (self == nullptr || self->closed_ || !self->engine_) return;
  self->engine_->Poll();
  self->DeliverEngineOutput();
}

void Channel::OnNudge(uv_async_t *handle) {
  Channel *self = static_cast<Channel *>(handle->data);
  if (self == nullptr || self->closed_ || !self->engine_) return;
  self->RunQueued();
  self->DeliverEngineOutput();
}

// Appends every record readable now from the device to acc. Returns -1, or 0 at EOF, or an
// errno.
int Channel::ReadInto(std::vector<uint8_t> &acc) {
  int end = -1;
  for (int i = 0; i < 256; i++) {
    ssize_t n = read(fd_, rbuf_.data(), rbuf_.size());
    if (n > 0) {
      acc.insert(acc.end(), rbuf_.begin(), rbuf_.begin() + n);
      continue;
    }
    if (n == 0) return 0;
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) end = errno;
    break;
  }
  return end;
}

void Channel::Readable() {
  std::vector<uint8_t> &acc = acc_;
  acc.clear();
  int end = ReadInto(acc);
  if (!acc.empty()) Deliver(acc);
  if (end >= 0 && !closed_) Fail(end);
}

void Channel::DeliverEngineOutput() {
  if (!reading_ || closed_ || !engine_->HasOutput()) return;
  acc_.clear();
  engine_->TakeOutput(&acc_);
  if (!acc_.empty()) Deliver(acc_);
}

// Raw napi calls here: while a worker terminates, calling into JS fails, and the wrappers
// would turn that failure into a fatal error instead of letting us stop quietly.
static void CallJs(napi_env env, napi_value recv, const Napi::FunctionReference &fn,
                   napi_value arg) {
  napi_value result;
  napi_status st = napi_make_callback(env, nullptr, recv, fn.Value(), 1, &arg, &result);
  if (st == napi_ok) return;
  bool pending = false;
  if (napi_is_exception_pending(env, &pending) == napi_ok && pending) {
    napi_value exc;
    if (napi_get_and_clear_last_exception(env, &exc) == napi_ok)
      napi_fatal_exception(env, exc); // an exception thrown by a listener: uncaughtException
  }
}

void Channel::Deliver(std::vector<uint8_t> &data) {
  Napi::Env env = env_;
  Napi::HandleScope scope(env);
  napi_value buf;
  void *dst = nullptr;
  if (napi_create_buffer_copy(env, data.size(), data.data(), &dst, &buf) != napi_ok) return;
  CallJs(env, Value(), on_data_, buf);
}

void Channel::Fail(int err) {
  Napi::Env env = env_;
  Napi::HandleScope scope(env);
  if (poll_ != nullptr && poll_events_ != 0) {
    uv_poll_stop(poll_);
    poll_events_ = 0;
  }
  napi_value code;
  if (err == 0)
    napi_get_null(env, &code);
  else
    napi_create_string_utf8(env, strerrorname_np(err), NAPI_AUTO_LENGTH, &code);
  if (reffed_) {
    reffed_ = false;
    Unref();
  }
  if (!on_end_.IsEmpty()) CallJs(env, Value(), on_end_, code);
}

void Channel::Writable() {
  while (!queue_.empty()) {
    auto &front = queue_.front();
    ssize_t n = write(fd_, front.data(), front.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      Fail(errno);
      return;
    }
    queue_.pop_front();
  }
  UpdatePoll();
}

// The engine's held-back commands (written while its backlog was over the high-water mark and
// nobody read), once records are taken again.
void Channel::RunQueued() {
  while (!queue_.empty() && !closed_ && (reading_ || engine_->Backlog() < kOutHighWater)) {
    std::vector<uint8_t> cmd = std::move(queue_.front());
    queue_.pop_front();
    engine_->Write(cmd.data(), cmd.size());
    if (reading_) DeliverEngineOutput();
  }
}

Napi::Value Channel::TakeRecords(Napi::Env env) {
  acc_.clear();
  engine_->TakeOutput(&acc_);
  if (acc_.empty()) return env.Undefined();
  napi_value buf;
  void *dst = nullptr;
  if (napi_create_buffer_copy(env, acc_.size(), acc_.data(), &dst, &buf) != napi_ok)
    return env.Undefined();
  return Napi::Value(env, buf);
}

// write(buffer): one or more whole command records. Returns the records readable at once (the
// replies, and the events known by then), or undefined; errors throw.
Napi::Value Channel::Write(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (closed_) {
    ErrnoError(env, "write", EBADF).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (info.Length() < 1 || !info[0].IsBuffer()) {
    Napi::TypeError::New(env, "write(buffer)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Buffer<uint8_t> b = info[0].As<Napi::Buffer<uint8_t>>();
  if (engine_) {
    // Each command adds a reply that cannot be dropped: while nobody reads, a large backlog
    // holds further commands back instead of growing without bound.
    if (!queue_.empty() || (!reading_ && engine_->Backlog() >= kOutHighWater)) {
      queue_.emplace_back(b.Data(), b.Data() + b.Length());
      return env.Undefined();
    }
    engine_->Write(b.Data(), b.Length());
    return reading_ ? TakeRecords(env) : env.Undefined();
  }
  if (queue_.empty()) {
    for (;;) {
      ssize_t n = write(fd_, b.Data(), b.Length());
      if (n >= 0) {
        return env.Undefined();
      }
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      ErrnoError(env, "write", errno).ThrowAsJavaScriptException();
      return env.Undefined();
    }
  }
  queue_.emplace_back(b.Data(), b.Data() + b.Length());
  UpdatePoll();
  return env.Undefined();
}

// readMemFn(buf) -> readMem(pid, addr: number | bigint, len): READ_MEM run now, without a
// record: its bytes into buf[0..len) and their count returned, or -errno (the errors the
// command's reply would carry). undefined when the answer would not be the command's, in order:
// the device (its replies come on readability), a closed session, commands held back, reading
// paused or records not yet taken (the command's reply would come after them), or arguments the
// record path refuses. The address is a number when it is a safe integer (no BigInt per read
// on the `m` path), a bigint above that.
// The function is bound to this channel and to buf: a call unwraps no object and looks up no
// buffer (N-API's unwrap is a private-symbol lookup, ~0.4k instructions, bench/RESULTS.md
// session 14). It holds both alive; buf's bytes are off the V8 heap once its info is taken.
namespace {
struct BoundRead {
  Channel *channel;
  Napi::ObjectReference self;
  Napi::ObjectReference buffer;
  uint8_t *data;
  size_t size;
};
} // namespace

Napi::Value Channel::ReadMemFn(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsBuffer()) {
    Napi::TypeError::New(env, "readMemFn(buffer)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Buffer<uint8_t> buf = info[0].As<Napi::Buffer<uint8_t>>();
  auto *bound = new BoundRead{this, Napi::Persistent(Value()),
                              Napi::Persistent(buf.As<Napi::Object>()), buf.Data(), buf.Length()};
  Napi::Function fn = Napi::Function::New(env, &Channel::BoundReadMem, "readMem", bound);
  fn.AddFinalizer([](Napi::Env, BoundRead *b) { delete b; }, bound);
  return fn;
}

Napi::Value Channel::BoundReadMem(const Napi::CallbackInfo &info) {
  auto *bound = static_cast<BoundRead *>(info.Data());
  return bound->channel->ReadMemInto(info, bound->data, bound->size);
}

Napi::Value Channel::ReadMemInto(const Napi::CallbackInfo &info, uint8_t *data, size_t size) {
  Napi::Env env = info.Env();
  if (!engine_ || closed_ || engine_->Closed() || !queue_.empty() || !reading_ ||
      engine_->HasOutput() || info.Length() < 3 || !info[0].IsNumber() || !info[2].IsNumber())
    return env.Undefined();
  double pid = info[0].As<Napi::Number>().DoubleValue();
  double len = info[2].As<Napi::Number>().DoubleValue();
  bool lossless = false;
  uint64_t addr = 0;
  if (info[1].IsNumber()) {
    double a = info[1].As<Napi::Number>().DoubleValue();
    lossless = a >= 0 && a <= kMaxSafeInteger && a == std::trunc(a);
    if (lossless) addr = static_cast<uint64_t>(a);
  } else if (info[1].IsBigInt()) {
    addr = info[1].As<Napi::BigInt>().Uint64Value(&lossless);
  }
  // Ranges first (NaN fails every comparison): a double cast to an integer it does not fit is
  // undefined behaviour.
  if (!lossless || !(pid >= INT32_MIN && pid <= INT32_MAX) || pid != std::trunc(pid) ||
      !(len >= 0 && len <= static_cast<double>(size) && len <= UINT32_MAX) ||
      len != std::trunc(len))
    return env.Undefined();
  long n = engine_->ReadMemNow(static_cast<int32_t>(pid), addr, data, static_cast<uint32_t>(len));
  return Napi::Number::New(env, static_cast<double>(n));
}

// setReading(false) leaves records in the provider until setReading(true): flow control for a
// client that cannot take more now (and the way tests make a provider's queue overflow).
Napi::Value Channel::SetReading(const Napi::CallbackInfo &info) {
  reading_ = info.Length() < 1 || info[0].ToBoolean().Value();
  if (closed_) return info.Env().Undefined();
  UpdatePoll();
  if (reading_ && nudge_ != nullptr && (engine_->HasOutput() || !queue_.empty()))
    uv_async_send(nudge_);
  return info.Env().Undefined();
}

Napi::Value Channel::Close(const Napi::CallbackInfo &info) {
  if (reffed_) {
    reffed_ = false;
    Unref();
  }
  Shutdown();
  return info.Env().Undefined();
}

} // namespace ntrace
