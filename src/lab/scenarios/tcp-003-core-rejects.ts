import type { Scenario } from '../scenario.js';
import { SERVICES } from '../topology.js';

export const scenario: Scenario = {
  id: 'tcp-003-core-rejects',
  story: {
    en: 'A firewall on the core rejects connections to port 443 with ICMP administratively prohibited (ping to the server still works).',
    zh: '核心上的防火墙以ICMP“管理禁止”拒绝发往443端口的连接（ping服务器仍然正常）。',
  },
  expect: 'TCP-003',
  target: 'www.lab.test:443',
  args: ['--ca', '{ca}'],
  async inject(lab) {
    await lab.iptables('core', `-A FORWARD -d ${SERVICES.www.v4} -p tcp --dport 443 -j REJECT --reject-with icmp-admin-prohibited`);
    await lab.iptables('core', `-A FORWARD -d ${SERVICES.www.v6} -p tcp --dport 443 -j REJECT --reject-with icmp6-adm-prohibited`, { v6: true });
  },
};
