import type { Scenario } from '../scenario.js';
import { WG_HUB, wgDev, wireguardHub } from '../tunnels.js';

export const scenario: Scenario = {
  id: 'vpn-003-server-forgot-key',
  story: {
    en: 'The VPN server no longer has this client’s public key: the server answers ping, the client’s handshake initiations go out and nothing comes back.',
    zh: 'VPN服务器上删除了本客户端的公钥：服务器能ping通，客户端的握手请求发出后没有任何回应。',
  },
  expect: 'VPN-003',
  offline: 'VPN-003',
  target: WG_HUB,
  async inject(lab) {
    const hub = await wireguardHub(lab, { connect: false, keepalive: null });
    await lab.sh('srv', ['wg', 'set', wgDev('srv'), 'peer', hub.clientKey.client, 'remove']);
  },
};
