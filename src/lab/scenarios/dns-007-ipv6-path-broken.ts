import type { Scenario } from '../scenario.js';

export const scenario: Scenario = {
  id: 'dns-007-ipv6-path-broken',
  story: { en: 'The name has an AAAA record and IPv6 is tried first, but the gateway stopped forwarding IPv6; IPv4 works.', zh: '域名有AAAA记录且优先尝试IPv6，但网关不再转发IPv6；IPv4正常。' },
  expect: 'DNS-007',
  target: 'www.lab.test:443',
  args: ['--ca', '{ca}'],
  async inject(lab) {
    await lab.iptables('gw', '-A FORWARD -j DROP', { v6: true });
  },
};
