import type { Scenario } from '../scenario.js';
import { SERVICES } from '../topology.js';

export const scenario: Scenario = {
  id: 'net-005-icmp-blocked-service-up',
  story: {
    en: 'The server drops ping but its HTTPS port is fine: ping is not a health check here (a warning, never a fault).',
    zh: '服务器丢弃ping但HTTPS端口正常：此处ping不能作为健康检查（只是警告，不是故障）。',
  },
  expect: 'ok',
  alsoExpect: ['NET-005'],
  target: 'www.lab.test:443',
  args: ['--ca', '{ca}'],
  async inject(lab) {
    await lab.iptables('srv', `-A INPUT -d ${SERVICES.www.v4} -p icmp --icmp-type echo-request -j DROP`);
    await lab.iptables('srv', `-A INPUT -d ${SERVICES.www.v6} -p icmpv6 --icmpv6-type echo-request -j DROP`, { v6: true });
  },
};
