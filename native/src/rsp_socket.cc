// The byte moving of one RSP client connection, below Node's net streams (issue 13): the
// connected socket's fd is polled by libuv, read with one read(2) per readiness and written with
// write(2) straight from the caller's buffer, queued only on EAGAIN. Each chunk is read into
// one Buffer the caller gave (no Buffer, no backing store per read) and its length goes to JS
// synchronously; framing, acks and everything above stay in TypeScript (rsp/).
// Node's stream path costs about 35 us of CPU per packet against gdbserver's 19 for its whole
// handling (bench/RESULTS.md).
//
// A separate module (ntrace_sock.node): it shares nothing with the tracer.
#include <errno.h>
#include <fcntl.h>
#include <napi.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include <string>
#include <vector>

namespace {

// Raw napi here, as channel.cc: while the environment tears down a call into JS may fail, and
// that must not become a fatal error.
void CallJs(napi_env env, napi_value recv, napi_ref fn, size_t argc, napi_value *argv) {
  napi_value f;
  if (napi_get_reference_value(env, fn, &f) != napi_ok || f == nullptr) return;
  napi_value result;
  if (napi_make_callback(env, nullptr, recv, f, argc, argv, &result) == napi_ok) return;
  bool pending = false;
  if (napi_is_exception_pending(env, &pending) == napi_ok && pending) {
    napi_value exc;
    if (napi_get_and_clear_last_exception(env, &exc) == napi_ok) napi_fatal_exception(env, exc);
  }
}

class RspSocket : public Napi::ObjectWrap<RspSocket> {
public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "RspSocket",
                       {
                           InstanceMethod("write", &RspSocket::Write),
                           InstanceMethod("writeFn", &RspSocket::WriteFn),
                           InstanceMethod("pause", &RspSocket::Pause),
                           InstanceMethod("resume", &RspSocket::Resume),
                           InstanceMethod("close", &RspSocket::Close),
                       });
  }

  // new RspSocket(fd, readBuffer, onData(length), onDrain(), onEnd(errnoName | null)): works on
  // a duplicate of fd, which the caller then closes. Each read lands at the start of readBuffer
  // (kept alive here), and onData gets its length: the bytes are the caller's until it returns.
  explicit RspSocket(const Napi::CallbackInfo &info) : Napi::ObjectWrap<RspSocket>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 5 || !info[0].IsNumber() || !info[1].IsBuffer() || !info[2].IsFunction() ||
        !info[3].IsFunction() || !info[4].IsFunction()) {
      Napi::TypeError::New(env, "RspSocket(fd, readBuffer, onData, onDrain, onEnd)")
          .ThrowAsJavaScriptException();
      return;
    }
    auto rbuf = info[1].As<Napi::Buffer<uint8_t>>();
    if (rbuf.Length() == 0) {
      Napi::RangeError::New(env, "RspSocket: empty read buffer").ThrowAsJavaScriptException();
      return;
    }
    // Our own fd for the connection: the caller closes its socket object (and fd) next.
    int fd = fcntl(info[0].As<Napi::Number>().Int32Value(), F_DUPFD_CLOEXEC, 0);
    if (fd < 0) {
      Throw(env, "dup", errno);
      return;
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
      int err = errno;
      close(fd);
      Throw(env, "fcntl", err);
      return;
    }
    uv_loop_t *loop = nullptr;
    if (napi_get_uv_event_loop(env, &loop) != napi_ok) {
      Throw(env, "napi_get_uv_event_loop", EINVAL);
      return;
    }
    poll_ = new uv_poll_t;
    int r = uv_poll_init(loop, poll_, fd);
    if (r != 0) {
      delete poll_;
      poll_ = nullptr;
      close(fd);
      Throw(env, "uv_poll_init", -r);
      return;
    }
    poll_->data = this;
    fd_ = fd;
    env_ = env;
    napi_create_reference(env, info[1], 1, &rbuf_ref_);
    rbuf_ = rbuf.Data();
    rbuf_len_ = rbuf.Length();
    napi_create_reference(env, info[2], 1, &on_data_);
    napi_create_reference(env, info[3], 1, &on_drain_);
    napi_create_reference(env, info[4], 1, &on_end_);
    Ref(); // alive while open, even if JS drops it
    reffed_ = true;
    UpdatePoll();
  }

  ~RspSocket() override {
    Shutdown();
    if (on_data_ != nullptr) napi_delete_reference(env_, on_data_);
    if (on_drain_ != nullptr) napi_delete_reference(env_, on_drain_);
    if (on_end_ != nullptr) napi_delete_reference(env_, on_end_);
    if (rbuf_ref_ != nullptr) napi_delete_reference(env_, rbuf_ref_);
  }

