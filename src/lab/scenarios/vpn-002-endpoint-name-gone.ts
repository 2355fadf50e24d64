import type { Scenario } from '../scenario.js';
import { OVPN_TARGET, openvpnSetup } from '../tunnels.js';

export const scenario: Scenario = {
  id: 'vpn-002-endpoint-name-gone',
  story: {
    en: 'The OpenVPN client still points at the VPN server’s old name, which no longer resolves: the tunnel never comes up.',
    zh: 'OpenVPN客户端仍指向VPN服务器的旧域名，该域名已无法解析：隧道始终无法建立。',
  },
  expect: 'VPN-002',
  target: OVPN_TARGET,
  async inject(lab) {
    await openvpnSetup(lab, { remote: 'vpn-old.lab.test', waitConnected: false, clientRoutes: ['100.98.0.0 255.255.255.0'] });
  },
};
