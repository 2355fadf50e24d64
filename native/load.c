#define _GNU_SOURCE
#include "load.h"
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#define MAX_BODY (1 << 20)

enum { IDLE = 0, CONNECTING, WRITING, READING };

struct slot {
  int fd;
  int state;
  double t0, t_connect, t_req;
  double deadline;
  size_t sent;
  int64_t body;
  int head_len;
  char head[16];
  struct netdx_load_rec rec;
};

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void record(struct netdx_load *l, const struct netdx_load_rec *r) {
  if (l->n == l->cap) {
    int64_t cap = l->cap ? l->cap * 2 : 4096;
    struct netdx_load_rec *p = realloc(l->recs, (size_t)cap * sizeof *p);
    if (!p) return; /* out of memory: the attempt is counted in progress, not kept */
    l->recs = p;
    l->cap = cap;
  }
  l->recs[l->n++] = *r;
}

static void finish(struct netdx_load *l, int ep, struct slot *s, int err, int phase) {
  double t = now_ms();
  s->rec.total_ms = (float)(t - s->t0);
  s->rec.err = err;
  s->rec.phase = (int8_t)(err ? phase : 0);
  if (s->fd >= 0) {
    epoll_ctl(ep, EPOLL_CTL_DEL, s->fd, NULL);
    close(s->fd);
  }
  s->fd = -1;
  s->state = IDLE;
  record(l, &s->rec);
  __atomic_sub_fetch(&l->p_inflight, 1, __ATOMIC_RELAXED);
  __atomic_add_fetch(err ? &l->p_failed : &l->p_ok, 1, __ATOMIC_RELAXED);
}

/* The status line's code from the first bytes ("HTTP/1.1 200"), 0 while too short, -1 when not HTTP. */
static int status_of(const char *h, int n) {
  if (n < 12) return 0;
  if (memcmp(h, "HTTP/", 5) != 0) return -1;
  const char *sp = memchr(h, ' ', (size_t)n);
  if (!sp || sp + 4 > h + n) return n >= 16 ? -1 : 0;
  if (sp[1] < '0' || sp[1] > '9' || sp[2] < '0' || sp[2] > '9' || sp[3] < '0' || sp[3] > '9') return -1;
  return (sp[1] - '0') * 100 + (sp[2] - '0') * 10 + (sp[3] - '0');
}

static void on_connected(struct netdx_load *l, int ep, struct slot *s);

static void write_request(struct netdx_load *l, int ep, struct slot *s) {
  while (s->sent < l->req_len) {
    ssize_t w = send(s->fd, l->req + s->sent, l->req_len - s->sent, MSG_NOSIGNAL);
    if (w > 0) {
      s->sent += (size_t)w;
      continue;
    }
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      struct epoll_event ev = {.events = EPOLLOUT, .data.ptr = s};
      epoll_ctl(ep, EPOLL_CTL_MOD, s->fd, &ev);
      s->state = WRITING;
      return;
    }
    finish(l, ep, s, w < 0 ? errno : EPIPE, 2);
    return;
  }
  struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = s};
  epoll_ctl(ep, EPOLL_CTL_MOD, s->fd, &ev);
  s->state = READING;
}

static void on_connected(struct netdx_load *l, int ep, struct slot *s) {
  s->t_connect = now_ms();
  s->rec.connect_ms = (float)(s->t_connect - s->t0);
  if (!l->http) {
    finish(l, ep, s, 0, 0);
    return;
  }
  s->t_req = s->t_connect;
  write_request(l, ep, s);
}

