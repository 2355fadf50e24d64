import type { Scenario } from '../scenario.js';
import { wireguardHub } from '../tunnels.js';

export const scenario: Scenario = {
  id: 'vpn-005-route-missing',
  story: {
    en: 'The tunnel carries the server network 100.96.1.0/24 (it is in the peer’s AllowedIPs), but nobody added the route: traffic for it goes to the Internet gateway.',
    zh: '隧道承载服务器网段 100.96.1.0/24（在对端 AllowedIPs 中），但没人添加路由：发往该网段的流量走了互联网网关。',
  },
  expect: 'VPN-005',
  offline: 'VPN-005',
  target: '100.96.1.1',
  async inject(lab) {
    await wireguardHub(lab, { clientAllowed: '100.96.0.0/24,100.96.1.0/24', hubAddrs: ['100.96.1.1/24'] });
  },
};
