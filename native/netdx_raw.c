/*
 * netdx_raw: thin, non-blocking socket primitives for netdx (raw ICMP/UDP/TCP sockets,
 * IP_RECVERR error queues, TCP_INFO) plus a libuv poll watcher so that JavaScript is told
 * when a descriptor is readable or writable. All packet building, parsing, matching and
 * timing lives in TypeScript (src/native/); this file only wraps system calls.
 *
 * Every function validates its arguments, never blocks (sockets are SOCK_NONBLOCK), retries
 * on EINTR, and closes what it opened on every error path.
 */
#define _GNU_SOURCE
#include <node_api.h>
#include <uv.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/errqueue.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <poll.h>
#include "tcp_info.h"
#include "load.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHECK(call)                                                     \
  do {                                                                  \
    if ((call) != napi_ok) {                                            \
      napi_throw_error(env, "ENAPI", "netdx_raw: N-API call failed");   \
      return NULL;                                                      \
    }                                                                   \
  } while (0)

#define MAX_PACKET 65536

/* ── helpers ─────────────────────────────────────────────────────────── */

/* The errno's name ("ECONNREFUSED"): strerrorname_np needs glibc >= 2.32; elsewhere (older glibc,
 * musl) the names netdx's probes tell apart, and "EUNKNOWN" for the rest. */
static const char *errno_name(int e) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
  const char *n = strerrorname_np(e);
  if (n) return n;
#endif
  switch (e) {
#define NAME(x) case x: return #x;
    NAME(EPERM) NAME(ENOENT) NAME(EINTR) NAME(EBADF) NAME(EAGAIN) NAME(ENOMEM) NAME(EACCES) NAME(EFAULT) NAME(EEXIST)
    NAME(EINVAL) NAME(EMFILE) NAME(ENFILE) NAME(ENOTSOCK) NAME(EDESTADDRREQ) NAME(EMSGSIZE) NAME(EPROTOTYPE)
    NAME(ENOPROTOOPT) NAME(EPROTONOSUPPORT) NAME(EOPNOTSUPP) NAME(EAFNOSUPPORT) NAME(EADDRINUSE) NAME(EADDRNOTAVAIL)
    NAME(ENETDOWN) NAME(ENETUNREACH) NAME(ENETRESET) NAME(ECONNABORTED) NAME(ECONNRESET) NAME(ENOBUFS) NAME(EISCONN)
    NAME(ENOTCONN) NAME(ETIMEDOUT) NAME(ECONNREFUSED) NAME(EHOSTDOWN) NAME(EHOSTUNREACH) NAME(EALREADY)
    NAME(EINPROGRESS) NAME(EPIPE) NAME(ENODEV) NAME(ENXIO) NAME(EPROTO) NAME(ENONET)
#undef NAME
    default: return "EUNKNOWN";
  }
}

static napi_value throw_errno(napi_env env, const char *what, int e) {
  char msg[160];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(e));
  napi_throw_error(env, errno_name(e), msg);
  return NULL;
}

static napi_value make_string(napi_env env, const char *s) {
  napi_value v;
  if (napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v) != napi_ok) return NULL;
  return v;
}

static napi_value make_int(napi_env env, int64_t n) {
  napi_value v;
  if (napi_create_int64(env, n, &v) != napi_ok) return NULL;
  return v;
}

static void set_prop(napi_env env, napi_value obj, const char *key, napi_value v) {
  if (v) napi_set_named_property(env, obj, key, v);
}

static int get_int(napi_env env, napi_value v, int64_t *out) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_number) return -1;
  return napi_get_value_int64(env, v, out) == napi_ok ? 0 : -1;
}

static int get_fd(napi_env env, napi_value v, int *fd) {
  int64_t n;
  if (get_int(env, v, &n) != 0 || n < 0 || n > 1 << 24) return -1;
  *fd = (int)n;
  return 0;
}

/* Parses an IPv4 or IPv6 literal (a scoped one too: "fe80::1%eth0", "fe80::1%2") + port into a
 * sockaddr, with getaddrinfo(AI_NUMERICHOST): never a DNS lookup; the scope becomes sin6_scope_id
 * (if_nametoindex for a name). Returns its length, 0 on error. */
