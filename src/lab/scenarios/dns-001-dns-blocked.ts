import type { Scenario } from '../scenario.js';

export const scenario: Scenario = {
  id: 'dns-001-dns-blocked',
  story: {
    en: "The company gateway blocks outbound DNS, and the client's resolv.conf names resolvers outside (the classic hard-coded public resolver): no resolver answers.",
    zh: '公司网关封锁了出站DNS，而客户端resolv.conf配置的是外部DNS（典型的写死公共DNS）：所有DNS服务器都无响应。',
  },
  expect: 'DNS-001',
  target: 'www.lab.test:443',
  args: ['--ca', '{ca}'],
  async inject(lab) {
    await lab.iptables('gw', '-A FORWARD -p udp --dport 53 -j DROP');
    await lab.iptables('gw', '-A FORWARD -p tcp --dport 53 -j DROP');
    await lab.iptables('gw', '-A FORWARD -p udp --dport 53 -j DROP', { v6: true });
  },
};
