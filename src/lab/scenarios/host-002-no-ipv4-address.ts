import type { Scenario } from '../scenario.js';
import { ADDR } from '../topology.js';

export const scenario: Scenario = {
  id: 'host-002-no-ipv4-address',
  story: {
    en: 'DHCP failed: the interface is up with its IPv6 address but has no IPv4 address, and the server is IPv4-only.',
    zh: 'DHCP失败：网卡已启用且有IPv6地址，但没有IPv4地址，而服务器只有IPv4。',
  },
  expect: 'HOST-002',
  offline: 'HOST-002',
  target: '203.0.113.10:443',
  args: ['--ca', '{ca}', '--sni', 'www.lab.test'],
  async inject(lab) {
    await lab.change('client', ['ip', '-4', 'addr', 'flush', 'dev', 'eth0'], ['sh', '-c', `ip addr add ${ADDR.client}/24 dev eth0 && ip route replace default via ${ADDR.gwLan}`]);
  },
};
