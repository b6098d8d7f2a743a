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
#include <stdlib.h>
#include <napi.h>
#include <sched.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include <algorithm>
#include <string>
#include <vector>

namespace {

// The busy-poll after a reply (issue 13). A client in the middle of a breakpoint's packets sends
// its next request tens of us after our reply; sleeping in epoll meanwhile makes that request a
// wake-up of an idle CPU, which on a VM (an HLT exit and an IPI) costs more than our handling
// of the packet (bench/RESULTS.md, session 15). So after a reply the event loop keeps turning
// (a uv_idle_t: libuv then polls with a zero timeout) for at most the bound, and only while the
// client's last request came within the bound of our reply before it. Every turn yields the
// CPU: a yield that gives it away (to the client on this CPU, or to anyone else) shows the CPU
// was not going to idle, so the spin ends there. A spin that ends without a request (at its
// bound, or so) makes the next replies sleep at once (1, 2, 4 ... kMaxBackoff of them).
constexpr uint64_t kSpinBoundNs = 200 * 1000;
// sched_yield() with nothing else to run returns in about a microsecond; one that switched to
// another task and back takes at least two context switches and that task's run.
constexpr uint64_t kYieldTakenNs = 10 * 1000;
constexpr uint32_t kMaxBackoff = 256;
// Nor does it spin while the loop's thread has waited for a CPU more than 1/16 of the last
// sampled stretch (its run_delay in /proc/thread-self/schedstat, sampled at most every 10 ms):
// on a busy machine a CPU never idles, and the spin's CPU would come out of the share of the
// client and the program it debugs.
constexpr uint64_t kSampleNs = 10 * 1000 * 1000;
constexpr uint64_t kContendedDiv = 16;

// Raw napi here, as channel.cc: while the environment tears down a call into JS may fail, and
// that must not become a fatal error. `scoped` false: a plain call, no callback scope (see
// Readable); the callee runs the microtasks and ticks itself.
void CallJs(napi_env env, napi_value recv, napi_ref fn, size_t argc, napi_value *argv,
            bool scoped = true) {
  napi_value f;
  if (napi_get_reference_value(env, fn, &f) != napi_ok || f == nullptr) return;
  napi_value result;
  napi_status st = scoped ? napi_make_callback(env, nullptr, recv, f, argc, argv, &result)
                          : napi_call_function(env, recv, f, argc, argv, &result);
  if (st == napi_ok) return;
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
                           InstanceMethod("writeFromFn", &RspSocket::WriteFromFn),
                           InstanceMethod("pause", &RspSocket::Pause),
                           InstanceMethod("resume", &RspSocket::Resume),
                           InstanceMethod("close", &RspSocket::Close),
                           InstanceMethod("setSpin", &RspSocket::SetSpin),
                           InstanceMethod("spinStats", &RspSocket::SpinStats),
                       });
  }

  // new RspSocket(fd, readBuffer, onData(length), onDrain(), onEnd(errnoName | null)): works on
  // a duplicate of fd, which the caller then closes. Each read lands at the start of readBuffer
  // (kept alive here), and onData gets its length: the bytes are the caller's until it returns.
  // onData is called plainly, in no callback scope: it must run the microtasks and ticks it
  // queued itself before returning (process._tickCallback), as a scope's close would.
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
    idle_ = new uv_idle_t;
    uv_idle_init(loop, idle_); // cannot fail
    idle_->data = this;
    uv_unref(reinterpret_cast<uv_handle_t *>(idle_)); // never what keeps the process alive
    // The constructor runs on the loop's thread. Without the file the spin has only its yields
    // to tell a busy machine by.
    schedstat_fd_ = open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
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
    auto buf = info[0].As<Napi::Buffer<uint8_t>>();
    return Napi::Boolean::New(env, WriteBytes(buf.Data(), buf.Length()));
  }

  bool WriteBytes(const uint8_t *p, size_t n) {
    if (fd_ < 0) return true;
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
        return true;
      }
    }
    if (n == 0) {
      Replied();
      return true;
    }
    wqueue_.insert(wqueue_.end(), p, p + n);
    UpdatePoll();
    return false;
  }

  // writeFromFn(buffer) -> write(length): writes buffer[0, length) as write(buffer) would, the
  // caller having framed its reply there. The call takes a number, not a Buffer: no typed-array
  // lookups (napi_get_typedarray_info, GetBuffer: ~0.35k instructions a reply) and no Buffer
  // allocated per reply (bench/RESULTS.md, session 16). Raw napi: no CallbackInfo object either.
  struct BoundWriteFrom {
    RspSocket *socket;
    uint8_t *data;
    size_t size;
    napi_ref self;
    napi_ref buffer;
  };

  Napi::Value WriteFromFn(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsBuffer() ||
        info[0].As<Napi::Buffer<uint8_t>>().Length() == 0) {
      Napi::TypeError::New(env, "writeFromFn(buffer)").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    auto buf = info[0].As<Napi::Buffer<uint8_t>>();
    auto *bound = new BoundWriteFrom{this, buf.Data(), buf.Length(), nullptr, nullptr};
    napi_value fn;
    if (napi_create_reference(env, Value(), 1, &bound->self) != napi_ok ||
        napi_create_reference(env, info[0], 1, &bound->buffer) != napi_ok ||
        napi_create_function(env, "write", NAPI_AUTO_LENGTH, BoundWriteFromCall, bound, &fn) !=
            napi_ok ||
        napi_add_finalizer(env, fn, bound, DeleteBoundWriteFrom, nullptr, nullptr) != napi_ok) {
      DeleteBoundWriteFrom(env, bound, nullptr);
      Napi::Error::New(env, "writeFromFn: napi").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    return Napi::Value(env, fn);
  }

  static void DeleteBoundWriteFrom(napi_env env, void *data, void *) {
    auto *b = static_cast<BoundWriteFrom *>(data);
    if (b->self != nullptr) napi_delete_reference(env, b->self);
    if (b->buffer != nullptr) napi_delete_reference(env, b->buffer);
    delete b;
  }

  static napi_value BoundWriteFromCall(napi_env env, napi_callback_info cbinfo) {
    size_t argc = 1;
    napi_value arg;
    void *data = nullptr;
    napi_value result = nullptr;
    if (napi_get_cb_info(env, cbinfo, &argc, &arg, nullptr, &data) != napi_ok) return nullptr;
    auto *b = static_cast<BoundWriteFrom *>(data);
    uint32_t n = 0;
    if (argc < 1 || napi_get_value_uint32(env, arg, &n) != napi_ok || n > b->size) {
      napi_throw_range_error(env, nullptr, "write(length): a length within the buffer");
      return nullptr;
    }
    napi_get_boolean(env, b->socket->WriteBytes(b->data, n), &result);
    return result;
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

  // setSpin(boundNs[, watchLoad]): the busy-poll's bound after a reply (0 turns it off), and
  // whether a yield given away or a wait for the CPU stop it (true unless said; tests that
  // must not depend on the machine's load turn it off).
  Napi::Value SetSpin(const Napi::CallbackInfo &info) {
    if (info.Length() < 1 || !info[0].IsNumber() || (info.Length() > 1 && !info[1].IsBoolean())) {
      Napi::TypeError::New(info.Env(), "setSpin(boundNs[, watchLoad])")
          .ThrowAsJavaScriptException();
      return info.Env().Undefined();
    }
    double ns = info[0].As<Napi::Number>().DoubleValue();
    spin_bound_ns_ = ns > 0 ? static_cast<uint64_t>(ns) : 0;
    if (info.Length() > 1) watch_load_ = info[1].As<Napi::Boolean>().Value();
    if (spin_bound_ns_ == 0) StopSpin();
    // A spin under way ends at the new bound.
    if (spinning_) spin_until_ = replied_at_ + spin_bound_ns_;
    return info.Env().Undefined();
  }

  // spinStats() -> { spins, caught, timedOut, yielded, spinning }: spins started, requests that
  // arrived during one, spins that ended at their bound, spins that ended because a yield gave
  // the CPU away, and whether one is under way.
  Napi::Value SpinStats(const Napi::CallbackInfo &info) {
    Napi::Object o = Napi::Object::New(info.Env());
    o.Set("spins", Napi::Number::New(info.Env(), static_cast<double>(spins_)));
    o.Set("caught", Napi::Number::New(info.Env(), static_cast<double>(caught_)));
    o.Set("timedOut", Napi::Number::New(info.Env(), static_cast<double>(timed_out_)));
    o.Set("yielded", Napi::Number::New(info.Env(), static_cast<double>(yielded_)));
    o.Set("spinning", Napi::Boolean::New(info.Env(), spinning_));
    return o;
  }

  // A reply went out whole: spin for the client's next request if it has been quick.
  void Replied() {
    replied_at_ = uv_hrtime();
    if (spin_bound_ns_ == 0 || !reading_ || idle_ == nullptr) return;
    if (last_gap_ns_ > spin_bound_ns_ || Contended(replied_at_)) return;
    if (skip_ > 0) {
      skip_--;
      return;
    }
    spin_until_ = replied_at_ + spin_bound_ns_;
    if (!spinning_) {
      spinning_ = true;
      spins_++;
      uv_idle_start(idle_, OnIdle);
    }
  }

  // Whether the loop's thread has lately waited for a CPU (kContendedDiv above).
  bool Contended(uint64_t now) {
    if (!watch_load_ || schedstat_fd_ < 0) return false;
    if (now - sampled_at_ < kSampleNs) return contended_;
    char buf[128];
    ssize_t n = pread(schedstat_fd_, buf, sizeof buf - 1, 0);
    if (n <= 0) return contended_;
    buf[n] = 0;
    // "time on the CPU, time waiting for it, timeslices", in ns.
    char *end = nullptr;
    strtoull(buf, &end, 10);
    uint64_t delay = strtoull(end, nullptr, 10);
    if (sampled_at_ != 0) contended_ = (delay - sampled_delay_) * kContendedDiv > now - sampled_at_;
    sampled_at_ = now;
    sampled_delay_ = delay;
    return contended_;
  }

  void StopSpin() {
    if (!spinning_) return;
    spinning_ = false;
    uv_idle_stop(idle_);
  }

  static void OnIdle(uv_idle_t *handle) {
    auto *self = static_cast<RspSocket *>(handle->data);
    if (self == nullptr) return;
    uint64_t now = uv_hrtime();
    if (now >= self->spin_until_) {
      self->timed_out_++;
      self->GiveUp();
      return;
    }
    (void)sched_yield(); // cannot fail on Linux (sched_yield(2))
    if (self->watch_load_ && uv_hrtime() - now > kYieldTakenNs) {
      self->yielded_++;
      self->GiveUp();
    }
  }

  // The spin ends without a request: the next replies sleep at once.
  void GiveUp() {
    StopSpin();
    backoff_ = std::min(kMaxBackoff, backoff_ == 0 ? 1 : 2 * backoff_);
    skip_ = backoff_;
  }

  Napi::Value Pause(const Napi::CallbackInfo &info) {
    reading_ = false;
    StopSpin();
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
    if (idle_ != nullptr) {
      uv_idle_stop(idle_);
      spinning_ = false;
      idle_->data = nullptr;
      uv_close(reinterpret_cast<uv_handle_t *>(idle_),
               [](uv_handle_t *h) { delete reinterpret_cast<uv_idle_t *>(h); });
      idle_ = nullptr;
    }
    if (poll_ != nullptr) {
      uv_poll_stop(poll_);
      poll_->data = nullptr;
      uv_close(reinterpret_cast<uv_handle_t *>(poll_),
               [](uv_handle_t *h) { delete reinterpret_cast<uv_poll_t *>(h); });
      poll_ = nullptr;
      poll_events_ = 0;
    }
    if (schedstat_fd_ >= 0) {
      close(schedstat_fd_);
      schedstat_fd_ = -1;
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
      // How long the client took to answer our last reply: whether to spin after the next one.
      uint64_t now = uv_hrtime();
      if (replied_at_ != 0) {
        last_gap_ns_ = now - replied_at_;
        replied_at_ = 0;
      }
      if (spinning_) {
        StopSpin();
        caught_++;
        backoff_ = 0;
        skip_ = 0;
      }
      Napi::HandleScope scope(env_);
      napi_value len;
      if (napi_create_uint32(env_, static_cast<uint32_t>(n), &len) != napi_ok) return;
      // No callback scope per read (napi_make_callback's async-context push and pop, scope
      // open and close: ~1k instructions a packet, bench/RESULTS.md session 16); onData drains
      // its microtasks and ticks itself, so nothing it queued waits for another callback.
      CallJs(env_, Value(), on_data_, 1, &len, false);
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
    StopSpin();
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
  // The busy-poll after a reply (kSpinBoundNs above).
  uv_idle_t *idle_ = nullptr;
  uint64_t spin_bound_ns_ = kSpinBoundNs;
  bool watch_load_ = true;
  bool spinning_ = false;
  uint64_t spin_until_ = 0;
  uint64_t replied_at_ = 0;           // the last reply, until the next request
  uint64_t last_gap_ns_ = UINT64_MAX; // reply -> next request, the last time
  uint32_t backoff_ = 0, skip_ = 0;
  uint64_t spins_ = 0, caught_ = 0, timed_out_ = 0, yielded_ = 0;
  int schedstat_fd_ = -1;
  uint64_t sampled_at_ = 0, sampled_delay_ = 0;
  bool contended_ = false;
};

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("RspSocket", RspSocket::Define(env));
  return exports;
}

} // namespace

NODE_API_MODULE(ntrace_sock, Init)
