import type { Scenario } from '../scenario.js';
import { ADDR } from '../topology.js';

export const scenario: Scenario = {
  id: 'net-002-wrong-gateway',
  story: { en: 'The default route names a gateway address that nobody has on the LAN (a typo in the static config).', zh: '默认路由的网关地址在局域网内不存在（静态配置写错）。' },
  expect: 'NET-002',
  offline: 'NET-002',
  target: 'www.lab.test:443',
  args: ['--ca', '{ca}'],
  async inject(lab) {
    await lab.ip('client', 'route replace default via 100.64.1.99', `route replace default via ${ADDR.gwLan}`);
    await lab.ip('client', '-6 route replace default via 2001:db8:1::99', `-6 route replace default via ${ADDR.gwLan6}`);
  },
};
