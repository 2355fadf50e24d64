import type { Scenario } from '../scenario.js';
import { SERVICES } from '../topology.js';

export const scenario: Scenario = {
  id: 'net-006-local-firewall-reject',
  story: { en: "The client's own firewall rejects traffic to the server's address (an old block list entry).", zh: '客户端本机防火墙拒绝发往服务器地址的流量（旧的黑名单条目）。' },
  expect: 'NET-006',
  offline: 'NET-006',
  target: '203.0.113.10:443',
  args: ['--ca', '{ca}', '--sni', 'www.lab.test'],
  async inject(lab) {
    await lab.iptables('client', `-A OUTPUT -d ${SERVICES.www.v4} -j REJECT --reject-with icmp-admin-prohibited`);
  },
};
