/* The fields of the kernel's struct tcp_info that netdx reads (kept apart: glibc's
 * <netinet/tcp.h>, pulled in by uv.h, carries an older struct of the same name). */
#ifndef NETDX_TCP_INFO_H
#define NETDX_TCP_INFO_H
#include <stdint.h>

struct netdx_tcp_info {
  uint32_t state, retransmits, rtt_us, rttvar_us, total_retrans, snd_mss, rcv_mss, pmtu, unacked, lost;
  uint64_t bytes_acked, bytes_sent, bytes_retrans;
};

/* 0 on success, else errno. Fields the running kernel does not report stay 0. */
int netdx_tcp_info(int fd, struct netdx_tcp_info *out);
#endif
