import type { Scenario } from '../scenario.js';
import { ADDR } from '../topology.js';

export const scenario: Scenario = {
  id: 'net-004-lower-metric-default-second-isp',
  story: {
    en: "The second ISP line on eth1 came up with a default route of a lower metric than the company gateway's (IPv4), so the server is sent out of eth1, where it vanishes. Run without --expect-gateway: netdx must see which default wins.",
    zh: 'eth1 上的第二条ISP线路带来一条 metric 比公司网关更低的默认路由（IPv4），服务器流量因此从 eth1 发出并消失。不带 --expect-gateway 运行：netdx 必须看出是哪条默认路由胜出。',
  },
  expect: 'NET-004',
  host: 'client2',
  target: '203.0.113.10:443',
  args: ['--ca', '{ca}', '--sni', 'www.lab.test'],
  async inject(lab) {
    await lab.ip('client2', `route del default via ${ADDR.gw2Lan}`, `route add default via ${ADDR.gw2Lan}`);
    await lab.ip('client2', `route add default via ${ADDR.gw2Lan} metric 100`, `route del default via ${ADDR.gw2Lan} metric 100`);
    await lab.ip('client2', `route add default via ${ADDR.wrongIsp2} dev eth1 metric 50`, `route del default via ${ADDR.wrongIsp2} dev eth1 metric 50`);
  },
};
