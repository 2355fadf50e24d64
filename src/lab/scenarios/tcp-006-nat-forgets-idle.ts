import type { Scenario } from '../scenario.js';

export const scenario: Scenario = {
  id: 'tcp-006-nat-forgets-idle',
  story: {
    en: 'The gateway NAT forgets an idle TCP connection after 5 s (conntrack timeout), far below the keepalive interval: the next packet on it is dropped.',
    zh: '网关NAT在TCP连接空闲5秒后遗忘该连接（conntrack超时），远小于Keepalive间隔：之后的报文被丢弃。',
  },
  expect: 'TCP-006',
  target: 'hb.lab.test:7000',
  args: ['--idle', '20s'],
  async inject(lab) {
    await lab.sysctl('gw', 'net.netfilter.nf_conntrack_tcp_timeout_established', '5');
    await lab.sysctl('gw', 'net.netfilter.nf_conntrack_tcp_loose', '0');
    await lab.iptables('gw', '-A FORWARD -m conntrack --ctstate INVALID -j DROP');
    await lab.iptables('gw', '-A FORWARD -m conntrack --ctstate INVALID -j DROP', { v6: true });
  },
};
