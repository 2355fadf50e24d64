import type { Scenario } from '../scenario.js';
import { ADDR } from '../topology.js';

export const scenario: Scenario = {
  id: 'net-002-ipv4-gateway-typo',
  story: {
    en: "The IPv4 default route names a gateway nobody has on the LAN (a typo); a static route to the DNS servers and IPv6 still work: the client's own ARP for the gateway fails, so the kernel answers the IPv4 connect with 'host unreachable' from the client's own address — which is no router on the path.",
    zh: 'IPv4 默认路由的网关地址在局域网内不存在（写错）；到DNS服务器的静态路由和IPv6仍然正常：客户端自己对网关的 ARP 失败，内核以客户端自己的地址回应 IPv4 连接“主机不可达”——这并不是路径上的路由器。',
  },
  expect: 'NET-002',
  target: 'www.lab.test:443',
  args: ['--ca', '{ca}'],
  async inject(lab) {
    await lab.ip('client', `route add 203.0.113.32/28 via ${ADDR.gwLan}`, `route del 203.0.113.32/28 via ${ADDR.gwLan}`);
    await lab.ip('client', 'route replace default via 100.64.1.99', `route replace default via ${ADDR.gwLan}`);
  },
};
