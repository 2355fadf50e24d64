import type { Scenario } from '../scenario.js';

export const scenario: Scenario = {
  id: 'ok-heartbeat-answered',
  story: { en: 'Healthy baseline, application heartbeat: every PING gets its PONG.', zh: '健康基线（应用心跳）：每个PING都收到PONG。' },
  expect: 'ok',
  target: 'hb.lab.test:7000',
  args: ['--heartbeat', 'send=PING;expect=PONG;every=1s;count=2;timeout=1s'],
};