static socklen_t parse_addr(napi_env env, napi_value addr, napi_value port, struct sockaddr_storage *ss) {
  char buf[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
  size_t len = 0;
  int64_t p = 0;
  if (napi_get_value_string_utf8(env, addr, buf, sizeof buf, &len) != napi_ok || len == 0 || len >= sizeof buf - 1) return 0;
  if (port && (get_int(env, port, &p) != 0 || p < 0 || p > 65535)) return 0;
  memset(ss, 0, sizeof *ss);
  struct addrinfo hints, *res = NULL;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_flags = AI_NUMERICHOST;
  if (getaddrinfo(buf, NULL, &hints, &res) != 0 || !res) return 0;
  socklen_t out = 0;
  if (res->ai_family == AF_INET && res->ai_addrlen <= sizeof *ss) {
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    ((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)p);
    out = sizeof(struct sockaddr_in);
  } else if (res->ai_family == AF_INET6 && res->ai_addrlen <= sizeof *ss) {
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
    s6->sin6_port = htons((uint16_t)p);
    /* A scope name getaddrinfo did not turn into an index (some libcs): look it up. */
    const char *pct = strchr(buf, '%');
    if (pct && s6->sin6_scope_id == 0) s6->sin6_scope_id = if_nametoindex(pct + 1);
    out = (pct && s6->sin6_scope_id == 0) ? 0 : sizeof(struct sockaddr_in6);
  }
  freeaddrinfo(res);
  return out;
}

/* Address text and port of a sockaddr into obj.address / obj.port. */
static void set_addr(napi_env env, napi_value obj, const struct sockaddr *sa, const char *akey, const char *pkey) {
  char buf[INET6_ADDRSTRLEN] = "";
  int port = -1;
  if (sa->sa_family == AF_INET) {
    const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
    inet_ntop(AF_INET, &s4->sin_addr, buf, sizeof buf);
    port = ntohs(s4->sin_port);
  } else if (sa->sa_family == AF_INET6) {
    const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
    inet_ntop(AF_INET6, &s6->sin6_addr, buf, sizeof buf);
    port = ntohs(s6->sin6_port);
  } else {
    return;
  }
  set_prop(env, obj, akey, make_string(env, buf));
  if (pkey) set_prop(env, obj, pkey, make_int(env, port));
}

/* ── socket(family, type, protocol) → fd ─────────────────────────────── */
static napi_value js_socket(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int64_t fam, type, proto;
  if (argc < 3 || get_int(env, argv[0], &fam) || get_int(env, argv[1], &type) || get_int(env, argv[2], &proto)) {
    napi_throw_type_error(env, NULL, "socket(family, type, protocol)");
    return NULL;
  }
  int fd = socket((int)fam, (int)type | SOCK_NONBLOCK | SOCK_CLOEXEC, (int)proto);
  if (fd < 0) return throw_errno(env, "socket", errno);
  return make_int(env, fd);
}

/* ── setsockopt(fd, level, name, value:int) ──────────────────────────── */
static napi_value js_setsockopt(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int fd;
  int64_t level, name, value;
  if (argc < 4 || get_fd(env, argv[0], &fd) || get_int(env, argv[1], &level) || get_int(env, argv[2], &name) || get_int(env, argv[3], &value)) {
    napi_throw_type_error(env, NULL, "setsockopt(fd, level, name, value)");
    return NULL;
  }
  int v = (int)value;
  if (setsockopt(fd, (int)level, (int)name, &v, sizeof v) != 0) return throw_errno(env, "setsockopt", errno);
  return NULL;
}

/* ── bind(fd, address, port) ─────────────────────────────────────────── */
static napi_value js_bind(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int fd;
  struct sockaddr_storage ss;
  socklen_t sl;
  if (argc < 3 || get_fd(env, argv[0], &fd) || !(sl = parse_addr(env, argv[1], argv[2], &ss))) {
    napi_throw_type_error(env, NULL, "bind(fd, address, port)");
    return NULL;
  }
  if (bind(fd, (struct sockaddr *)&ss, sl) != 0) return throw_errno(env, "bind", errno);
  return NULL;
}

/* ── connect(fd, address, port) → '' | errno name (EINPROGRESS while pending) ── */
static napi_value js_connect(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int fd;
  struct sockaddr_storage ss;
  socklen_t sl;
  if (argc < 3 || get_fd(env, argv[0], &fd) || !(sl = parse_addr(env, argv[1], argv[2], &ss))) {
    napi_throw_type_error(env, NULL, "connect(fd, address, port)");
    return NULL;
  }
  int r;
  do r = connect(fd, (struct sockaddr *)&ss, sl);
  while (r != 0 && errno == EINTR);
  return make_string(env, r == 0 ? "" : errno_name(errno));
}

/* Sets the TTL/hop limit and the DF behaviour of a socket (-1: leave as is). */
static int set_ttl_df(int fd, int family, int64_t ttl, int64_t df) {
  if (ttl >= 0) {
    int v = (int)ttl;
    if (family == AF_INET6 ? setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &v, sizeof v) : setsockopt(fd, IPPROTO_IP, IP_TTL, &v, sizeof v)) return errno;
  }
  if (df >= 0) {
    /* df=1: set DF and ignore the cached path MTU (probe); df=0: let the kernel fragment. */
    int v = df ? IP_PMTUDISC_PROBE : IP_PMTUDISC_DONT;
    if (family == AF_INET6) {
      int v6 = df ? IPV6_PMTUDISC_PROBE : IPV6_PMTUDISC_DONT;
      int dontfrag = df ? 1 : 0;
      if (setsockopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &v6, sizeof v6)) return errno;
      if (setsockopt(fd, IPPROTO_IPV6, IPV6_DONTFRAG, &dontfrag, sizeof dontfrag)) return errno;
    } else if (setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &v, sizeof v)) {
      return errno;
    }
  }
  return 0;
}

/* ── sendto(fd, buffer, address, port, ttl, df) → bytes sent | errno name ──
 * A pending asynchronous socket error (an ICMP error for an earlier probe) is cleared first,
 * so it is not reported as this send's failure. */
static napi_value js_sendto(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int fd;
  struct sockaddr_storage ss;
  socklen_t sl;
  int64_t ttl = -1, df = -1;
  void *data = NULL;
  size_t len = 0;
  bool isbuf = false;
  if (argc < 6 || get_fd(env, argv[0], &fd) || napi_is_buffer(env, argv[1], &isbuf) != napi_ok || !isbuf ||
      !(sl = parse_addr(env, argv[2], argv[3], &ss)) || get_int(env, argv[4], &ttl) || get_int(env, argv[5], &df) || ttl > 255) {
    napi_throw_type_error(env, NULL, "sendto(fd, buffer, address, port, ttl, df)");
    return NULL;
  }
  CHECK(napi_get_buffer_info(env, argv[1], &data, &len));
  int pending = 0;
  socklen_t pl = sizeof pending;
  getsockopt(fd, SOL_SOCKET, SO_ERROR, &pending, &pl);
  int e = set_ttl_df(fd, ss.ss_family, ttl, df);
  if (e) return make_string(env, errno_name(e));
  ssize_t n;
  do n = sendto(fd, data, len, 0, (struct sockaddr *)&ss, sl);
  while (n < 0 && errno == EINTR);
  if (n < 0) return make_string(env, errno_name(errno));
  return make_int(env, n);
}

/* ── send(fd, buffer) → bytes sent | errno name (connected sockets) ───── */
static napi_value js_send(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int fd;
  void *data = NULL;
  size_t len = 0;
  bool isbuf = false;
  if (argc < 2 || get_fd(env, argv[0], &fd) || napi_is_buffer(env, argv[1], &isbuf) != napi_ok || !isbuf) {
    napi_throw_type_error(env, NULL, "send(fd, buffer)");
    return NULL;
  }
  CHECK(napi_get_buffer_info(env, argv[1], &data, &len));
  ssize_t n;
  do n = send(fd, data, len, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n < 0) return make_string(env, errno_name(errno));
  return make_int(env, n);
}

