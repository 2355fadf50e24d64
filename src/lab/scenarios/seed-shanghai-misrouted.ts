import type { Scenario } from '../scenario.js';
import { shanghaiDefaultViaHk } from '../injections.js';
import { ADDR } from '../topology.js';

export const scenario: Scenario = {
  id: 'seed-shanghai-misrouted',
  story: {
    en: "The seed incident, Shanghai side: the region's routing table points at an HK ISP (a lower-metric default via the HK line), so ping, DNS and TCP all vanish there.",
    zh: '种子事故（上海侧）：上海区域路由表错误指向香港某ISP（经香港线路的默认路由metric更低），ping、DNS、TCP全部中断。',
  },
  expect: 'NET-004',
  offline: 'NET-004',
  host: 'client2',
  target: 'www.lab.test:443',
  args: ['--ca', '{ca}', '--expect-gateway', ADDR.gw2Lan],
  inject: shanghaiDefaultViaHk,
};
