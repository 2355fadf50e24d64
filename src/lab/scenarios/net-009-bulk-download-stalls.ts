import type { Scenario } from '../scenario.js';

export const scenario: Scenario = {
  id: 'net-009-bulk-download-stalls',
  story: {
    en: "Plain HTTP over the same MTU blackhole (gateway–core link at MTU 1400, 'fragmentation needed' filtered): the connect and the small request pass, the 256 KiB download never arrives.",
    zh: '同样的MTU黑洞下的普通HTTP（网关与核心之间链路MTU为1400，“需要分片”被过滤）：连接和小请求都能通过，256 KiB 的下载永远收不到。',
  },
  expect: 'NET-009',
  target: 'http://www.lab.test/download',
  async inject(lab) {
    await lab.ip('core', 'link set gw0 mtu 1400', 'link set gw0 mtu 1500');
    await lab.ip('gw', 'link set up0 mtu 1400', 'link set up0 mtu 1500');
    await lab.iptables('core', '-A OUTPUT -p icmp --icmp-type fragmentation-needed -j DROP');
    await lab.iptables('core', '-A OUTPUT -p icmpv6 --icmpv6-type packet-too-big -j DROP', { v6: true });
    await lab.iptables('gw', '-A OUTPUT -p icmp --icmp-type fragmentation-needed -j DROP');
    await lab.iptables('gw', '-A OUTPUT -p icmpv6 --icmpv6-type packet-too-big -j DROP', { v6: true });
  },
};
