import type { Scenario } from '../scenario.js';
import { wireguardHub } from '../tunnels.js';

export const scenario: Scenario = {
  id: 'vpn-004-office-lan-overlaps',
  story: {
    en: 'The virtual LAN 100.64.0.0/16 overlaps the office LAN 100.64.1.0/24: the server’s virtual address 100.64.1.200 is sent out of the office LAN instead of the tunnel.',
    zh: '虚拟局域网 100.64.0.0/16 与办公室网段 100.64.1.0/24 冲突：服务器的虚拟地址 100.64.1.200 被从办公室网卡发出，而不是走隧道。',
  },
  expect: 'VPN-004',
  offline: 'VPN-004',
  target: '100.64.1.200',
  async inject(lab) {
    await wireguardHub(lab, { clientAddr: { client: '100.64.200.2/16' }, clientAllowed: '100.64.0.0/16', hubAddrs: ['100.64.1.200/32'], hubAllowed: { client: '100.64.200.2/32' } });
  },
};
