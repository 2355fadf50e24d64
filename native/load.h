/* The load generator's engine for plain TCP connects and HTTP/1.1 requests (no TLS): one epoll
 * loop on one thread, N connections in flight (closed loop) or launches at a fixed rate (open loop),
 * each attempt bounded by its timeout, every attempt recorded. No N-API here: netdx_raw.c runs it on
 * a thread of libuv's pool and turns the records into JavaScript. */
#ifndef NETDX_LOAD_H
#define NETDX_LOAD_H
#include <stdint.h>
#include <sys/socket.h>

#define NETDX_LOAD_TIMEOUT (-1)  /* the attempt's timeout passed */
#define NETDX_LOAD_CLOSED (-2)   /* the server closed before a status line */
#define NETDX_LOAD_NOT_HTTP (-3) /* the answer does not start with a status line */
#define NETDX_LOAD_STATUS (-4)   /* HTTP status >= 400 */

/* phase of an error: 1 connect, 2 first byte (the request's answer) */
struct netdx_load_rec {
  float connect_ms, first_ms, total_ms;
  int16_t status;
  int8_t phase;
  int32_t err; /* 0 ok, errno (> 0), or one of NETDX_LOAD_* */
};

struct netdx_load {
  /* in */
  struct sockaddr_storage addr;
  socklen_t alen;
  int http;
  char *req;
  size_t req_len;
  int conns;
  double rate; /* <= 0: closed loop */
  int64_t duration_ms;
  int timeout_ms;
  int64_t max_attempts;
  /* out */
  struct netdx_load_rec *recs;
  int64_t n, cap;
  int64_t missed;
  int setup_err;
  /* progress, read by the main thread while the run goes on */
  int64_t p_attempts, p_ok, p_failed, p_inflight;
  int abort;
};

/* Runs to the end of the duration (then lets the attempts in flight finish within their timeout). */
void netdx_load_run(struct netdx_load *l);
#endif
