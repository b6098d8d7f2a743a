// Placeholder entry point; the engine lands with the ntrace engine issue.
#include <napi.h>

#include "ntrace.h"

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("abiVersion", Napi::Number::New(env, NTRACE_ABI_VERSION));
  return exports;
}

NODE_API_MODULE(ntrace, Init)
