import type { Scenario } from '../scenario.js';
import { OVPN_TARGET, openvpnSetup } from '../tunnels.js';

export const scenario: Scenario = {
  id: 'vpn-003-openvpn-cert-rejected',
  story: {
    en: 'The OpenVPN client presents a certificate the server’s CA never issued: the server answers OpenVPN on its port, the TLS handshake is refused every time.',
    zh: 'OpenVPN客户端出示的证书并非服务器CA签发：服务器端口能响应OpenVPN，但每次TLS握手都被拒绝。',
  },
  expect: 'VPN-003',
  offline: 'VPN-003',
  target: OVPN_TARGET,
  async inject(lab) {
    await openvpnSetup(lab, { untrustedClientCert: true, waitConnected: false, clientRoutes: ['100.98.0.0 255.255.255.0'] });
    // Let the client try (and fail) once.
    await new Promise((r) => setTimeout(r, 1500));
  },
};
