/* The fields of the kernel's struct tcp_info that netdx reads (kept apart: glibc's
 * <netinet/tcp.h>, pulled in by uv.h, carries an older struct of the same name). */
#ifndef NETDX_TCP_INFO_H
#define NETDX_TCP_INFO_H
#include <stdint.h>

struct netdx_tcp_info {
  uint32_t state, retransmits, rtt_us, rttvar_us, total_retrans, snd_mss, rcv_mss, pmtu, unacked, lost, advmss;
  uint64_t bytes_acked, bytes_sent, bytes_retrans;
};

/* 0 on success, else errno. Fields the running kernel does not report stay 0. */
int netdx_tcp_info(int fd, struct netdx_tcp_info *out);

/* The SYN that opened an accepted connection (IP + TCP headers), saved by the kernel when the
 * listener has TCP_SAVE_SYN; *len is in/out. 0 on success (*len 0: nothing saved), else errno. */
int netdx_saved_syn(int fd, unsigned char *buf, unsigned int *len);
#define NETDX_TCP_SAVE_SYN 27
#define NETDX_TCP_SAVED_SYN 28
#endif
