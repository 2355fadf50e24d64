{
  "targets": [
    {
      "target_name": "netdx_raw",
      "sources": ["native/netdx_raw.c", "native/tcp_info.c", "native/load.c"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-Wno-unused-parameter", "-O2"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
