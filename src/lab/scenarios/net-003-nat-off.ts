import type { Scenario } from '../scenario.js';

export const scenario: Scenario = {
  id: 'net-003-nat-off',
  story: {
    en: "The gateway's NAT rule was removed: packets leave with their private source address and the replies never find the way back (the core has no route to the LAN). Only the first hop answers.",
    zh: '网关的NAT规则被删除：报文带着私网源地址出去，回程找不到路（核心路由器没有到该网段的路由）。只有第一跳有响应。',
  },
  expect: 'NET-003',
  target: '203.0.113.10:443',
  args: ['--ca', '{ca}', '--sni', 'www.lab.test'],
  async inject(lab) {
    await lab.change('gw', 'iptables -w -t nat -D POSTROUTING -s 100.64.1.0/24 -o up0 -j MASQUERADE', 'iptables -w -t nat -A POSTROUTING -s 100.64.1.0/24 -o up0 -j MASQUERADE');
  },
};
