import type { Scenario } from '../scenario.js';
import { WG_HUB, vpnServerViaHk } from '../tunnels.js';

export const scenario: Scenario = {
  id: 'seed-vpn-shanghai-misrouted',
  story: {
    en: 'The seed incident over the virtual LAN, Shanghai side: both regions reach the same VPN server, but Shanghai’s route to the server’s public address points at the HK ISP, which blackholes it. netdx names the misroute, not just “tunnel down”.',
    zh: '种子事故（虚拟局域网，上海侧）：两个区域连接同一台VPN服务器，但上海区域到服务器公网地址的路由错误指向香港某ISP，流量被黑洞吞掉。netdx指出错误路由，而不只是“隧道断了”。',
  },
  expect: 'NET-004',
  alsoExpect: ['VPN-002', 'VPN-003'],
  host: 'client2',
  target: WG_HUB,
  inject: vpnServerViaHk,
};
