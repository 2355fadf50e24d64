import type { Scenario } from '../scenario.js';
import { WG_HUB, wireguardHub } from '../tunnels.js';

export const scenario: Scenario = {
  id: 'ok-vpn-wireguard',
  story: {
    en: 'Healthy baseline, virtual LAN over WireGuard: the client pings the server’s virtual address through a working tunnel.',
    zh: '健康基线（WireGuard虚拟局域网）：客户端经正常的隧道ping通服务器的虚拟地址。',
  },
  expect: 'ok',
  offline: 'ok',
  target: WG_HUB,
  async inject(lab) {
    await wireguardHub(lab);
  },
};
