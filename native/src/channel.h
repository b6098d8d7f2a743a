// Channel: the JavaScript side of an ntrace fd, whichever provider is behind it (/dev/ntrace,
// or the userspace engine's socketpair). Reads whole records on readability (uv_poll) and
// hands them to JS; writes with write(2), queueing on EAGAIN.
#pragma once

#include <napi.h>
#include <uv.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <set>
#include <vector>

#include "tracer.h"

namespace ntrace {

class Channel;
class HeldChild;

// Per-environment state (the addon may load in several worker threads).
struct AddonData {
  Napi::FunctionReference channel_ctor;
  std::set<Channel *> channels;
  std::set<HeldChild *> held; // composed launches whose child is not reaped yet
};

// An Error whose message names the errno and whose `code` is its name (ENOENT, ...).
Napi::Error ErrnoError(Napi::Env env, const char *what, int err);

class Channel : public Napi::ObjectWrap<Channel> {
public:
  static Napi::Function Define(Napi::Env env);
  explicit Channel(const Napi::CallbackInfo &info);
  ~Channel() override;

  // Env teardown: no JavaScript may run. Forgets the instance data, which dies next.
  void Shutdown();
  void ForgetAddonData() { data_ = nullptr; }

private:
  Napi::Value Start(const Napi::CallbackInfo &info);
  Napi::Value Write(const Napi::CallbackInfo &info);
  Napi::Value Close(const Napi::CallbackInfo &info);
  Napi::Value Fd(const Napi::CallbackInfo &info);
  Napi::Value SetReading(const Napi::CallbackInfo &info);

  static void OnPoll(uv_poll_t *handle, int status, int events);
  void Readable();
  int ReadInto(std::vector<uint8_t> &acc);
  void Writable();
  void UpdatePoll();
  void Deliver(std::vector<uint8_t> &data);
  void Fail(int err);

  Napi::Env env_;
  AddonData *data_ = nullptr;
  int fd_ = -1;
  uv_poll_t *poll_ = nullptr;
  int poll_events_ = 0;
  std::unique_ptr<Tracer> engine_;
  Napi::FunctionReference on_data_;
  Napi::FunctionReference on_end_;
  std::deque<std::vector<uint8_t>> queue_;
  std::vector<uint8_t> rbuf_;
  std::vector<uint8_t> acc_; // the records of one Readable(), reused
  bool is_socket_ = false;   // the userspace engine's socketpair (recvmmsg works)
  bool closed_ = false;
  bool reffed_ = false;
  bool reading_ = true;
};

} // namespace ntrace
