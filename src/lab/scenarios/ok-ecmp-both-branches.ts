import type { Scenario } from '../scenario.js';

export const scenario: Scenario = {
  id: 'ok-ecmp-both-branches',
  story: {
    en: 'Healthy baseline, balanced path: the core spreads flows to mp.lab.test over br1 and br2 (L4 hash), both forward.',
    zh: '健康基线（负载分担路径）：核心路由器把到 mp.lab.test 的流量按流分担到 br1 和 br2，两支都正常转发。',
  },
  expect: 'ok',
  offline: 'ok',
  target: 'mp.lab.test:7000',
};
