// Addon entry: per-environment instance data (worker threads each get their own) and the
// Channel class. Environment teardown closes every channel, which joins its tracer thread.
#include <napi.h>

#include "channel.h"
#include "ntrace.h"
#include "spawn.h"

namespace {

void Cleanup(void *arg) {
  auto *data = static_cast<ntrace::AddonData *>(arg);
  std::set<ntrace::Channel *> live;
  live.swap(data->channels);
  for (ntrace::Channel *c : live) {
    c->ForgetAddonData();
    c->Shutdown();
  }
  std::set<ntrace::HeldChild *> held;
  held.swap(data->held);
  for (ntrace::HeldChild *h : held) {
    h->ForgetAddonData();
    h->Shutdown();
  }
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto *data = new ntrace::AddonData();
  Napi::Function ctor = ntrace::Channel::Define(env);
  data->channel_ctor = Napi::Persistent(ctor);
  env.SetInstanceData<ntrace::AddonData>(data);
  napi_add_env_cleanup_hook(env, Cleanup, data);
  exports.Set("Channel", ctor);
  exports.Set("HeldChild", ntrace::HeldChild::Define(env));
  exports.Set("abiVersion", Napi::Number::New(env, NTRACE_ABI_VERSION));
  exports.Set("device", Napi::String::New(env, NTRACE_DEVICE));
  return exports;
}

} // namespace

NODE_API_MODULE(ntrace, Init)
