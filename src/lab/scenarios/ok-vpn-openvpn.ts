import type { Scenario } from '../scenario.js';
import { OVPN_TARGET, openvpnSetup } from '../tunnels.js';

export const scenario: Scenario = {
  id: 'ok-vpn-openvpn',
  story: {
    en: 'Healthy baseline, OpenVPN over UDP: the client reaches a host of the network the server pushes a route for.',
    zh: '健康基线（OpenVPN/UDP）：客户端访问服务器下发路由的网段中的主机，一切正常。',
  },
  expect: 'ok',
  offline: 'ok',
  target: OVPN_TARGET,
  async inject(lab) {
    await openvpnSetup(lab);
  },
};