/* ── recv(fd, errqueue:boolean) → null (nothing queued) | {errno} | {data, address, port, ttl, ee?} ── */
static napi_value js_recv(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int fd;
  bool errq = false;
  if (argc < 2 || get_fd(env, argv[0], &fd) || napi_get_value_bool(env, argv[1], &errq) != napi_ok) {
    napi_throw_type_error(env, NULL, "recv(fd, errqueue)");
    return NULL;
  }
  static unsigned char buf[MAX_PACKET];
  unsigned char control[512];
  struct sockaddr_storage from;
  struct iovec iov = {buf, sizeof buf};
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  memset(&from, 0, sizeof from);
  msg.msg_name = &from;
  msg.msg_namelen = sizeof from;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  do n = recvmsg(fd, &msg, MSG_DONTWAIT | (errq ? MSG_ERRQUEUE : 0));
  while (n < 0 && errno == EINTR);
  napi_value out;
  CHECK(napi_create_object(env, &out));
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      napi_value nul;
      CHECK(napi_get_null(env, &nul));
      return nul;
    }
    set_prop(env, out, "errno", make_string(env, errno_name(errno)));
    return out;
  }
  size_t len = (size_t)n > sizeof buf ? sizeof buf : (size_t)n;
  napi_value data;
  void *copy;
  CHECK(napi_create_buffer_copy(env, len, buf, &copy, &data));
  set_prop(env, out, "data", data);
  set_prop(env, out, "truncated", NULL);
  if (msg.msg_flags & MSG_TRUNC) {
    napi_value t;
    CHECK(napi_get_boolean(env, true, &t));
    set_prop(env, out, "truncated", t);
  }
  if (msg.msg_namelen > 0) set_addr(env, out, (struct sockaddr *)&from, "address", "port");
  int ttl = -1;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS && c->cmsg_len >= CMSG_LEN(sizeof(struct timespec))) {
      /* SO_TIMESTAMPNS: when the kernel received the packet (CLOCK_REALTIME). Its age now, so that
         the caller can place the arrival on its own monotonic clock: a packet that waited in the
         socket while the event loop was busy keeps its true receive time. */
      struct timespec rx, now;
      memcpy(&rx, CMSG_DATA(c), sizeof rx);
      if (clock_gettime(CLOCK_REALTIME, &now) == 0) {
        double age = (double)(now.tv_sec - rx.tv_sec) * 1e3 + (double)(now.tv_nsec - rx.tv_nsec) / 1e6;
        napi_value a;
        CHECK(napi_create_double(env, age < 0 ? 0 : age, &a));
        set_prop(env, out, "ageMs", a);
      }
    } else if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) || (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT)) {
      if (c->cmsg_len >= CMSG_LEN(sizeof(int))) memcpy(&ttl, CMSG_DATA(c), sizeof ttl);
    } else if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) || (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR)) {
      if (c->cmsg_len < CMSG_LEN(sizeof(struct sock_extended_err))) continue;
      struct sock_extended_err ee;
      memcpy(&ee, CMSG_DATA(c), sizeof ee);
      napi_value e;
      CHECK(napi_create_object(env, &e));
      set_prop(env, e, "errno", make_string(env, errno_name((int)ee.ee_errno)));
      set_prop(env, e, "origin", make_int(env, ee.ee_origin));
      set_prop(env, e, "type", make_int(env, ee.ee_type));
      set_prop(env, e, "code", make_int(env, ee.ee_code));
      set_prop(env, e, "info", make_int(env, ee.ee_info));
      /* The offender address follows the structure inside the same cmsg. */
      size_t avail = c->cmsg_len - CMSG_LEN(sizeof(struct sock_extended_err));
      struct sockaddr *off = SO_EE_OFFENDER((struct sock_extended_err *)CMSG_DATA(c));
      if (avail >= sizeof(sa_family_t)) {
        if ((off->sa_family == AF_INET && avail >= sizeof(struct sockaddr_in)) || (off->sa_family == AF_INET6 && avail >= sizeof(struct sockaddr_in6)))
          set_addr(env, e, off, "offender", NULL);
      }
      set_prop(env, out, "ee", e);
    }
  }
  set_prop(env, out, "ttl", make_int(env, ttl));
  return out;
}

/* ── spawn(file, argv[], env[]) → { pid, pidfd } | errno name ──────────────────
 * posix_spawnp: the child is made with vfork semantics (no copy of this process's page tables),
 * which node's fork-based spawn costs the main thread ~7 ms on a small VM. The child gets its own
 * process group (killed as a group), the default signal dispositions and an empty signal mask, and
 * /dev/null as stdin, stdout and stderr. `pidfd` (pidfd_open, Linux >= 5.3) becomes readable when
 * the child exits, -1 where the kernel has none (poll with reap() then). Reap the child with reap(). */
static int get_string_array(napi_env env, napi_value arr, char ***out) {
  bool is = false;
  uint32_t n = 0;
  if (napi_is_array(env, arr, &is) != napi_ok || !is || napi_get_array_length(env, arr, &n) != napi_ok || n > 4096) return -1;
  char **v = calloc((size_t)n + 1, sizeof *v);
  if (!v) return -1;
  for (uint32_t i = 0; i < n; i++) {
    napi_value e;
    size_t len = 0;
    if (napi_get_element(env, arr, i, &e) != napi_ok || napi_get_value_string_utf8(env, e, NULL, 0, &len) != napi_ok || !(v[i] = malloc(len + 1)) ||
        napi_get_value_string_utf8(env, e, v[i], len + 1, &len) != napi_ok) {
      for (uint32_t j = 0; j <= i; j++) free(v[j]);
      free(v);
      return -1;
    }
  }
  *out = v;
  return 0;
}

static void free_string_array(char **v) {
  if (!v) return;
  for (char **p = v; *p; p++) free(*p);
  free(v);
}

static napi_value js_spawn(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char file[PATH_MAX];
  size_t flen = 0;
  char **args = NULL, **envp = NULL;
  if (argc < 3 || napi_get_value_string_utf8(env, argv[0], file, sizeof file, &flen) != napi_ok || flen == 0 || flen >= sizeof file - 1 ||
      get_string_array(env, argv[1], &args) != 0 || get_string_array(env, argv[2], &envp) != 0 || !args[0]) {
    free_string_array(args);
    free_string_array(envp);
    napi_throw_type_error(env, NULL, "spawn(file, argv, env)");
    return NULL;
  }
  posix_spawnattr_t attr;
  posix_spawn_file_actions_t fa;
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  pid_t pid = 0;
  int r = posix_spawnattr_init(&attr);
  if (r == 0) {
    r = posix_spawn_file_actions_init(&fa);
    if (r == 0) {
      posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
      posix_spawnattr_setpgroup(&attr, 0);
      posix_spawnattr_setsigmask(&attr, &none);
      posix_spawnattr_setsigdefault(&attr, &all);
      for (int fd = 0; fd < 3; fd++) posix_spawn_file_actions_addopen(&fa, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0);
      r = posix_spawnp(&pid, file, &fa, &attr, args, envp);
      posix_spawn_file_actions_destroy(&fa);
    }
    posix_spawnattr_destroy(&attr);
  }
  free_string_array(args);
  free_string_array(envp);
  if (r != 0) return make_string(env, errno_name(r));
  int pidfd = -1;
#ifdef SYS_pidfd_open
  pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
  if (pidfd >= 0) fcntl(pidfd, F_SETFD, FD_CLOEXEC);
#endif
  napi_value out;
  CHECK(napi_create_object(env, &out));
  set_prop(env, out, "pid", make_int(env, pid));
  set_prop(env, out, "pidfd", make_int(env, pidfd < 0 ? -1 : pidfd));
  return out;
}

