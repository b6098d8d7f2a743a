// The child half of every launch (the engine's LAUNCH and the composed one in spawn.cc), kept
// apart from the N-API headers so the tracer builds without them (bench/engine/abi-client.cc).
#pragma once

#include <cstdint>

namespace ntrace {

// Blocks on `go` until one byte arrives (EOF: _exit), resets signals, applies the
// NTRACE_LAUNCH_* flags and cwd, then execs; on failure writes errno to `err` and exits 127.
[[noreturn]] void ExecChild(int go, int err, const char *path, const char *cwd, char *const argv[],
                            char *const envp[], uint32_t flags);

} // namespace ntrace
