import type { Scenario } from '../scenario.js';

export const scenario: Scenario = {
  id: 'net-009-pmtu-blackhole',
  story: {
    en: "The gateway–core link has an MTU of 1400 and both routers filter ICMP 'fragmentation needed' / 'packet too big': small packets pass, the server's certificate flight never arrives.",
    zh: '网关与核心之间链路MTU为1400，且两端路由器都过滤了ICMP“需要分片”/“报文过大”：小包能过，服务器的证书报文永远到不了。',
  },
  expect: 'NET-009',
  target: 'www.lab.test:443',
  args: ['--ca', '{ca}'],
  async inject(lab) {
    await lab.ip('core', 'link set gw0 mtu 1400', 'link set gw0 mtu 1500');
    await lab.ip('gw', 'link set up0 mtu 1400', 'link set up0 mtu 1500');
    await lab.iptables('core', '-A OUTPUT -p icmp --icmp-type fragmentation-needed -j DROP');
    await lab.iptables('core', '-A OUTPUT -p icmpv6 --icmpv6-type packet-too-big -j DROP', { v6: true });
    await lab.iptables('gw', '-A OUTPUT -p icmp --icmp-type fragmentation-needed -j DROP');
    await lab.iptables('gw', '-A OUTPUT -p icmpv6 --icmpv6-type packet-too-big -j DROP', { v6: true });
  },
};