/* ── reap(pid) → null while it runs | { code, signal } once it has exited (waitpid WNOHANG) ── */
static napi_value js_reap(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int64_t pid;
  if (argc < 1 || get_int(env, argv[0], &pid) != 0 || pid <= 0 || pid > INT32_MAX) {
    napi_throw_type_error(env, NULL, "reap(pid)");
    return NULL;
  }
  int status = 0;
  pid_t r;
  do r = waitpid((pid_t)pid, &status, WNOHANG);
  while (r < 0 && errno == EINTR);
  if (r == 0) {
    napi_value nul;
    CHECK(napi_get_null(env, &nul));
    return nul;
  }
  if (r < 0) return throw_errno(env, "waitpid", errno);
  napi_value out, nul;
  CHECK(napi_create_object(env, &out));
  CHECK(napi_get_null(env, &nul));
  set_prop(env, out, "code", WIFEXITED(status) ? make_int(env, WEXITSTATUS(status)) : nul);
  set_prop(env, out, "signal", WIFSIGNALED(status) ? make_int(env, WTERMSIG(status)) : nul);
  return out;
}

/* ── soError(fd) → '' | errno name (reads and clears the pending error) ── */
static napi_value js_so_error(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int fd;
  if (argc < 1 || get_fd(env, argv[0], &fd)) {
    napi_throw_type_error(env, NULL, "soError(fd)");
    return NULL;
  }
  int e = 0;
  socklen_t l = sizeof e;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &l) != 0) e = errno;
  return make_string(env, e ? errno_name(e) : "");
}

/* ── tcpInfo(fd) → {state, rttUs, rttVarUs, retransmits, totalRetrans, sndMss, rcvMss, pmtu, unacked, lost, bytesAcked, bytesSent} ── */
static napi_value js_tcp_info(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int fd;
  if (argc < 1 || get_fd(env, argv[0], &fd)) {
    napi_throw_type_error(env, NULL, "tcpInfo(fd)");
    return NULL;
  }
  struct netdx_tcp_info ti;
  int e = netdx_tcp_info(fd, &ti);
  if (e) return throw_errno(env, "getsockopt(TCP_INFO)", e);
  napi_value o;
  CHECK(napi_create_object(env, &o));
  set_prop(env, o, "state", make_int(env, ti.state));
  set_prop(env, o, "rttUs", make_int(env, ti.rtt_us));
  set_prop(env, o, "rttVarUs", make_int(env, ti.rttvar_us));
  set_prop(env, o, "retransmits", make_int(env, ti.retransmits));
  set_prop(env, o, "totalRetrans", make_int(env, ti.total_retrans));
  set_prop(env, o, "sndMss", make_int(env, ti.snd_mss));
  set_prop(env, o, "rcvMss", make_int(env, ti.rcv_mss));
  set_prop(env, o, "pmtu", make_int(env, ti.pmtu));
  set_prop(env, o, "unacked", make_int(env, ti.unacked));
  set_prop(env, o, "lost", make_int(env, ti.lost));
  set_prop(env, o, "bytesAcked", make_int(env, (int64_t)ti.bytes_acked));
  set_prop(env, o, "bytesSent", make_int(env, (int64_t)ti.bytes_sent));
  set_prop(env, o, "bytesRetrans", make_int(env, (int64_t)ti.bytes_retrans));
  set_prop(env, o, "advMss", make_int(env, ti.advmss));
  return o;
}

/* ── savedSyn(fd) → Buffer (the SYN's IP + TCP headers) | null (none saved) | errno name ── */
static napi_value js_saved_syn(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int fd;
  if (argc < 1 || get_fd(env, argv[0], &fd)) {
    napi_throw_type_error(env, NULL, "savedSyn(fd)");
    return NULL;
  }
  unsigned char buf[512]; /* IPv6 header (40) + TCP header (at most 60) + extension headers */
  unsigned int len = sizeof buf;
  int e = netdx_saved_syn(fd, buf, &len);
  if (e) return make_string(env, errno_name(e));
  napi_value out;
  if (len == 0 || len > sizeof buf) {
    CHECK(napi_get_null(env, &out));
    return out;
  }
  void *data = NULL;
  CHECK(napi_create_buffer_copy(env, len, buf, &data, &out));
  return out;
}

/* ── sockname(fd) → {address, port} ───────────────────────────────────── */
static napi_value js_sockname(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int fd;
  if (argc < 1 || get_fd(env, argv[0], &fd)) {
    napi_throw_type_error(env, NULL, "sockname(fd)");
    return NULL;
  }
  struct sockaddr_storage ss;
  socklen_t l = sizeof ss;
  memset(&ss, 0, sizeof ss);
  if (getsockname(fd, (struct sockaddr *)&ss, &l) != 0) return throw_errno(env, "getsockname", errno);
  napi_value o;
  CHECK(napi_create_object(env, &o));
  set_addr(env, o, (struct sockaddr *)&ss, "address", "port");
  return o;
}

/* ── close(fd) ────────────────────────────────────────────────────────── */
static napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int fd;
  if (argc < 1 || get_fd(env, argv[0], &fd)) {
    napi_throw_type_error(env, NULL, "close(fd)");
    return NULL;
  }
  close(fd); /* never retried on EINTR: the descriptor is gone either way on Linux */
  return NULL;
}

/* ── watch(fd, events, callback(status, events)) → handle; unwatch(handle) ──
 * A libuv poll handle, unreferenced (it never keeps the process alive: the JavaScript timers
 * of pending probes do). The callback runs through napi_make_callback so promises settle. */
/* A watch: the poll handle and the JS handle object that owns it. The callback lives on the
 * handle object (property "cb") and the native side holds the object only weakly, so a handle the
 * caller drops without unwatch() is collected and its finalizer stops the poller. `refs` counts
 * the two owners of this memory: the poll handle (until libuv closed it) and the JS object. */
typedef struct {
  uv_poll_t poll;
  napi_env env;
  napi_ref self;
  napi_async_context actx;
  int stopped;
  int refs;
} watcher_t;

static void release(watcher_t *w) {
  if (--w->refs == 0) free(w);
}

static void on_closed(uv_handle_t *h) { release(h->data); }

/* Stops the poller once (unwatch, or the finalizer of a dropped handle). */
static void stop_watch(napi_env env, watcher_t *w) {
  if (w->stopped) return;
  w->stopped = 1;
  uv_poll_stop(&w->poll);
  napi_async_destroy(env, w->actx);
  uv_close((uv_handle_t *)&w->poll, on_closed);
}

