import type { Scenario } from '../scenario.js';
import { ADDR } from '../topology.js';

export const scenario: Scenario = {
  id: 'seed-shanghai-router-misrouted',
  story: {
    en: "The seed incident at the region's router: the Shanghai gateway routes the server network to the HK ISP's router, which forwards it into a network that drops it. The client's own table is right; the path dies after the HK hop.",
    zh: '种子事故（区域路由器）：上海网关把服务器网段路由到香港ISP的路由器，后者转发进一个丢弃流量的网络。客户端自身路由表正确，路径在香港那一跳之后中断。',
  },
  expect: 'NET-003',
  host: 'client2',
  target: '203.0.113.10:443',
  args: ['--ca', '{ca}', '--sni', 'www.lab.test'],
  async inject(lab) {
    await lab.ip('gw2', `route add 203.0.113.0/24 via ${ADDR.wrongLan}`, `route del 203.0.113.0/24 via ${ADDR.wrongLan}`);
  },
};
