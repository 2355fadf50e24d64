import type { Scenario } from '../scenario.js';
import { ADDR } from '../topology.js';

export const scenario: Scenario = {
  id: 'net-001-no-default-route',
  story: {
    en: 'The default route is gone (a network restart without the gateway): only the LAN is reachable, so DNS and the server both fail.',
    zh: '默认路由丢失（重启网络后未配置网关）：只能访问本地网段，DNS和服务器都不通。',
  },
  expect: 'NET-001',
  offline: 'NET-001',
  target: 'www.lab.test:443',
  args: ['--ca', '{ca}'],
  async inject(lab) {
    await lab.ip('client', `route del default via ${ADDR.gwLan}`, `route add default via ${ADDR.gwLan}`);
    await lab.ip('client', `-6 route del default via ${ADDR.gwLan6}`, `-6 route add default via ${ADDR.gwLan6}`);
  },
};