static void finalize_watch(napi_env env, void *data, void *hint) {
  (void)hint;
  watcher_t *w = data;
  stop_watch(env, w);
  if (w->self) napi_delete_reference(env, w->self);
  w->self = NULL;
  release(w);
}

static void on_poll(uv_poll_t *p, int status, int events) {
  watcher_t *w = p->data;
  if (!w || w->stopped) return;
  napi_env env = w->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value self = NULL, cb = NULL, global, argv[2], result;
  if (napi_get_reference_value(env, w->self, &self) == napi_ok && self && napi_get_named_property(env, self, "cb", &cb) == napi_ok && napi_get_global(env, &global) == napi_ok &&
      napi_create_int32(env, status, &argv[0]) == napi_ok && napi_create_int32(env, events, &argv[1]) == napi_ok) {
    if (napi_make_callback(env, w->actx, global, cb, 2, argv, &result) != napi_ok) {
      bool pending = false;
      napi_value exc;
      if (napi_is_exception_pending(env, &pending) == napi_ok && pending && napi_get_and_clear_last_exception(env, &exc) == napi_ok)
        napi_fatal_exception(env, exc);
    }
  }
  napi_close_handle_scope(env, scope);
}

static napi_value js_watch(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int fd;
  int64_t events;
  napi_valuetype t = napi_undefined;
  if (argc < 3 || get_fd(env, argv[0], &fd) || get_int(env, argv[1], &events) || napi_typeof(env, argv[2], &t) != napi_ok || t != napi_function ||
      (events & ~(int64_t)(UV_READABLE | UV_WRITABLE)) || events == 0) {
    napi_throw_type_error(env, NULL, "watch(fd, events, callback)");
    return NULL;
  }
  uv_loop_t *loop;
  CHECK(napi_get_uv_event_loop(env, &loop));
  watcher_t *w = calloc(1, sizeof *w);
  if (!w) return throw_errno(env, "watch", ENOMEM);
  w->env = env;
  w->refs = 1; /* the poll handle's; the JS object's is added once it owns w */
  napi_value name = make_string(env, "netdx_raw.watch");
  napi_value handle;
  if (!name || napi_create_object(env, &handle) != napi_ok || napi_set_named_property(env, handle, "cb", argv[2]) != napi_ok) {
    free(w);
    napi_throw_error(env, "ENAPI", "watch: handle");
    return NULL;
  }
  if (napi_async_init(env, NULL, name, &w->actx) != napi_ok) {
    free(w);
    napi_throw_error(env, "ENAPI", "watch: async context");
    return NULL;
  }
  int r = uv_poll_init(loop, &w->poll, fd);
  if (r != 0) {
    napi_async_destroy(env, w->actx);
    free(w);
    return throw_errno(env, "uv_poll_init", -r);
  }
  w->poll.data = w;
  r = uv_poll_start(&w->poll, (int)events, on_poll);
  if (r != 0) {
    w->stopped = 1;
    napi_async_destroy(env, w->actx);
    uv_close((uv_handle_t *)&w->poll, on_closed);
    return throw_errno(env, "uv_poll_start", -r);
  }
  uv_unref((uv_handle_t *)&w->poll);
  if (napi_wrap(env, handle, w, finalize_watch, NULL, NULL) != napi_ok || napi_create_reference(env, handle, 0, &w->self) != napi_ok) {
    stop_watch(env, w);
    napi_throw_error(env, "ENAPI", "watch: wrap");
    return NULL;
  }
  w->refs++;
  return handle;
}

static napi_value js_unwatch(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  watcher_t *w = NULL;
  napi_valuetype t = napi_undefined;
  if (argc < 1 || napi_typeof(env, argv[0], &t) != napi_ok || t != napi_object || napi_unwrap(env, argv[0], (void **)&w) != napi_ok) {
    napi_throw_type_error(env, NULL, "unwatch(handle)");
    return NULL;
  }
  if (w) stop_watch(env, w); /* w itself is freed when the handle object is collected */
  return NULL;
}

/* ── sink: discard what a TCP socket receives, off the event loop ───────── */
/* The responder's throughput sink: on a thread of libuv's pool, recv(MSG_TRUNC) discards the data
 * in the kernel (no copy to user space, no buffer per read) until `want` bytes, EOF, an error or
 * `idle_ms` without data. The caller stops libuv reading the socket first. The thread works on a
 * dup() of the descriptor, so a socket closed meanwhile cannot hand it someone else's fd;
 * sinkAbortAll() ends every running sink within 100 ms (a server shutting down). */
static volatile int sink_generation = 0;

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  int fd;
  int64_t want;
  int64_t got;
  int idle_ms;
  int eof;
  int err;
  int generation;
} sink_t;

static void sink_execute(napi_env env, void *data) {
  sink_t *k = data;
  char scratch[16];
  int idle = 0;
  while (k->got < k->want) {
    if (__atomic_load_n(&sink_generation, __ATOMIC_RELAXED) != k->generation) {
      k->err = ECANCELED;
      return;
    }
    int64_t left = k->want - k->got;
    size_t ask = left > (1 << 24) ? (1 << 24) : (size_t)left;
    ssize_t n = recv(k->fd, scratch, ask, MSG_TRUNC | MSG_DONTWAIT);
    if (n > 0) {
      k->got += n;
      idle = 0;
      continue;
    }
    if (n == 0) {
      k->eof = 1;
      return;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      k->err = errno;
      return;
    }
    struct pollfd p = {.fd = k->fd, .events = POLLIN, .revents = 0};
    int r = poll(&p, 1, 100);
    if (r == 0 && (idle += 100) >= k->idle_ms) {
      k->err = ETIMEDOUT;
      return;
    }
    if (r < 0 && errno != EINTR) {
      k->err = errno;
      return;
    }
  }
}

static void sink_complete(napi_env env, napi_status status, void *data) {
  sink_t *k = data;
  napi_value o = NULL;
  if (napi_create_object(env, &o) == napi_ok) {
    set_prop(env, o, "received", make_int(env, k->got));
    napi_value eof;
    if (napi_get_boolean(env, k->eof != 0, &eof) == napi_ok) set_prop(env, o, "eof", eof);
    if (k->err) set_prop(env, o, "error", make_string(env, errno_name(k->err)));
    napi_resolve_deferred(env, k->deferred, o);
  }
  napi_delete_async_work(env, k->work);
  close(k->fd);
  free(k);
}

