import type { Scenario } from '../scenario.js';
import { ADDR } from '../topology.js';

export const scenario: Scenario = {
  id: 'net-004-policy-rule-second-isp',
  story: {
    en: "A policy rule meant for one application (`ip rule add to SERVER-NET lookup 200`) sends the server network to a table whose default leaves by the second ISP line on eth1, where the traffic vanishes; the main table's default via the company gateway is never consulted.",
    zh: '一条为某个应用配置的策略路由规则（ip rule add to 服务器网段 lookup 200）把服务器网段导向一张经 eth1 第二条ISP线路出去的路由表，流量在那里消失；主路由表中经公司网关的默认路由根本没被查到。',
  },
  expect: 'NET-004',
  host: 'client2',
  target: 'www.lab.test:443',
  args: ['--ca', '{ca}'],
  async inject(lab) {
    await lab.ip('client2', `route add default via ${ADDR.wrongIsp2} dev eth1 table 200`, `route del default via ${ADDR.wrongIsp2} dev eth1 table 200`);
    await lab.ip('client2', 'rule add to 203.0.113.0/27 lookup 200 priority 200', 'rule del priority 200');
  },
};
