import type { Scenario } from '../scenario.js';

export const scenario: Scenario = {
  id: 'ok-icmp-www',
  story: { en: 'Healthy baseline, ICMP: the server answers ping over a clean three-hop path.', zh: '健康基线（ICMP）：三跳干净路径，服务器正常响应ping。' },
  expect: 'ok',
  target: 'www.lab.test',
};
