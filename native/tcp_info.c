#include "tcp_info.h"
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/tcp.h>

int netdx_tcp_info(int fd, struct netdx_tcp_info *out) {
  struct tcp_info ti;
  memset(&ti, 0, sizeof ti);
  memset(out, 0, sizeof *out);
  socklen_t l = sizeof ti;
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &l) != 0) return errno;
  out->state = ti.tcpi_state;
  out->retransmits = ti.tcpi_retransmits;
  out->rtt_us = ti.tcpi_rtt;
  out->rttvar_us = ti.tcpi_rttvar;
  out->total_retrans = ti.tcpi_total_retrans;
  out->snd_mss = ti.tcpi_snd_mss;
  out->rcv_mss = ti.tcpi_rcv_mss;
  out->pmtu = ti.tcpi_pmtu;
  out->unacked = ti.tcpi_unacked;
  out->lost = ti.tcpi_lost;
  out->bytes_acked = ti.tcpi_bytes_acked;
  out->bytes_sent = ti.tcpi_bytes_sent;
  out->bytes_retrans = ti.tcpi_bytes_retrans;
  out->advmss = ti.tcpi_advmss;
  return 0;
}

int netdx_saved_syn(int fd, unsigned char *buf, unsigned int *len) {
  socklen_t l = *len;
  if (getsockopt(fd, IPPROTO_TCP, TCP_SAVED_SYN, buf, &l) != 0) return errno;
  *len = l;
  return 0;
}