static napi_value js_sink(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int fd;
  int64_t want = 0;
  int32_t idle = 0;
  if (argc < 3 || get_fd(env, argv[0], &fd) || napi_get_value_int64(env, argv[1], &want) != napi_ok || want < 0 ||
      napi_get_value_int32(env, argv[2], &idle) != napi_ok || idle < 1) {
    napi_throw_type_error(env, NULL, "sink(fd, bytes >= 0, idleMs >= 1)");
    return NULL;
  }
  sink_t *k = calloc(1, sizeof *k);
  if (!k) return throw_errno(env, "sink", ENOMEM);
  k->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (k->fd < 0) {
    int e = errno;
    free(k);
    return throw_errno(env, "sink: dup", e);
  }
  k->generation = __atomic_load_n(&sink_generation, __ATOMIC_RELAXED);
  k->want = want;
  k->idle_ms = idle;
  napi_value promise, name;
  if (napi_create_promise(env, &k->deferred, &promise) != napi_ok || napi_create_string_utf8(env, "netdx_sink", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_async_work(env, NULL, name, sink_execute, sink_complete, k, &k->work) != napi_ok || napi_queue_async_work(env, k->work) != napi_ok) {
    close(k->fd);
    free(k);
    napi_throw_error(env, "ENAPI", "netdx_raw: could not start the sink");
    return NULL;
  }
  return promise;
}

static napi_value js_sink_abort_all(napi_env env, napi_callback_info info) {
  __atomic_add_fetch(&sink_generation, 1, __ATOMIC_RELAXED);
  return NULL;
}

/* ── load: the load generator's engine (native/load.c) on a pool thread ── */
/* loadStart(opts) → { handle, done: Promise<{ records: Float64Array, errors: string[], missed }> }
 * records: 6 numbers per attempt (connectMs, firstByteMs, totalMs (-1: none), status, phase,
 * error index + 1 into `errors` or 0). loadProgress(handle) → [attempts, ok, failed, inFlight];
 * loadAbort(handle) ends the launches (attempts in flight finish). The state is freed when both
 * the run and the handle are done with it. */
typedef struct {
  struct netdx_load l;
  napi_async_work work;
  napi_deferred deferred;
  int refs;
} load_job_t;

static void load_unref(load_job_t *j) {
  if (__atomic_sub_fetch(&j->refs, 1, __ATOMIC_ACQ_REL) == 0) {
    free(j->l.recs);
    free(j->l.req);
    free(j);
  }
}

static void load_execute(napi_env env, void *data) { netdx_load_run(&((load_job_t *)data)->l); }

static const char *load_err_name(int e) {
  switch (e) {
    case NETDX_LOAD_TIMEOUT: return "timeout";
    case NETDX_LOAD_CLOSED: return "closed";
    case NETDX_LOAD_NOT_HTTP: return "not-http";
    default: return errno_name(e);
  }
}

static void load_complete(napi_env env, napi_status status, void *data) {
  load_job_t *j = data;
  struct netdx_load *l = &j->l;
  napi_value o = NULL, ab = NULL, arr = NULL, errs = NULL;
  if (l->setup_err) {
    napi_value msg = make_string(env, strerror(l->setup_err)), err = NULL;
    napi_create_error(env, make_string(env, errno_name(l->setup_err)), msg, &err);
    napi_reject_deferred(env, j->deferred, err);
  } else {
    void *raw = NULL;
    size_t count = (size_t)l->n;
    int codes[64];
    int ncodes = 0;
    int ok = napi_create_object(env, &o) == napi_ok && napi_create_arraybuffer(env, count * 6 * sizeof(double), &raw, &ab) == napi_ok &&
             napi_create_typedarray(env, napi_float64_array, count * 6, ab, 0, &arr) == napi_ok && napi_create_array(env, &errs) == napi_ok;
    if (ok) {
      double *d = raw;
      for (size_t i = 0; i < count; i++) {
        const struct netdx_load_rec *r = &l->recs[i];
        int idx = 0;
        if (r->err == NETDX_LOAD_STATUS) {
          idx = -1; /* status-N: JS names it from the status */
        } else if (r->err) {
          for (int c = 0; c < ncodes; c++)
            if (codes[c] == r->err) idx = c + 1;
          if (!idx && ncodes < 64) {
            codes[ncodes] = r->err;
            napi_set_element(env, errs, (uint32_t)ncodes, make_string(env, load_err_name(r->err)));
            idx = ++ncodes;
          }
          if (!idx) idx = 1;
        }
        d[i * 6 + 0] = r->connect_ms;
        d[i * 6 + 1] = r->first_ms;
        d[i * 6 + 2] = r->total_ms;
        d[i * 6 + 3] = r->status;
        d[i * 6 + 4] = r->phase;
        d[i * 6 + 5] = idx;
      }
      set_prop(env, o, "records", arr);
      set_prop(env, o, "errors", errs);
      set_prop(env, o, "missed", make_int(env, l->missed));
      napi_resolve_deferred(env, j->deferred, o);
    } else {
      napi_value err = NULL;
      napi_create_error(env, make_string(env, "ENAPI"), make_string(env, "netdx_raw: could not return the load records"), &err);
      napi_reject_deferred(env, j->deferred, err);
    }
  }
  napi_delete_async_work(env, j->work);
  load_unref(j);
}

static void load_finalize(napi_env env, void *data, void *hint) { load_unref(data); }

static int get_named_int(napi_env env, napi_value obj, const char *key, int64_t *out) {
  napi_value v;
  if (napi_get_named_property(env, obj, key, &v) != napi_ok) return -1;
  return get_int(env, v, out);
}

static napi_value js_load_start(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  const char *usage = "loadStart({ address, port, http, request, connections, rate, durationMs, timeoutMs, maxAttempts })";
  napi_valuetype t = napi_undefined;
  if (argc < 1 || napi_typeof(env, argv[0], &t) != napi_ok || t != napi_object) {
    napi_throw_type_error(env, NULL, usage);
    return NULL;
  }
  napi_value o = argv[0], v;
  char addr[INET6_ADDRSTRLEN + 1];
  size_t alen = 0;
  int64_t port, http, conns, duration, timeout, maxAttempts;
  double rate = 0;
  void *req = NULL;
  size_t reqLen = 0;
  if (napi_get_named_property(env, o, "address", &v) != napi_ok || napi_get_value_string_utf8(env, v, addr, sizeof addr, &alen) != napi_ok ||
      get_named_int(env, o, "port", &port) || get_named_int(env, o, "http", &http) || get_named_int(env, o, "connections", &conns) ||
      get_named_int(env, o, "durationMs", &duration) || get_named_int(env, o, "timeoutMs", &timeout) || get_named_int(env, o, "maxAttempts", &maxAttempts) ||
      napi_get_named_property(env, o, "rate", &v) != napi_ok || napi_get_value_double(env, v, &rate) != napi_ok ||
      napi_get_named_property(env, o, "request", &v) != napi_ok || napi_get_buffer_info(env, v, &req, &reqLen) != napi_ok || port < 1 || port > 65535 ||
      conns < 1 || conns > 1000000 || duration < 0 || timeout < 1 || timeout > 3600000 || maxAttempts < 0) {
    napi_throw_type_error(env, NULL, usage);
    return NULL;
  }
  load_job_t *j = calloc(1, sizeof *j);
  if (!j) return throw_errno(env, "loadStart", ENOMEM);
  struct netdx_load *l = &j->l;
  struct sockaddr_in *a4 = (struct sockaddr_in *)&l->addr;
  struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&l->addr;
  if (inet_pton(AF_INET, addr, &a4->sin_addr) == 1) {
    a4->sin_family = AF_INET;
    a4->sin_port = htons((uint16_t)port);
    l->alen = sizeof *a4;
  } else if (inet_pton(AF_INET6, addr, &a6->sin6_addr) == 1) {
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons((uint16_t)port);
    l->alen = sizeof *a6;
  } else {
    free(j);
    napi_throw_type_error(env, NULL, "loadStart: address must be an IPv4 or IPv6 literal");
    return NULL;
  }
  l->http = http != 0;
  l->req = malloc(reqLen ? reqLen : 1);
  if (!l->req) {
    free(j);
    return throw_errno(env, "loadStart", ENOMEM);
  }
  memcpy(l->req, req, reqLen);
  l->req_len = reqLen;
  l->conns = (int)conns;
  l->rate = rate;
  l->duration_ms = duration;
  l->timeout_ms = (int)timeout;
  l->max_attempts = maxAttempts;
  j->refs = 2;
  napi_value promise, name, handle, out;
  if (napi_create_promise(env, &j->deferred, &promise) != napi_ok || napi_create_string_utf8(env, "netdx_load", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_async_work(env, NULL, name, load_execute, load_complete, j, &j->work) != napi_ok) {
    free(l->req);
    free(j);
    napi_throw_error(env, "ENAPI", "netdx_raw: could not start the load");
    return NULL;
  }
  if (napi_create_external(env, j, load_finalize, NULL, &handle) != napi_ok) {
    napi_delete_async_work(env, j->work);
    free(l->req);
    free(j);
    napi_throw_error(env, "ENAPI", "netdx_raw: could not start the load");
    return NULL;
  }
  if (napi_queue_async_work(env, j->work) != napi_ok) {
    /* the handle's finalizer holds one reference; drop the run's */
    napi_delete_async_work(env, j->work);
    load_unref(j);
    napi_throw_error(env, "ENAPI", "netdx_raw: could not start the load");
    return NULL;
  }
  CHECK(napi_create_object(env, &out));
  set_prop(env, out, "handle", handle);
  set_prop(env, out, "done", promise);
  return out;
}

static load_job_t *load_job_of(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  void *p = NULL;
  napi_valuetype t = napi_undefined;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 || napi_typeof(env, argv[0], &t) != napi_ok || t != napi_external ||
      napi_get_value_external(env, argv[0], &p) != napi_ok)
    return NULL;
  return p;
}

static napi_value js_load_progress(napi_env env, napi_callback_info info) {
  load_job_t *j = load_job_of(env, info);
  if (!j) {
    napi_throw_type_error(env, NULL, "loadProgress(handle)");
    return NULL;
  }
  napi_value a;
  CHECK(napi_create_array_with_length(env, 4, &a));
  int64_t v[4] = {__atomic_load_n(&j->l.p_attempts, __ATOMIC_RELAXED), __atomic_load_n(&j->l.p_ok, __ATOMIC_RELAXED), __atomic_load_n(&j->l.p_failed, __ATOMIC_RELAXED),
                  __atomic_load_n(&j->l.p_inflight, __ATOMIC_RELAXED)};
  for (uint32_t i = 0; i < 4; i++) napi_set_element(env, a, i, make_int(env, v[i]));
  return a;
}

static napi_value js_load_abort(napi_env env, napi_callback_info info) {
  load_job_t *j = load_job_of(env, info);
  if (!j) {
    napi_throw_type_error(env, NULL, "loadAbort(handle)");
    return NULL;
  }
  __atomic_store_n(&j->l.abort, 1, __ATOMIC_RELAXED);
  return NULL;
}

/* ── netlink(protocol, request, timeoutMs) → Buffer | errno name ─────────────
 * Sends one request to the kernel on a fresh netlink socket and returns the whole answer as one
 * Buffer: every message up to NLMSG_DONE, an NLMSG_ERROR, or the first message that is not part of
 * a multipart dump. The request's bytes (headers, attributes) are built and the answer decoded in
 * TypeScript (src/system/netlink.ts). The kernel answers within the send and each receive, so this
 * blocks for microseconds; each receive is still bounded by timeoutMs, and the answer by 64 MiB. */
#define NL_CHUNK (1 << 16)
#define NL_MAX (64u << 20)
static napi_value js_netlink(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int64_t proto, timeout;
  void *req = NULL;
  size_t reqlen = 0;
  bool isbuf = false;
  if (argc < 3 || get_int(env, argv[0], &proto) || proto < 0 || proto > 31 || napi_is_buffer(env, argv[1], &isbuf) != napi_ok || !isbuf ||
      get_int(env, argv[2], &timeout) || timeout < 1 || timeout > 60000) {
    napi_throw_type_error(env, NULL, "netlink(protocol 0-31, buffer, timeoutMs 1-60000)");
    return NULL;
  }
  CHECK(napi_get_buffer_info(env, argv[1], &req, &reqlen));
  if (reqlen < sizeof(struct nlmsghdr)) {
    napi_throw_type_error(env, NULL, "netlink: the request is shorter than a netlink header");
    return NULL;
  }
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, (int)proto);
  if (fd < 0) return make_string(env, errno_name(errno));
  struct timeval tv = {.tv_sec = timeout / 1000, .tv_usec = (timeout % 1000) * 1000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  ssize_t n;
  do n = sendto(fd, req, reqlen, 0, (struct sockaddr *)&kernel, sizeof kernel);
  while (n < 0 && errno == EINTR);
  if (n < 0) {
    int e = errno;
    close(fd);
    return make_string(env, errno_name(e));
  }
  size_t cap = NL_CHUNK * 2, len = 0;
  char *out = malloc(cap);
  const char *fail = out ? NULL : "ENOMEM";
  int done = 0;
  while (!fail && !done) {
    if (cap - len < NL_CHUNK) {
      if (cap >= NL_MAX) {
        fail = "EFBIG";
        break;
      }
      char *bigger = realloc(out, cap * 2);
      if (!bigger) {
        fail = "ENOMEM";
        break;
      }
      out = bigger;
      cap *= 2;
    }
    do n = recv(fd, out + len, NL_CHUNK, 0);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
      fail = errno == EAGAIN || errno == EWOULDBLOCK ? "ETIMEDOUT" : errno_name(errno);
      break;
    }
    if (n == 0) break;
    int rem = (int)n;
    for (struct nlmsghdr *h = (struct nlmsghdr *)(out + len); NLMSG_OK(h, rem); h = NLMSG_NEXT(h, rem)) {
      if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR || !(h->nlmsg_flags & NLM_F_MULTI)) done = 1;
    }
    len += (size_t)n;
  }
  close(fd);
  if (fail) {
    free(out);
    return make_string(env, fail);
  }
  napi_value buf;
  void *data;
  napi_status st = napi_create_buffer_copy(env, len, out, &data, &buf);
  free(out);
  CHECK(st);
  return buf;
}

