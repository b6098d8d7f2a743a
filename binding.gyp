{
  "targets": [
    {
      "target_name": "ntrace_agent_blob",
      "type": "none",
      "actions": [
        {
          "action_name": "agent_blob",
          "inputs": [
            "native/agent/build.mjs",
            "native/agent/agent.c",
            "native/agent/agent.ld",
            "kmod/ntrace_ax.c",
            "kmod/ntrace_ax.h"
          ],
          "outputs": ["<(SHARED_INTERMEDIATE_DIR)/ntrace_agent_blob.h"],
          "action": ["node", "native/agent/build.mjs", "<@(_outputs)"]
        }
      ]
    },
    {
      "target_name": "ntrace",
      "dependencies": ["ntrace_agent_blob"],
      "sources": [
        "native/src/addon.cc",
        "native/src/channel.cc",
        "native/src/spawn.cc",
        "native/src/tracer.cc",
        "native/src/tracer_cmd.cc",
        "native/src/tracer_mem.cc",
        "native/src/tracer_proc.cc",
        "native/src/tracer_stop.cc",
        "native/src/tracer_cond.cc",
        "native/src/tracer_emul.cc",
        "native/src/tracer_agent.cc",
        "kmod/ntrace_ax.c",
        "kmod/ntrace_emul.c"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "kmod/include/uapi", "kmod", "<(SHARED_INTERMEDIATE_DIR)"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "_GNU_SOURCE"],
      "cflags_c": ["-std=gnu11", "-Wall", "-Wextra", "-Werror"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Werror", "-fno-exceptions", "-pthread"],
      "ldflags": ["-pthread"],
      "cflags!": ["-fno-exceptions"]
    },
    {
      "target_name": "ntrace_sock",
      "sources": ["native/src/rsp_socket.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Werror", "-fno-exceptions"],
      "cflags!": ["-fno-exceptions"]
    }
  ]
}
