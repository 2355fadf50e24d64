import type { Scenario } from '../scenario.js';
import { WG_CLIENT, WG_HUB, wireguardHub } from '../tunnels.js';

export const scenario: Scenario = {
  id: 'vpn-007-branch-nat-forgets',
  story: {
    en: 'Virtual LAN through a hub: the branch PC (Shanghai) has no persistent keepalive and its NAT forgets UDP mappings after 5 s idle, so it goes silent for the head office after a few seconds.',
    zh: '经中心节点组成的虚拟局域网：分支机构电脑（上海）未设置持久保活，其NAT在UDP空闲5秒后遗忘映射，几秒钟后总部就访问不到它。',
  },
  expect: 'VPN-007',
  target: WG_CLIENT.client2,
  args: ['--tunnel-idle', '16s'],
  async inject(lab) {
    await lab.sysctl('gw2', 'net.netfilter.nf_conntrack_udp_timeout', '5');
    await lab.sysctl('gw2', 'net.netfilter.nf_conntrack_udp_timeout_stream', '5');
    await wireguardHub(lab, { clients: ['client', 'client2'], keepalive: null, forward: true, hubAllowed: { client: `${WG_CLIENT.client}/32`, client2: `${WG_CLIENT.client2}/32` } });
    // The branch has just talked (its mapping is fresh when the diagnosis starts).
    await lab.sh('client2', ['ping', '-c', '1', '-W', '2', WG_HUB]);
  },
};
