import type { Scenario } from '../scenario.js';
import { SERVICES } from '../topology.js';

export const scenario: Scenario = {
  id: 'tcp-002-server-firewall-drops',
  story: { en: "The server's firewall silently drops SYNs to port 443; the host itself answers ping.", zh: '服务器防火墙静默丢弃发往443端口的SYN；主机本身可以ping通。' },
  expect: 'TCP-002',
  target: 'www.lab.test:443',
  args: ['--ca', '{ca}'],
  async inject(lab) {
    await lab.iptables('srv', `-A INPUT -d ${SERVICES.www.v4} -p tcp --dport 443 -j DROP`);
    await lab.iptables('srv', `-A INPUT -d ${SERVICES.www.v6} -p tcp --dport 443 -j DROP`, { v6: true });
  },
};