/* ── module ───────────────────────────────────────────────────────────── */
static void def_const(napi_env env, napi_value obj, const char *name, int v) { set_prop(env, obj, name, make_int(env, v)); }

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor fns[] = {
      {"socket", NULL, js_socket, NULL, NULL, NULL, napi_default, NULL},
      {"setsockopt", NULL, js_setsockopt, NULL, NULL, NULL, napi_default, NULL},
      {"bind", NULL, js_bind, NULL, NULL, NULL, napi_default, NULL},
      {"connect", NULL, js_connect, NULL, NULL, NULL, napi_default, NULL},
      {"sendto", NULL, js_sendto, NULL, NULL, NULL, napi_default, NULL},
      {"send", NULL, js_send, NULL, NULL, NULL, napi_default, NULL},
      {"recv", NULL, js_recv, NULL, NULL, NULL, napi_default, NULL},
      {"soError", NULL, js_so_error, NULL, NULL, NULL, napi_default, NULL},
      {"spawn", NULL, js_spawn, NULL, NULL, NULL, napi_default, NULL},
      {"reap", NULL, js_reap, NULL, NULL, NULL, napi_default, NULL},
      {"tcpInfo", NULL, js_tcp_info, NULL, NULL, NULL, napi_default, NULL},
      {"savedSyn", NULL, js_saved_syn, NULL, NULL, NULL, napi_default, NULL},
      {"sockname", NULL, js_sockname, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, js_close, NULL, NULL, NULL, napi_default, NULL},
      {"watch", NULL, js_watch, NULL, NULL, NULL, napi_default, NULL},
      {"unwatch", NULL, js_unwatch, NULL, NULL, NULL, napi_default, NULL},
      {"sink", NULL, js_sink, NULL, NULL, NULL, napi_default, NULL},
      {"sinkAbortAll", NULL, js_sink_abort_all, NULL, NULL, NULL, napi_default, NULL},
      {"loadStart", NULL, js_load_start, NULL, NULL, NULL, napi_default, NULL},
      {"loadProgress", NULL, js_load_progress, NULL, NULL, NULL, napi_default, NULL},
      {"loadAbort", NULL, js_load_abort, NULL, NULL, NULL, napi_default, NULL},
      {"netlink", NULL, js_netlink, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof fns / sizeof fns[0], fns) != napi_ok) return NULL;
  napi_value c;
  if (napi_create_object(env, &c) != napi_ok) return NULL;
  def_const(env, c, "AF_INET", AF_INET);
  def_const(env, c, "AF_INET6", AF_INET6);
  def_const(env, c, "SOCK_STREAM", SOCK_STREAM);
  def_const(env, c, "SOCK_DGRAM", SOCK_DGRAM);
  def_const(env, c, "SOCK_RAW", SOCK_RAW);
  def_const(env, c, "IPPROTO_IP", IPPROTO_IP);
  def_const(env, c, "IPPROTO_IPV6", IPPROTO_IPV6);
  def_const(env, c, "IPPROTO_ICMP", IPPROTO_ICMP);
  def_const(env, c, "IPPROTO_ICMPV6", IPPROTO_ICMPV6);
  def_const(env, c, "IPPROTO_TCP", IPPROTO_TCP);
  def_const(env, c, "IPPROTO_UDP", IPPROTO_UDP);
  def_const(env, c, "SOL_SOCKET", SOL_SOCKET);
  def_const(env, c, "SO_RCVBUF", SO_RCVBUF);
  def_const(env, c, "SO_TIMESTAMPNS", SO_TIMESTAMPNS);
  def_const(env, c, "SO_REUSEADDR", SO_REUSEADDR);
  def_const(env, c, "IP_TTL", IP_TTL);
  def_const(env, c, "IP_RECVTTL", IP_RECVTTL);
  def_const(env, c, "IP_RECVERR", IP_RECVERR);
  def_const(env, c, "IP_MTU_DISCOVER", IP_MTU_DISCOVER);
  def_const(env, c, "IP_PMTUDISC_DO", IP_PMTUDISC_DO);
  def_const(env, c, "IP_PMTUDISC_PROBE", IP_PMTUDISC_PROBE);
  def_const(env, c, "IP_PMTUDISC_DONT", IP_PMTUDISC_DONT);
  def_const(env, c, "IPV6_RECVERR", IPV6_RECVERR);
  def_const(env, c, "IPV6_RECVHOPLIMIT", IPV6_RECVHOPLIMIT);
  def_const(env, c, "IPV6_UNICAST_HOPS", IPV6_UNICAST_HOPS);
  def_const(env, c, "TCP_SYNCNT", TCP_SYNCNT);
  def_const(env, c, "TCP_NODELAY", TCP_NODELAY);
  def_const(env, c, "TCP_MAXSEG", TCP_MAXSEG);
  def_const(env, c, "TCP_SAVE_SYN", NETDX_TCP_SAVE_SYN);
  def_const(env, c, "TCP_SAVED_SYN", NETDX_TCP_SAVED_SYN);
  def_const(env, c, "SO_EE_ORIGIN_ICMP", SO_EE_ORIGIN_ICMP);
  def_const(env, c, "SO_EE_ORIGIN_ICMP6", SO_EE_ORIGIN_ICMP6);
  def_const(env, c, "SO_EE_ORIGIN_LOCAL", SO_EE_ORIGIN_LOCAL);
  def_const(env, c, "UV_READABLE", UV_READABLE);
  def_const(env, c, "UV_WRITABLE", UV_WRITABLE);
  def_const(env, c, "NETLINK_ROUTE", NETLINK_ROUTE);
  set_prop(env, exports, "constants", c);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
