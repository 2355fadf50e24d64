import type { Scenario } from '../scenario.js';
import { WG_HUB, wgDev, wireguardHub } from '../tunnels.js';

const MARK = '51820';

export const scenario: Scenario = {
  id: 'ok-vpn-wireguard-full-tunnel',
  story: {
    en: 'Healthy baseline, a full-tunnel WireGuard client set up the way wg-quick does it (AllowedIPs 0.0.0.0/0): everything goes into the tunnel except WireGuard’s own packets, which carry fwmark 51820 and skip the tunnel’s routing table. The endpoint must be judged with that mark, or it looks routed into its own tunnel.',
    zh: '健康基线：按 wg-quick 方式配置的全隧道 WireGuard 客户端（AllowedIPs 0.0.0.0/0）：除 WireGuard 自身带 fwmark 51820 的报文绕过隧道路由表外，所有流量都进入隧道。判断端点时必须带上该标记，否则看起来端点被路由进了它自己的隧道。',
  },
  expect: 'ok',
  offline: 'ok',
  target: WG_HUB,
  async inject(lab) {
    const dev = wgDev('client');
    await wireguardHub(lab, { clientAllowed: '0.0.0.0/0', connect: false });
    await lab.sh('client', ['wg', 'set', dev, 'fwmark', MARK]);
    await lab.ip('client', `route add default dev ${dev} table ${MARK}`, `route del default dev ${dev} table ${MARK}`);
    await lab.ip('client', `rule add not fwmark ${MARK} table ${MARK} pref 32000`, 'rule del pref 32000');
    await lab.ip('client', 'rule add table main suppress_prefixlength 0 pref 31999', 'rule del pref 31999');
    await lab.sh('client', ['ping', '-c', '1', '-W', '2', WG_HUB]).catch(() => '');
  },
};
