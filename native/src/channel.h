// Channel: the JavaScript side of an ntrace session, whichever provider is behind it.
// - device: /dev/ntrace. Commands are written with write(2), which runs them; the replies are
//   read right after, and later records on readability (uv_poll).
// - user: the userspace engine, run by this thread. write() runs the commands in place; the
//   records they produce are returned at once, and later ones (a thread that stops while the
//   loop waits) come on SIGCHLD (uv_signal).
// Either way write() returns the records readable at once and onData gets the rest.
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
  Napi::Value ReadMemFn(const Napi::CallbackInfo &info);
  Napi::Value SyscallCounts(const Napi::CallbackInfo &info);
  static Napi::Value BoundReadMem(const Napi::CallbackInfo &info);
  Napi::Value ReadMemInto(const Napi::CallbackInfo &info, uint8_t *data, size_t size);

  static void OnPoll(uv_poll_t *handle, int status, int events);
  static void OnSigchld(uv_signal_t *handle, int signum);
  static void OnCheck(uv_check_t *handle);
  static void OnNudge(uv_async_t *handle);
  void Readable();
  int ReadInto(std::vector<uint8_t> &acc);
  void Writable();
  void UpdatePoll();
  void RunQueued();
  Napi::Value TakeRecords(Napi::Env env);
  void DeliverEngineOutput();
  void Deliver(std::vector<uint8_t> &data);
  void Fail(int err);
  void CloseHandles();

  Napi::Env env_;
  AddonData *data_ = nullptr;
  int fd_ = -1; // the device
  uv_poll_t *poll_ = nullptr;
  int poll_events_ = 0;
  std::unique_ptr<Tracer> engine_; // the userspace engine
  uv_signal_t *sigchld_ = nullptr;
  uv_check_t *check_ = nullptr; // one Poll per loop iteration, however many SIGCHLDs came
  uv_async_t *nudge_ = nullptr; // delivers the engine's held records after setReading(true)
  Napi::FunctionReference on_data_;
  Napi::FunctionReference on_end_;
  std::deque<std::vector<uint8_t>> queue_; // commands not written yet
  std::vector<uint8_t> rbuf_;
  std::vector<uint8_t> acc_; // the records of one read or one engine call, reused
  bool closed_ = false;
  bool reffed_ = false;
  bool reading_ = true;
};

} // namespace ntrace
