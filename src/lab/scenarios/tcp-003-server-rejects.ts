import type { Scenario } from '../scenario.js';
import { SERVICES } from '../topology.js';

export const scenario: Scenario = {
  id: 'tcp-003-server-rejects',
  story: { en: "The server's own firewall rejects port 443 with ICMP port unreachable.", zh: '服务器自身防火墙以ICMP端口不可达拒绝443端口。' },
  expect: 'TCP-003',
  target: 'www.lab.test:443',
  args: ['--ca', '{ca}'],
  async inject(lab) {
    await lab.iptables('srv', `-A INPUT -d ${SERVICES.www.v4} -p tcp --dport 443 -j REJECT`);
    await lab.iptables('srv', `-A INPUT -d ${SERVICES.www.v6} -p tcp --dport 443 -j REJECT`, { v6: true });
  },
};
