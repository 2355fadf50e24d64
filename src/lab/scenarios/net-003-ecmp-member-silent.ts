import type { Scenario } from '../scenario.js';
import { ADDR } from '../topology.js';

export const scenario: Scenario = {
  id: 'net-003-ecmp-member-silent',
  story: {
    en: 'The same balanced path, but br2 has a blackhole route for the server: it drops those flows without a word (not even to traces), so only the core is seen before the loss. About half the connections hang.',
    zh: '同样的负载分担路径，但 br2 上有一条指向服务器的黑洞路由：它无声地丢弃这些流（连追踪也不回应），丢包前只能看到核心路由器。大约一半连接卡住。',
  },
  expect: 'NET-003',
  target: 'mp.lab.test:7000',
  async inject(lab) {
    await lab.ip('br2', `route add blackhole ${ADDR.mp}/32`, `route del blackhole ${ADDR.mp}/32`);
  },
};
