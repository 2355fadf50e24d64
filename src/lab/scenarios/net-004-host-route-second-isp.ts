import type { Scenario } from '../scenario.js';
import { ADDR, SERVICES } from '../topology.js';

export const scenario: Scenario = {
  id: 'net-004-host-route-second-isp',
  story: {
    en: "The field case: the branch has a second ISP line on eth1, and a host route left behind (`ip route add SERVER/32 via OTHER-ISP-GW dev eth1`) sends the server out of it; that ISP's router silently discards it (a blackhole route, no ICMP). The default route via the company gateway is fine.",
    zh: '现场案例：分支机构在 eth1 上有第二条ISP线路，一条遗留的主机路由（ip route add 服务器/32 via 另一ISP网关 dev eth1）把服务器流量从该线路发出；该ISP路由器静默丢弃（黑洞路由，不回ICMP）。经公司网关的默认路由本身正常。',
  },
  expect: 'NET-004',
  host: 'client2',
  target: 'www.lab.test:443',
  args: ['--ca', '{ca}'],
  async inject(lab) {
    await lab.ip('wrong', `route add blackhole ${SERVICES.www.v4}/32`, `route del blackhole ${SERVICES.www.v4}/32`);
    await lab.ip('client2', `route add ${SERVICES.www.v4}/32 via ${ADDR.wrongIsp2} dev eth1`, `route del ${SERVICES.www.v4}/32 via ${ADDR.wrongIsp2} dev eth1`);
  },
};
