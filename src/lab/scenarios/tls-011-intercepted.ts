import type { Scenario } from '../scenario.js';
import { SERVICES } from '../topology.js';

export const scenario: Scenario = {
  id: 'tls-011-intercepted',
  story: {
    en: "A TLS inspection box on the core intercepts HTTPS to the server; the client trusts the box's CA, but the certificate is not the pinned one.",
    zh: '核心上的TLS审计设备拦截了到服务器的HTTPS；客户端信任该设备的CA，但证书不是固定（pin）的那一张。',
  },
  expect: 'TLS-011',
  target: 'www.lab.test:443',
  args: ['--ca', '{ca+inspection}', '--pin', '{www-pin}'],
  async inject(lab) {
    await lab.iptables('core', `-t nat -A PREROUTING -d ${SERVICES.www.v4} -p tcp --dport 443 -j DNAT --to-destination ${SERVICES.intercept.v4}:443`);
    await lab.iptables('core', `-t nat -A PREROUTING -d ${SERVICES.www.v6} -p tcp --dport 443 -j DNAT --to-destination [${SERVICES.intercept.v6}]:443`, { v6: true });
  },
};
