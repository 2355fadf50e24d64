import type { Scenario } from '../scenario.js';
import { WG_HUB, vpnServerViaHk } from '../tunnels.js';

export const scenario: Scenario = {
  id: 'seed-vpn-beijing-fine',
  story: {
    en: 'The seed incident over the virtual LAN, Beijing side: Shanghai’s route to the VPN server is wrong, Beijing’s tunnel works as usual.',
    zh: '种子事故（虚拟局域网，北京侧）：上海区域到VPN服务器的路由错误，北京区域的隧道照常工作。',
  },
  expect: 'ok',
  offline: 'ok',
  host: 'client',
  target: WG_HUB,
  inject: vpnServerViaHk,
};
