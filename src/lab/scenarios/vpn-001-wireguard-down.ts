import type { Scenario } from '../scenario.js';
import { WG_HUB, wgDev, wireguardHub } from '../tunnels.js';

export const scenario: Scenario = {
  id: 'vpn-001-wireguard-down',
  story: {
    en: 'The virtual network adapter was switched off: the WireGuard interface is down, so the route into the virtual LAN is gone and the server cannot be pinged.',
    zh: '虚拟网卡被关闭：WireGuard网卡处于down状态，进入虚拟局域网的路由随之消失，服务器ping不通。',
  },
  expect: 'VPN-001',
  offline: 'VPN-001',
  target: WG_HUB,
  async inject(lab) {
    await wireguardHub(lab);
    await lab.sh('client', ['ip', 'link', 'set', wgDev('client'), 'down']);
  },
};
