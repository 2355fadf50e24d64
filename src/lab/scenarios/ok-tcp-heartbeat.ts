import type { Scenario } from '../scenario.js';

export const scenario: Scenario = {
  id: 'ok-tcp-heartbeat',
  story: { en: 'Healthy baseline, TCP: the line service (PING→PONG) listens on port 7000.', zh: '健康基线（TCP）：心跳行服务（PING→PONG）在7000端口正常监听。' },
  expect: 'ok',
  target: 'hb.lab.test:7000',
};
