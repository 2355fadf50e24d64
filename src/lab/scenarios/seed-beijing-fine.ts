import type { Scenario } from '../scenario.js';
import { shanghaiDefaultViaHk } from '../injections.js';
import { ADDR } from '../topology.js';

export const scenario: Scenario = {
  id: 'seed-beijing-fine',
  story: {
    en: 'The seed incident, Beijing side: Shanghai is misrouted to the HK ISP, Beijing reaches the servers as usual.',
    zh: '种子事故（北京侧）：上海区域路由错误指向香港某ISP，北京区域客户端访问正常。',
  },
  expect: 'ok',
  offline: 'ok',
  host: 'client',
  target: 'www.lab.test:443',
  args: ['--ca', '{ca}', '--expect-gateway', ADDR.gwLan],
  inject: shanghaiDefaultViaHk,
};
