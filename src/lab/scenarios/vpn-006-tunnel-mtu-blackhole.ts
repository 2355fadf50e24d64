import type { Scenario } from '../scenario.js';
import { WG_HUB, wireguardHub } from '../tunnels.js';
import { gwCoreMtuBlackhole } from '../injections.js';

export const scenario: Scenario = {
  id: 'vpn-006-tunnel-mtu-blackhole',
  story: {
    en: "The gateway–core link has an MTU of 1400 and the core filters 'fragmentation needed': the WireGuard tunnel (MTU 1420 + 60) passes small packets, full-size ones vanish.",
    zh: '网关与核心之间链路MTU为1400且核心过滤了“需要分片”：WireGuard隧道（MTU 1420 + 60）小包能过，满长报文消失。',
  },
  expect: 'VPN-006',
  target: WG_HUB,
  async inject(lab) {
    // IPv4 only: the WireGuard underlay is IPv4 here (filters first, MTU last: see gwCoreMtuBlackhole)
    await gwCoreMtuBlackhole(lab, { v6: false });
    await wireguardHub(lab);
  },
};