private:
  static void Throw(Napi::Env env, const char *what, int err) {
    Napi::Error e = Napi::Error::New(env, std::string(what) + ": " + strerror(err));
    e.Set("errno", Napi::Number::New(env, err));
    e.ThrowAsJavaScriptException();
  }

  // write(buffer): true when every byte is out (or the socket is closed), false when some wait
  // for the socket to drain; onDrain follows once they are out.
  Napi::Value Write(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsBuffer()) {
      Napi::TypeError::New(env, "write(buffer)").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    if (fd_ < 0) return Napi::Boolean::New(env, true);
    auto buf = info[0].As<Napi::Buffer<uint8_t>>();
    const uint8_t *p = buf.Data();
    size_t n = buf.Length();
    if (wqueue_.empty()) {
      while (n > 0) {
        ssize_t w = send(fd_, p, n, MSG_NOSIGNAL);
        if (w > 0) {
          p += w;
          n -= static_cast<size_t>(w);
          continue;
        }
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        // A peer gone: reading reports the end (EOF or the error) to JS.
        write_error_ = w < 0 ? errno : EIO;
        n = 0;
        break;
      }
      if (write_error_ != 0) {
        // Let the read side see it: ask for readability, which an error or hangup gives.
        UpdatePoll();
        return Napi::Boolean::New(env, true);
      }
    }
    if (n == 0) return Napi::Boolean::New(env, true);
    wqueue_.insert(wqueue_.end(), p, p + n);
    UpdatePoll();
    return Napi::Boolean::New(env, false);
  }

  // writeFn() -> write(buffer) bound to this socket: a call unwraps no object (N-API's unwrap
  // is a private-symbol lookup, ~0.4k instructions a reply; bench/RESULTS.md session 14). The
  // function holds the socket's object alive.
  struct BoundWrite {
    RspSocket *socket;
    Napi::ObjectReference self;
  };

  Napi::Value WriteFn(const Napi::CallbackInfo &info) {
    auto *bound = new BoundWrite{this, Napi::Persistent(Value())};
    Napi::Function fn = Napi::Function::New(info.Env(), &RspSocket::BoundWriteCall, "write", bound);
    fn.AddFinalizer([](Napi::Env, BoundWrite *b) { delete b; }, bound);
    return fn;
  }

  static Napi::Value BoundWriteCall(const Napi::CallbackInfo &info) {
    return static_cast<BoundWrite *>(info.Data())->socket->Write(info);
  }

  Napi::Value Pause(const Napi::CallbackInfo &info) {
    reading_ = false;
    UpdatePoll();
    return info.Env().Undefined();
  }

  Napi::Value Resume(const Napi::CallbackInfo &info) {
    reading_ = true;
    UpdatePoll();
    return info.Env().Undefined();
  }

  // close(): the fd is closed now (the peer sees EOF); no callback follows.
  Napi::Value Close(const Napi::CallbackInfo &info) {
    Shutdown();
    return info.Env().Undefined();
  }

  void Shutdown() {
    if (poll_ != nullptr) {
      uv_poll_stop(poll_);
      poll_->data = nullptr;
      uv_close(reinterpret_cast<uv_handle_t *>(poll_),
               [](uv_handle_t *h) { delete reinterpret_cast<uv_poll_t *>(h); });
      poll_ = nullptr;
      poll_events_ = 0;
    }
    if (fd_ >= 0) {
      // A last reply still queued (a full socket buffer) gets one more try before the close.
      if (!wqueue_.empty() && send(fd_, wqueue_.data(), wqueue_.size(), MSG_NOSIGNAL) < 0) {
        // Nothing more to do: the peer is gone or not reading.
      }
      close(fd_);
      fd_ = -1;
    }
    wqueue_.clear();
    if (reffed_) {
      reffed_ = false;
      Unref();
    }
  }

  void UpdatePoll() {
    if (poll_ == nullptr) return;
    int want =
        (reading_ || write_error_ != 0 ? UV_READABLE : 0) | (wqueue_.empty() ? 0 : UV_WRITABLE);
    if (want == poll_events_) return;
    poll_events_ = want;
    if (want == 0)
      uv_poll_stop(poll_);
    else
      uv_poll_start(poll_, want, OnPoll);
  }

  static void OnPoll(uv_poll_t *handle, int status, int events) {
    auto *self = static_cast<RspSocket *>(handle->data);
    if (self == nullptr || self->fd_ < 0) return;
    if (status < 0) {
      // libuv says UV_EBADF for POLLERR and has stopped the handle: the read says which error
      // it was (ECONNRESET, most often).
      self->poll_events_ = 0;
      self->reading_ = true;
      self->Readable(-status);
      return;
    }
    if (events & UV_WRITABLE) self->Writable();
    if (self->fd_ >= 0 && (events & UV_READABLE)) self->Readable();
  }

  void Writable() {
    size_t off = 0;
    while (off < wqueue_.size()) {
      ssize_t w = send(fd_, wqueue_.data() + off, wqueue_.size() - off, MSG_NOSIGNAL);
      if (w > 0) {
        off += static_cast<size_t>(w);
        continue;
      }
      if (w < 0 && errno == EINTR) continue;
      if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      write_error_ = w < 0 ? errno : EIO;
      wqueue_.clear();
      UpdatePoll();
      return;
    }
    wqueue_.erase(wqueue_.begin(), wqueue_.begin() + static_cast<std::ptrdiff_t>(off));
    UpdatePoll();
    if (wqueue_.empty()) {
      Napi::HandleScope scope(env_);
      CallJs(env_, Value(), on_drain_, 0, nullptr);
    }
  }

  // One read(2) per readiness: a request fits in one read, and the poll is level-triggered, so
  // anything left is read at the next turn without a read that only says EAGAIN.
  void Readable(int poll_error = 0) {
    ssize_t n;
    do {
      n = read(fd_, rbuf_, rbuf_len_);
    } while (n < 0 && errno == EINTR);
    if (n > 0) {
      Napi::HandleScope scope(env_);
      napi_value len;
      if (napi_create_uint32(env_, static_cast<uint32_t>(n), &len) != napi_ok) return;
      CallJs(env_, Value(), on_data_, 1, &len);
      UpdatePoll(); // after a POLLERR libuv stopped the handle; data came first
      return;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (write_error_ != 0 || poll_error != 0) End(write_error_ != 0 ? write_error_ : poll_error);
      return;
    }
    End(n == 0 ? (write_error_ != 0 ? write_error_ : 0) : errno);
  }

  // The connection ended: EOF (err 0) or an error. Polling stops; JS closes us.
  void End(int err) {
    if (poll_ != nullptr && poll_events_ != 0) {
      uv_poll_stop(poll_);
      poll_events_ = 0;
    }
    reading_ = false;
    wqueue_.clear();
    write_error_ = 0;
    Napi::HandleScope scope(env_);
    napi_value code;
    if (err == 0)
      napi_get_null(env_, &code);
    else
      napi_create_string_utf8(env_, uv_err_name(-err), NAPI_AUTO_LENGTH, &code);
    CallJs(env_, Value(), on_end_, 1, &code);
  }

  napi_env env_ = nullptr;
  int fd_ = -1;
  uv_poll_t *poll_ = nullptr;
  int poll_events_ = 0;
  bool reading_ = true;
  bool reffed_ = false;
  int write_error_ = 0;
  // The caller's read buffer (a Buffer held by rbuf_ref_: its bytes do not move).
  uint8_t *rbuf_ = nullptr;
  size_t rbuf_len_ = 0;
  napi_ref rbuf_ref_ = nullptr;
  std::vector<uint8_t> wqueue_;
  napi_ref on_data_ = nullptr;
  napi_ref on_drain_ = nullptr;
  napi_ref on_end_ = nullptr;
};

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("RspSocket", RspSocket::Define(env));
  return exports;
}

} // namespace

NODE_API_MODULE(ntrace_sock, Init)
