import type { Scenario } from '../scenario.js';
import { ADDR } from '../topology.js';

export const scenario: Scenario = {
  id: 'net-004-more-specific-route',
  story: {
    en: 'A more specific route for the server network, left from a test of the HK line, steers the traffic to the HK ISP router instead of the company gateway.',
    zh: '一条更具体的服务器网段路由（测试香港线路时遗留）把流量引向香港ISP路由器，而不是公司网关。',
  },
  expect: 'NET-004',
  offline: 'NET-004',
  host: 'client2',
  target: '203.0.113.10:443',
  args: ['--ca', '{ca}', '--sni', 'www.lab.test', '--expect-gateway', ADDR.gw2Lan],
  async inject(lab) {
    await lab.ip('client2', `route add 203.0.113.0/24 via ${ADDR.wrongLan}`, `route del 203.0.113.0/24 via ${ADDR.wrongLan}`);
  },
};
