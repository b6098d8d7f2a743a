#include "channel.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

namespace ntrace {

namespace {

// A whole number of kMaxRecord slots (recvmmsg gives each message its own).
constexpr size_t kReadBuf = 1 << 20;

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
                      InstanceMethod<&Channel::SetReading>("setReading")});
}

// new Channel('user') starts a userspace engine; new Channel('device', path) opens a device.
Channel::Channel(const Napi::CallbackInfo &info)
    : Napi::ObjectWrap<Channel>(info), env_(info.Env()) {
  Napi::Env env = info.Env();
  rbuf_.resize(kReadBuf);
  std::string kind =
      info.Length() > 0 && info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "";
  if (kind == "user") {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
      ErrnoError(env, "socketpair", errno).ThrowAsJavaScriptException();
      return;
    }
    int flags = fcntl(sv[0], F_GETFL);
    if (flags < 0 || fcntl(sv[0], F_SETFL, flags | O_NONBLOCK) < 0) {
      int e = errno;
      close(sv[0]);
      close(sv[1]);
      ErrnoError(env, "fcntl", e).ThrowAsJavaScriptException();
      return;
    }
    fd_ = sv[0];
    is_socket_ = true;
    engine_ = std::make_unique<Tracer>(sv[1]);
  } else if (kind == "device" && info.Length() > 1 && info[1].IsString()) {
    std::string path = info[1].As<Napi::String>();
    fd_ = open(path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd_ < 0) {
      ErrnoError(env, path.c_str(), errno).ThrowAsJavaScriptException();
      return;
    }
  } else {
    Napi::TypeError::New(env, "Channel('user') or Channel('device', path)")
        .ThrowAsJavaScriptException();
    return;
  }
  AddonData *data = env.GetInstanceData<AddonData>();
  if (data != nullptr) data->channels.insert(this);
}

Channel::~Channel() {
  Shutdown();
  AddonData *data = env_.GetInstanceData<AddonData>();
  if (data != nullptr) data->channels.erase(this);
}

void Channel::Shutdown() {
  if (closed_) return;
  closed_ = true;
  if (poll_ != nullptr) {
    uv_poll_stop(poll_);
    poll_->data = nullptr;
    if (data_ != nullptr) {
      uv_close(reinterpret_cast<uv_handle_t *>(poll_),
               [](uv_handle_t *h) { delete reinterpret_cast<uv_poll_t *>(h); });
    } else {
      // Env teardown: the loop may run this close after the addon is unloaded (workers), so
      // no callback into our code; the handle's few bytes are left behind.
      uv_close(reinterpret_cast<uv_handle_t *>(poll_), nullptr);
    }
    poll_ = nullptr;
  }
  if (fd_ >= 0) {
    close(fd_); // the engine sees the peer go away
    fd_ = -1;
  }
  if (engine_) {
    engine_->Join(); // teardown: breakpoints out, launched killed, attached detached
    engine_.reset();
  }
  queue_.clear();
}

Napi::Value Channel::Fd(const Napi::CallbackInfo &info) {
  return Napi::Number::New(info.Env(), fd_);
}

// start(onData(buffer of whole records), onEnd(errnoName | null))
Napi::Value Channel::Start(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (closed_ || fd_ < 0) {
    ErrnoError(env, "start", EBADF).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (info.Length() < 2 || !info[0].IsFunction() || !info[1].IsFunction()) {
    Napi::TypeError::New(env, "start(onData, onEnd)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  on_data_ = Napi::Persistent(info[0].As<Napi::Function>());
  on_end_ = Napi::Persistent(info[1].As<Napi::Function>());
  if (poll_ == nullptr) {
    uv_loop_t *loop = nullptr;
    napi_get_uv_event_loop(env, &loop);
    poll_ = new uv_poll_t;
    int r = uv_poll_init(loop, poll_, fd_);
    if (r != 0) {
      delete poll_;
      poll_ = nullptr;
      ErrnoError(env, "uv_poll_init", -r).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    poll_->data = this;
  }
  if (!reffed_) {
    Ref(); // alive while polling, even if JS drops it
    reffed_ = true;
  }
  UpdatePoll();
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

// Appends every record readable now to acc. Returns -1, or 0 at EOF, or an errno.
int Channel::ReadInto(std::vector<uint8_t> &acc) {
  int end = -1;
  if (is_socket_) {
    // The socketpair: one recvmmsg takes every queued record (one message each), where read(2)
    // would need one call per record plus one for EAGAIN.
    constexpr unsigned kSlots = kReadBuf / kMaxRecord;
    struct mmsghdr msgs[kSlots];
    struct iovec iovs[kSlots];
    for (int round = 0; round < 64; round++) {
      for (unsigned i = 0; i < kSlots; i++) {
        iovs[i].iov_base = rbuf_.data() + i * kMaxRecord;
        iovs[i].iov_len = kMaxRecord;
        memset(&msgs[i], 0, sizeof msgs[i]);
        msgs[i].msg_hdr.msg_iov = &iovs[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
      }
      int n = recvmmsg(fd_, msgs, kSlots, MSG_DONTWAIT, nullptr);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) end = errno;
        break;
      }
      if (n == 0) end = 0;
      for (int i = 0; i < n && end < 0; i++) {
        if (msgs[i].msg_len == 0) end = 0; // EOF: the tracer closed its end
        const uint8_t *rec = rbuf_.data() + i * kMaxRecord;
        acc.insert(acc.end(), rec, rec + msgs[i].msg_len);
      }
      if (end >= 0 || n < static_cast<int>(kSlots)) break;
    }
    return end;
  }
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
  // Space freed in the socket: a tracer holding records it could not send may wait for that.
  if (!acc.empty() && engine_) engine_->WakeIfWaiting(true);
  if (!acc.empty()) Deliver(acc);
  if (end >= 0 && !closed_) Fail(end);
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
    if (engine_) engine_->WakeIfWaiting(false);
  }
  UpdatePoll();
}

// write(buffer): one or more whole command records. Returns nothing; errors throw.
Napi::Value Channel::Write(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (closed_ || fd_ < 0) {
    ErrnoError(env, "write", EBADF).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (info.Length() < 1 || !info[0].IsBuffer()) {
    Napi::TypeError::New(env, "write(buffer)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Buffer<uint8_t> b = info[0].As<Napi::Buffer<uint8_t>>();
  if (queue_.empty()) {
    for (;;) {
      ssize_t n = write(fd_, b.Data(), b.Length());
      if (n >= 0) {
        if (engine_) engine_->WakeIfWaiting(false);
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

// setReading(false) leaves records in the fd until setReading(true): flow control for a
// client that cannot take more now (and the way tests make a provider's queue overflow).
Napi::Value Channel::SetReading(const Napi::CallbackInfo &info) {
  reading_ = info.Length() < 1 || info[0].ToBoolean().Value();
  if (!closed_) UpdatePoll();
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