static void launch(struct netdx_load *l, int ep, struct slot *s) {
  memset(&s->rec, 0, sizeof s->rec);
  s->rec.connect_ms = s->rec.first_ms = -1;
  s->t0 = now_ms();
  s->deadline = s->t0 + l->timeout_ms;
  s->sent = 0;
  s->body = 0;
  s->head_len = 0;
  __atomic_add_fetch(&l->p_attempts, 1, __ATOMIC_RELAXED);
  __atomic_add_fetch(&l->p_inflight, 1, __ATOMIC_RELAXED);
  s->fd = socket(l->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (s->fd < 0) {
    finish(l, ep, s, errno, 1);
    return;
  }
  int one = 1;
  setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  int r;
  do r = connect(s->fd, (struct sockaddr *)&l->addr, l->alen);
  while (r < 0 && errno == EINTR);
  if (r < 0 && errno != EINPROGRESS) {
    finish(l, ep, s, errno, 1);
    return;
  }
  struct epoll_event ev = {.events = EPOLLOUT, .data.ptr = s};
  if (epoll_ctl(ep, EPOLL_CTL_ADD, s->fd, &ev) < 0) {
    finish(l, ep, s, errno, 1);
    return;
  }
  s->state = CONNECTING;
  if (r == 0) on_connected(l, ep, s);
}

static void on_readable(struct netdx_load *l, int ep, struct slot *s, char *buf, size_t cap) {
  for (;;) {
    ssize_t n = recv(s->fd, buf, cap, 0);
    if (n > 0) {
      if (s->rec.first_ms < 0) s->rec.first_ms = (float)(now_ms() - s->t_req);
      if (s->rec.status == 0) {
        int take = (int)n < 16 - s->head_len ? (int)n : 16 - s->head_len;
        memcpy(s->head + s->head_len, buf, (size_t)take);
        s->head_len += take;
        int st = status_of(s->head, s->head_len);
        if (st < 0) { finish(l, ep, s, NETDX_LOAD_NOT_HTTP, 2); return; }
        s->rec.status = (int16_t)st;
      }
      s->body += n;
      if (s->body > MAX_BODY) { finish(l, ep, s, s->rec.status >= 400 ? NETDX_LOAD_STATUS : 0, 2); return; }
      continue;
    }
    if (n == 0) { finish(l, ep, s, s->rec.status == 0 ? NETDX_LOAD_CLOSED : s->rec.status >= 400 ? NETDX_LOAD_STATUS : 0, 2); return; }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return;
    { finish(l, ep, s, errno, 2); return; }
  }
}

static void on_event(struct netdx_load *l, int ep, struct slot *s, uint32_t events, char *buf, size_t cap) {
  if (s->state == CONNECTING) {
    int err = 0;
    socklen_t el = sizeof err;
    if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0) err = errno;
    if (err) { finish(l, ep, s, err, 1); return; }
    if (!(events & EPOLLOUT)) return;
    { on_connected(l, ep, s); return; }
  }
  if (s->state == WRITING) { write_request(l, ep, s); return; }
  if (s->state == READING) { on_readable(l, ep, s, buf, cap); return; }
}

void netdx_load_run(struct netdx_load *l) {
  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) {
    l->setup_err = errno;
    return;
  }
  struct slot *slots = calloc((size_t)l->conns, sizeof *slots);
  struct epoll_event *evs = calloc((size_t)l->conns, sizeof *evs);
  char *buf = malloc(65536);
  if (!slots || !evs || !buf) {
    l->setup_err = ENOMEM;
    free(slots);
    free(evs);
    free(buf);
    close(ep);
    return;
  }
  for (int i = 0; i < l->conns; i++) slots[i].fd = -1;
  double t0 = now_ms();
  double end = t0 + (double)l->duration_ms;
  int64_t launched = 0;
  int inflight = 0;
  for (;;) {
    double t = now_ms();
    int ending = t >= end || __atomic_load_n(&l->abort, __ATOMIC_RELAXED) || launched >= l->max_attempts;
    if (!ending) {
      int64_t due = l->rate > 0 ? (int64_t)((t - t0) / 1000.0 * l->rate) + 1 : INT64_MAX;
      for (int i = 0; i < l->conns && launched < due && launched < l->max_attempts; i++) {
        if (slots[i].state != IDLE) continue;
        launched++;
        launch(l, ep, &slots[i]);
      }
      if (l->rate > 0 && launched < due) {
        /* every connection busy: the launches that were due are missed, not queued */
        l->missed += due - launched;
        launched = due;
      }
    }
    inflight = 0;
    double next = ending ? t + 1000 : (l->rate > 0 ? t + 1 : end);
    for (int i = 0; i < l->conns; i++) {
      struct slot *s = &slots[i];
      if (s->state == IDLE) continue;
      if (t >= s->deadline) {
        finish(l, ep, s, NETDX_LOAD_TIMEOUT, s->state == CONNECTING ? 1 : 2);
        continue;
      }
      inflight++;
      if (s->deadline < next) next = s->deadline;
    }
    if (ending && inflight == 0) break;
    int wait = (int)(next - t);
    if (wait < 0) wait = 0;
    if (!ending && t + wait > end) wait = (int)(end - t) + 1;
    if (wait > 100) wait = 100;
    int n = epoll_wait(ep, evs, l->conns, wait);
    for (int k = 0; k < n; k++) {
      struct slot *s = evs[k].data.ptr;
      if (s->state == IDLE) continue;
      on_event(l, ep, s, evs[k].events, buf, 65536);
    }
    /* closed loop: a finished slot is refilled at the top of the loop */
  }
  free(slots);
  free(evs);
  free(buf);
  close(ep);
}
