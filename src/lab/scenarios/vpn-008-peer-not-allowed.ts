import type { Scenario } from '../scenario.js';
import { wgDev, wireguardHub } from '../tunnels.js';

export const scenario: Scenario = {
  id: 'vpn-008-peer-not-allowed',
  story: {
    en: 'A route sends the new server network 100.96.5.0/24 into the WireGuard interface, but the peer’s AllowedIPs were never extended: the interface drops the packets.',
    zh: '一条路由把新的服务器网段 100.96.5.0/24 送进WireGuard网卡，但对端的AllowedIPs从未扩充：网卡直接丢弃报文。',
  },
  expect: 'VPN-008',
  offline: 'VPN-008',
  target: '100.96.5.1',
  async inject(lab) {
    await wireguardHub(lab, { hubAddrs: ['100.96.5.1/24'] });
    await lab.sh('client', ['ip', 'route', 'add', '100.96.5.0/24', 'dev', wgDev('client')]);
  },
};
